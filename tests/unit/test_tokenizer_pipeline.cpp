// The tokenizer.json pipeline beyond byte-level BPE, each rule on the
// smallest hand-written file that shows it: normalizers keep byte spans,
// SentencePiece-style BPE (Metaspace or Prepend/Replace, byte_fallback,
// <unk>), added-token options, the post-processor's special tokens and the
// decoders. The peer test checks the same rules on real files against
// Hugging Face's own implementation.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/io/tokenizer.h"
#include "tokenizer_spec.h"
#include "core/util/error.h"

using attnscope::io::Tokenizer;
using nlohmann::json;
using Ids = std::vector<int64_t>;

namespace {

const std::string kMeta = "\xE2\x96\x81";  // '▁'

const auto load = attnscope::testing::load_tokenizer;
const auto load_error = attnscope::testing::tokenizer_error;

// Llama-2's layout: Prepend('▁') + Replace(' ' -> '▁'), no pre-tokenizer,
// byte_fallback with <0xNN> tokens, <unk>, <s> added in front.
json llama2_style() {
  json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    vocab[name] = 3 + b;
  }
  int id = 259;
  for (const std::string& t : std::vector<std::string>{kMeta, "h", "i", kMeta + "h", kMeta + "hi", "x"}) vocab[t] = id++;
  const json bos = {{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}};
  return {
      {"added_tokens",
       {{{"id", 0}, {"content", "<unk>"}, {"special", true}},
        {{"id", 1}, {"content", "<s>"}, {"special", true}},
        {{"id", 2}, {"content", "</s>"}, {"special", true}}}},
      {"normalizer",
       {{"type", "Sequence"},
        {"normalizers",
         {{{"type", "Prepend"}, {"prepend", kMeta}},
          {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kMeta}}}}}},
      {"pre_tokenizer", nullptr},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single", {bos, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
        {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
      {"decoder",
       {{"type", "Sequence"},
        {"decoders",
         {{{"type", "Replace"}, {"pattern", {{"String", kMeta}}}, {"content", " "}},
          {{"type", "ByteFallback"}},
          {{"type", "Fuse"}},
          {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
      {"model",
       {{"type", "BPE"}, {"unk_token", "<unk>"}, {"byte_fallback", true}, {"fuse_unk", true}, {"vocab", vocab},
        {"merges", {kMeta + " h", kMeta + "h i"}}}}};
}

// One token per character of "abcé" and the combining accent; NFC or Lowercase in front.
json char_spec(const json& normalizer) {
  json vocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"\xC3\xA9", 3}, {"e", 4}, {"\xCC\x81", 5}, {"i", 6}, {"\xCC\x87", 7}};
  return {{"normalizer", normalizer}, {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array()}}}};
}

}  // namespace

TEST(TokenizerPipeline, NfcComposesAndTheTokenSpansBothCharacters) {
  const auto tok = load(char_spec({{"type", "NFC"}}));
  const auto tokens = tok->encode("ae\xCC\x81" "b");  // a, e + combining acute, b
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[1].id, 3);  // é composed
  EXPECT_EQ(tokens[1].byte_begin, 1u);
  EXPECT_EQ(tokens[1].byte_end, 4u);  // e (1 byte) and U+0301 (2 bytes)
  EXPECT_EQ(tokens[2].byte_begin, 4u);
  const auto nfd = load(char_spec({{"type", "NFD"}}));
  EXPECT_EQ(nfd->encode_ids("\xC3\xA9"), (Ids{4, 5}));  // é decomposed
}

TEST(TokenizerPipeline, LowercaseUsesFullMappings) {
  const auto tok = load(char_spec({{"type", "Lowercase"}}));
  const auto tokens = tok->encode("\xC4\xB0" "A");  // U+0130 (capital I with dot) -> "i̇"
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ((Ids{tokens[0].id, tokens[1].id, tokens[2].id}), (Ids{6, 7, 0}));
  EXPECT_EQ(tokens[1].byte_begin, 0u);  // both come from the one character
  EXPECT_EQ(tokens[1].byte_end, 2u);
}

