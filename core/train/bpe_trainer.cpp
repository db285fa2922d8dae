#include "core/train/bpe_trainer.h"

#include <map>
#include <unordered_map>

#include "core/io/text/byte_level.h"
#include "core/io/text/pre_tokenizers.h"

namespace attnscope::train {
namespace {

using Word = std::vector<std::string>;  // symbols, each the spelling of one or more bytes

std::map<Word, int64_t> count_words(const std::vector<std::string>& corpus) {
  const auto& bytes = io::ByteLevel::instance();
  std::map<Word, int64_t> words;
  for (const auto& text : corpus) {
    for (const auto& [begin, end] : io::gpt2_pieces(text)) {
      Word w;
      for (size_t i = begin; i < end; ++i) w.push_back(bytes.spell(static_cast<uint8_t>(text[i])));
      ++words[w];
    }
  }
  return words;
}

}  // namespace

nlohmann::ordered_json train_byte_level_bpe(const std::vector<std::string>& corpus, const BpeTrainingOptions& options) {
  const auto& bytes = io::ByteLevel::instance();
  nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
  int64_t next_id = 0;
  for (int b = 0; b < 256; ++b) vocab[bytes.spell(static_cast<uint8_t>(b))] = next_id++;

  std::map<Word, int64_t> words = count_words(corpus);
  nlohmann::ordered_json merges = nlohmann::ordered_json::array();
  for (int m = 0; m < options.max_merges; ++m) {
    // Recounting every round is quadratic in merges but the corpora here are small.
    std::map<std::pair<std::string, std::string>, int64_t> pairs;
    for (const auto& [w, n] : words)
      for (size_t i = 0; i + 1 < w.size(); ++i) pairs[{w[i], w[i + 1]}] += n;
    auto best = pairs.end();
    for (auto it = pairs.begin(); it != pairs.end(); ++it)
      if (best == pairs.end() || it->second > best->second) best = it;
    if (best == pairs.end() || best->second < options.min_pair_count) break;
    const auto [a, b] = best->first;
    merges.push_back(a + " " + b);
    vocab[a + b] = next_id++;
    std::map<Word, int64_t> merged;
    for (const auto& [w, n] : words) {
      Word out;
      for (size_t i = 0; i < w.size(); ++i) {
        if (i + 1 < w.size() && w[i] == a && w[i + 1] == b) out.push_back(a + b), ++i;
        else out.push_back(w[i]);
      }
      merged[out] += n;
    }
    words = std::move(merged);
  }

  nlohmann::ordered_json added = nlohmann::ordered_json::array();
  for (const auto& s : options.special_tokens) {
    added.push_back({{"id", next_id}, {"content", s}, {"single_word", false}, {"lstrip", false}, {"rstrip", false},
                     {"normalized", false}, {"special", true}});
    vocab[s] = next_id++;
  }
  nlohmann::ordered_json tok;
  tok["version"] = "1.0";
  tok["truncation"] = nullptr;
  tok["padding"] = nullptr;
  tok["added_tokens"] = added;
  tok["normalizer"] = nullptr;
  tok["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  tok["post_processor"] = nullptr;
  tok["decoder"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
  tok["model"] = {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", nullptr},
                  {"end_of_word_suffix", nullptr}, {"fuse_unk", false}, {"byte_fallback", false},
                  {"vocab", vocab}, {"merges", merges}};
  return tok;
}

}  // namespace attnscope::train
