#pragma once
// Learns byte-level BPE merges from a corpus (GPT-2 pre-tokenisation, the
// most frequent adjacent pair merged first, ties broken by spelling so the
// result is deterministic) and describes the tokenizer as a Hugging Face
// tokenizer.json, which AttnScope's reader and Hugging Face's both load.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace attnscope::train {

struct BpeTrainingOptions {
  int max_merges = 1000;
  int min_pair_count = 2;                  // stop when no pair is this frequent
  std::vector<std::string> special_tokens;  // added after the merges, e.g. "<|endoftext|>"
};

nlohmann::ordered_json train_byte_level_bpe(const std::vector<std::string>& corpus, const BpeTrainingOptions& options);

}  // namespace attnscope::train
