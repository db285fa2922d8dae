#pragma once
// The BPE model: vocabulary (spelled token -> id), merge ranks, and the
// merge loop itself, with a cache per pre-token (prompts repeat words).
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope::io {

class BpeModel {
 public:
  // Throws attnscope::Error (origin named) when a merge names an unknown token
  // or an id is negative or far beyond the vocabulary's size.
  BpeModel(std::unordered_map<std::string, int64_t> vocab,
           const std::vector<std::pair<std::string, std::string>>& merges, bool ignore_merges,
           const std::string& origin);

  // A spelled pre-token -> token ids.
  std::vector<int64_t> encode(const std::string& spelled) const;
  const std::string& spelling(int64_t id) const;  // empty for an unused id
  std::optional<int64_t> id_of(const std::string& spelled) const;
  int64_t max_id() const { return max_id_; }
  void add_token(const std::string& spelled, int64_t id);  // throws like the constructor

 private:
  std::vector<int64_t> merge(const std::string& spelled) const;
  void check_id(int64_t id) const;
  std::string origin_;
  std::unordered_map<std::string, int64_t> vocab_;
  std::vector<std::string> spelling_;
  std::unordered_map<std::string, int> ranks_;  // "a b" -> rank (spellings never contain ' ')
  bool ignore_merges_;
  int64_t max_id_ = -1;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int64_t>> cache_;
};

}  // namespace attnscope::io
