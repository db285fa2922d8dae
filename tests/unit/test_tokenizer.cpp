// Byte-level BPE on small hand-written tokenizer.json texts: each test builds
// the smallest vocabulary that shows one rule of the format.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/io/text/pre_tokenizers.h"
#include "core/io/tokenizer.h"
#include "tokenizer_spec.h"
#include "core/util/error.h"

using attnscope::io::AlignedText;
using attnscope::io::Tokenizer;
using nlohmann::json;
using Ids = std::vector<int64_t>;

namespace {

// Byte-level spellings: space is 'Ġ', newline 'Ċ', tab 'ĉ'.
const std::string kSpace = "\xC4\xA0", kNewline = "\xC4\x8A", kTab = "\xC4\x89";

// A GPT-2 style tokenizer.json: letters a-e, "!", space, newline, tab, and
// the merges a+b, ab+c, Ġ+a.
json small_spec(const json& merges) {
  json vocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"d", 3}, {"e", 4}, {"!", 5}, {kSpace, 6}, {kNewline, 7},
                {kTab, 8}, {"ab", 9}, {"abc", 10}, {kSpace + "a", 11}};
  return {{"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}}},
          {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}}};
}

const auto load = attnscope::testing::load_tokenizer;
const auto load_error = attnscope::testing::tokenizer_error;

const char* const kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

json llama3_pretokenizer() {
  return {{"type", "Sequence"},
          {"pretokenizers",
           {{{"type", "Split"}, {"pattern", {{"Regex", kLlama3Pattern}}}, {"behavior", "Isolated"}, {"invert", false}},
            {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}}}}};
}

// Pre-tokens of `text`, as the parts of the text they come from.
std::vector<std::string> pieces(const json& spec, const std::string& text) {
  bool byte_level = false;
  auto pre = attnscope::io::make_pretokenizer(spec, byte_level, "test.json");
  std::vector<std::string> out;
  for (const auto& p : pre->split({AlignedText::original(text)})) {
    const auto span = p.span_of(0, p.size());
    out.push_back(text.substr(span.begin, span.end - span.begin));
  }
  return out;
}

}  // namespace

TEST(Tokenizer, BothMergeSpellingsGiveTheSameTokens) {
  const auto strings = load(small_spec({"a b", "ab c", kSpace + " a"}));
  const auto pairs = load(small_spec(json::array({json::array({"a", "b"}), json::array({"ab", "c"}),
                                                  json::array({kSpace, "a"})})));
  const std::string text = "abc ab a!\n\tcab";
  EXPECT_EQ(strings->encode_ids(text), (Ids{10, 6, 9, 11, 5, 7, 8, 2, 9}));
  EXPECT_EQ(pairs->encode_ids(text), strings->encode_ids(text));
}

TEST(Tokenizer, UnreadableMergesAreRefusedByName) {
  EXPECT_NE(load_error(small_spec(5)).find("merges"), std::string::npos);
  EXPECT_NE(load_error(small_spec(json::array({json::array({"a"})}))).find("merge"), std::string::npos);
  EXPECT_NE(load_error(small_spec(json::array({json::array({"a", "b", "c"})}))).find("merge"), std::string::npos);
  EXPECT_NE(load_error(small_spec(json::array({"ab"}))).find("'ab'"), std::string::npos);
  EXPECT_NE(load_error(small_spec(json::array({"a z"}))).find("not in the vocabulary"), std::string::npos);
  json no_merges = small_spec(json::array());
  no_merges["model"].erase("merges");
  EXPECT_NE(load_error(no_merges).find("merges"), std::string::npos);
  // Every message names the file.
  EXPECT_EQ(load_error(small_spec(5)).rfind("test.json", 0), 0u);
}

TEST(Tokenizer, Llama3PreTokenizerSplitsNumbersInThreesAndContractionsCaseInsensitively) {
  const json pre = llama3_pretokenizer();
  EXPECT_EQ(pieces(pre, "12345"), (std::vector<std::string>{"123", "45"}));
  EXPECT_EQ(pieces(pre, "I'M"), (std::vector<std::string>{"I", "'M"}));
  EXPECT_EQ(pieces(pre, "we'LL go"), (std::vector<std::string>{"we", "'LL", " go"}));
  EXPECT_EQ(pieces(pre, "x  \n\ny"), (std::vector<std::string>{"x", "  \n\n", "y"}));
}