TEST(TokenizerPipeline, SentencePieceStyleWithByteFallbackAndBos) {
  const auto tok = load(llama2_style());
  // "hi x": '▁hi', '▁', 'x' after the normalizer; '€' has no token: three bytes.
  EXPECT_EQ(tok->encode_ids("hi x"), (Ids{263, 259, 264}));
  EXPECT_EQ(tok->encode_ids("hi x", true), (Ids{1, 263, 259, 264}));
  const auto euro = tok->encode("x\xE2\x82\xAC");
  ASSERT_EQ(euro.size(), 5u);  // '▁', 'x', <0xE2>, <0x82>, <0xAC>
  EXPECT_EQ(euro[2].id, 3 + 0xE2);
  EXPECT_EQ(euro[2].byte_begin, 1u);
  EXPECT_EQ(euro[4].byte_end, 4u);
  EXPECT_EQ(tok->decode(tok->encode_ids("hi x\xE2\x82\xAC")), "hi x\xE2\x82\xAC");
  EXPECT_EQ(tok->display(263), "\xC2\xB7hi");          // '▁hi' shows as '·hi'
  EXPECT_EQ(tok->display(3 + 0x0A), "\xE2\x86\xB5");  // <0x0A> is a newline
  EXPECT_EQ(tok->token_id(" hi"), 263);
  EXPECT_TRUE(tok->adds_special_tokens());
}

TEST(TokenizerPipeline, UnknownCharactersFuseIntoOneUnk) {
  json spec = llama2_style();
  spec["model"]["byte_fallback"] = false;
  EXPECT_EQ(load(spec)->encode_ids("x\xE2\x82\xAC\xE2\x82\xAC"), (Ids{259, 264, 0}));
  spec["model"]["fuse_unk"] = false;
  EXPECT_EQ(load(spec)->encode_ids("x\xE2\x82\xAC\xE2\x82\xAC"), (Ids{259, 264, 0, 0}));
}

TEST(TokenizerPipeline, MetaspacePrependsPerScheme) {
  json spec = llama2_style();
  spec["normalizer"] = nullptr;
  spec["pre_tokenizer"] = {{"type", "Metaspace"}, {"replacement", kMeta}, {"prepend_scheme", "first"}, {"split", true}};
  // After an added token the text does not start the prompt: no '▁' there.
  EXPECT_EQ(load(spec)->encode_ids("hi<s>hi"), (Ids{263, 1, 260, 261}));
  spec["pre_tokenizer"]["prepend_scheme"] = "always";
  EXPECT_EQ(load(spec)->encode_ids("hi<s>hi"), (Ids{263, 1, 263}));
  spec["pre_tokenizer"]["prepend_scheme"] = "never";
  EXPECT_EQ(load(spec)->encode_ids("hi hi"), (Ids{260, 261, 263}));
}

TEST(TokenizerPipeline, AddedTokenOptions) {
  json spec = llama2_style();
  spec["normalizer"] = nullptr;
  spec["added_tokens"].push_back({{"id", 265}, {"content", "[M]"}, {"special", true}, {"lstrip", true}, {"rstrip", true}});
  spec["added_tokens"].push_back({{"id", 266}, {"content", "ab"}, {"special", false}, {"single_word", true}});
  spec["model"]["vocab"]["[M]"] = 265;
  spec["model"]["vocab"]["ab"] = 266;
  const auto tok = load(spec);
  const auto tokens = tok->encode("x  [M]  x");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[1].id, 265);
  EXPECT_EQ(tokens[1].byte_begin, 1u);  // the spaces on both sides belong to it
  EXPECT_EQ(tokens[1].byte_end, 8u);
  EXPECT_EQ(tok->encode_ids("ab x")[0], 266);
  EXPECT_NE(tok->encode_ids("xab")[1], 266) << "single_word: not inside a word";
}

TEST(TokenizerPipeline, UnsupportedOrUnsafeFilesAreRefusedByName) {
  json spec = llama2_style();
  spec["model"]["dropout"] = 0.1;
  EXPECT_NE(load_error(spec).find("dropout"), std::string::npos);
  spec = llama2_style();
  spec["normalizer"] = {{"type", "Precompiled"}, {"precompiled_charsmap", "AAAA"}};
  EXPECT_NE(load_error(spec).find("normalizer type 'Precompiled' is not supported"), std::string::npos);
  spec = llama2_style();
  spec["model"]["type"] = "Unigram";
  EXPECT_NE(load_error(spec).find("Unigram"), std::string::npos);
  spec = llama2_style();
  spec["post_processor"]["special_tokens"]["<s>"]["ids"] = {70000};
  EXPECT_NE(load_error(spec).find("post_processor adds token 70000"), std::string::npos);
  spec = llama2_style();
  spec["model"]["unk_token"] = "<nope>";
  EXPECT_NE(load_error(spec).find("unknown token '<nope>'"), std::string::npos);
}