TEST(Tokenizer, IgnoreMergesEmitsWholeVocabularyWords) {
  // "hello" is in the vocabulary but no merge builds it; "123" and "45" too.
  json vocab = {{"h", 0}, {"e", 1}, {"l", 2}, {"o", 3}, {"1", 4}, {"2", 5}, {"3", 6}, {"4", 7}, {"5", 8},
                {"'", 9}, {"M", 10}, {"I", 11}, {"hello", 12}, {"123", 13}, {"45", 14}, {"12345", 15},
                {"'M", 16}, {kSpace, 17}, {kSpace + "hello", 18}, {"he", 19}};
  json spec = {{"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array({"h e"})}, {"ignore_merges", true}}},
               {"pre_tokenizer", llama3_pretokenizer()}};
  const auto tok = load(spec);
  EXPECT_EQ(tok->encode_ids("hello"), (Ids{12}));
  EXPECT_EQ(tok->encode_ids("12345"), (Ids{13, 14}));  // "12345" is in the vocabulary, but split first
  EXPECT_EQ(tok->encode_ids("I'M hello"), (Ids{11, 16, 18}));
  EXPECT_EQ(tok->encode_ids("hell"), (Ids{19, 2, 2}));  // not a word: merges as usual
  spec["model"]["ignore_merges"] = false;
  EXPECT_EQ(load(spec)->encode_ids("hello"), (Ids{19, 2, 2, 3}));
}

TEST(Tokenizer, AddedTokensAreMatchedBeforeBpe) {
  json spec = small_spec({"a b", "ab c", kSpace + " a"});
  spec["added_tokens"] = json::array({{{"id", 12}, {"content", "<|endoftext|>"}, {"special", true}}});
  const auto tok = load(spec);
  const std::string text = "ab<|endoftext|> a";
  const auto tokens = tok->encode(text);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[1].id, 12);
  EXPECT_EQ(tokens[1].text, "<|endoftext|>");
  EXPECT_EQ(tokens[1].byte_begin, 2u);
  EXPECT_EQ(tokens[1].byte_end, 15u);
  EXPECT_EQ(tok->decode(tok->encode_ids(text)), text);
  EXPECT_EQ(tok->token_id("<|endoftext|>"), 12);
  EXPECT_EQ(tok->vocab_size(), 13);
}

TEST(Tokenizer, ByteSpansCoverThePromptEvenInsideCharacters) {
  // Only single bytes for "é" (C3 A9): its two tokens each own one byte.
  json spec = small_spec(json::array({"a b"}));
  spec["model"]["vocab"]["\xC3\x83"] = 20;  // 'Ã' spells byte C3
  spec["model"]["vocab"]["\xC2\xA9"] = 21;  // '©' spells byte A9
  const auto tok = load(spec);
  const auto tokens = tok->encode("ab \xC3\xA9!");
  ASSERT_EQ(tokens.size(), 5u);
  const std::vector<std::pair<size_t, size_t>> spans = {{0, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}};
  for (size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(tokens[i].byte_begin, spans[i].first) << i;
    EXPECT_EQ(tokens[i].byte_end, spans[i].second) << i;
  }
  EXPECT_EQ(tok->display(20), "\\xC3");
}

TEST(Tokenizer, DisplayMarksWhitespace) {
  const auto tok = load(small_spec(json::array({"a b"})));
  EXPECT_EQ(tok->display(6), "\xC2\xB7");      // space as '·'
  EXPECT_EQ(tok->display(7), "\xE2\x86\xB5");  // newline as '↵'
  EXPECT_EQ(tok->display(8), "\xE2\x86\x92");  // tab as '→'
  EXPECT_EQ(tok->display(11), "\xC2\xB7" "a");
}

// Found by fuzz_tokenizer: a Split with an unknown behaviour threw after the
// pattern was compiled and leaked it. It must be refused, by name, cleanly.
TEST(Tokenizer, UnknownSplitBehaviourIsRefused) {
  const std::string text =
      R"({"model": {"ypte": "BPE", "vocab": {"1": 0, "2": 1, "x": 2}, "merges": []}, "pre_tokenizer": )"
      R"({"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true}, {"type": "Split", )"
      R"("pattern": {"String": " "}, "behavior": "MergedWithPrevio2us", "invert": true}]}})";
  try {
    Tokenizer::from_json_text(text, "test.json");
    ADD_FAILURE() << "an unknown split behaviour was accepted";
  } catch (const attnscope::Error& e) {
    EXPECT_NE(std::string(e.what()).find("MergedWithPrevio2us"), std::string::npos) << e.what();
  }
}

// Found by the peer test: PCRE2's \s counts U+180E (Mongolian vowel
// separator) as space, GPT-2's encoder does not.
TEST(Tokenizer, BackslashSIsUnicodeWhiteSpace) {
  const json gpt2 = {{"type", "ByteLevel"}, {"use_regex", true}};
  EXPECT_EQ(pieces(gpt2, "x \u180E!"), (std::vector<std::string>{"x", " \u180E!"}));
  EXPECT_EQ(pieces(gpt2, "a\u0085 b\u3000"), (std::vector<std::string>{"a", "\u0085", " b", "\u3000"}));
  auto split = [](const std::string& pattern) {
    return json{{"type", "Split"}, {"pattern", {{"Regex", pattern}}}, {"behavior", "Isolated"}};
  };
  EXPECT_EQ(pieces(split(R"(\S+)"), "a\u180Eb c"), (std::vector<std::string>{"a\u180Eb", " ", "c"}));
  EXPECT_EQ(pieces(split(R"([^\s]+)"), "a\u180Eb c"), (std::vector<std::string>{"a\u180Eb", " ", "c"}));
  // ']' first in a class is a member; the \s after it is still in the class.
  EXPECT_EQ(pieces(split(R"([]\s]+)"), "a] \u180E"), (std::vector<std::string>{"a", "] ", "\u180E"}));
  // An escaped backslash and quoted text are not \s.
  EXPECT_EQ(pieces(split(R"(\\s)"), "x\\s y"), (std::vector<std::string>{"x", "\\s", " y"}));
  EXPECT_EQ(pieces(split(R"(\Q\s\E)"), "x\\s y"), (std::vector<std::string>{"x", "\\s", " y"}));
  // The x flag: a comment may hold a '['; such patterns are left as written.
  EXPECT_EQ(pieces(split("(?x) \\d+ # [ a comment\n | \\s+"), "ab 12"),
            (std::vector<std::string>{"ab", " ", "12"}));
}

// Found while fuzzing: ids index a table, so a negative added-token id wrote
// outside it and a huge id asked for terabytes. Both are refused by name.
TEST(Tokenizer, OutOfRangeIdsAreRefused) {
  json negative = small_spec(json::array({"a b"}));
  negative["added_tokens"] = json::array({{{"id", -1}, {"content", "x"}}});
  EXPECT_NE(load_error(negative).find("token id -1 is negative"), std::string::npos) << load_error(negative);
  json huge = small_spec(json::array({"a b"}));
  huge["model"]["vocab"]["z"] = int64_t{100000000000000};
  EXPECT_NE(load_error(huge).find("token id 100000000000000 is far beyond"), std::string::npos) << load_error(huge);
  json huge_added = small_spec(json::array({"a b"}));
  huge_added["added_tokens"] = json::array({{{"id", int64_t{4000000000000}}, {"content", "x"}}});
  EXPECT_NE(load_error(huge_added).find("far beyond"), std::string::npos) << load_error(huge_added);
}

// Found while fuzzing: 200,000 nested brackets overflowed the stack while
// the parsed value was walked. Such a file is refused instead.
TEST(Tokenizer, DeeplyNestedJsonIsRefused) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  try {
    Tokenizer::from_json_text(deep, "deep.json");
    ADD_FAILURE() << "a 200000-deep JSON text was accepted";
  } catch (const attnscope::Error& e) {
    EXPECT_NE(std::string(e.what()).find("nests deeper than"), std::string::npos) << e.what();
  }
}
