#include "core/io/bpe_model.h"

#include <queue>

#include "core/io/byte_level.h"
#include "core/util/error.h"

namespace attnscope::io {

BpeModel::BpeModel(std::unordered_map<std::string, int64_t> vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges, bool ignore_merges,
                   const std::string& origin)
    : origin_(origin), vocab_(std::move(vocab)), ignore_merges_(ignore_merges) {
  for (const auto& [token, id] : vocab_) {
    check_id(id);
    max_id_ = std::max(max_id_, id);
  }
  spelling_.resize(static_cast<size_t>(max_id_ + 1));
  for (const auto& [token, id] : vocab_) spelling_[id] = token;
  int rank = 0;
  for (const auto& [a, b] : merges) {
    if (!vocab_.count(a) || !vocab_.count(b))
      throw Error(origin + ": merge '" + a + " " + b + "' uses a token that is not in the vocabulary");
    ranks_.emplace(a + " " + b, rank++);
  }
}

// Ids index the spelling table: a negative one would write outside it, and
// one far beyond the vocabulary's size (real vocabularies are dense, added
// tokens follow them) would make it exhaust memory.
void BpeModel::check_id(int64_t id) const {
  const int64_t limit = 2 * static_cast<int64_t>(vocab_.size()) + 65536;
  if (id < 0) throw Error(origin_ + ": token id " + std::to_string(id) + " is negative");
  if (id >= limit)
    throw Error(origin_ + ": token id " + std::to_string(id) + " is far beyond the vocabulary's " +
                std::to_string(vocab_.size()) + " tokens");
}

void BpeModel::add_token(const std::string& spelled, int64_t id) {
  check_id(id);
  vocab_[spelled] = id;
  if (id > max_id_) {
    max_id_ = id;
    spelling_.resize(static_cast<size_t>(id + 1));
  }
  spelling_[id] = spelled;
}

const std::string& BpeModel::spelling(int64_t id) const {
  static const std::string none;
  return id >= 0 && id < static_cast<int64_t>(spelling_.size()) ? spelling_[id] : none;
}

std::optional<int64_t> BpeModel::id_of(const std::string& spelled) const {
  auto it = vocab_.find(spelled);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

std::vector<int64_t> BpeModel::encode(const std::string& spelled) const {
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(spelled);
    if (it != cache_.end()) return it->second;
  }
  std::vector<int64_t> ids;
  if (auto whole = id_of(spelled); ignore_merges_ && whole) ids = {*whole};
  else ids = merge(spelled);
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (cache_.size() > 200000) cache_.clear();  // bounded memory on huge inputs
  cache_.emplace(spelled, ids);
  return ids;
}

std::vector<int64_t> BpeModel::merge(const std::string& spelled) const {
  // Symbols in a linked list; a heap of candidate pairs by rank (then
  // position), each entry checked against the current symbols when popped.
  std::vector<std::string> sym;
  for (size_t i = 0; i < spelled.size();) {
    const size_t start = i;
    uint32_t cp = 0;
    if (!next_utf8(spelled, i, cp)) i = start + 1;
    sym.push_back(spelled.substr(start, i - start));
  }
  const int n = static_cast<int>(sym.size());
  std::vector<int> prev(n), next(n);
  for (int i = 0; i < n; ++i) prev[i] = i - 1, next[i] = i + 1 < n ? i + 1 : -1;
  using Entry = std::tuple<int, int, std::string>;  // rank, left index, the pair's text
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  auto push = [&](int left) {
    if (left < 0 || next[left] < 0) return;
    std::string key = sym[left] + " " + sym[next[left]];
    auto it = ranks_.find(key);
    if (it != ranks_.end()) heap.emplace(it->second, left, std::move(key));
  };
  for (int i = 0; i + 1 < n; ++i) push(i);
  while (!heap.empty()) {
    auto [rank, left, key] = heap.top();
    heap.pop();
    const int right = next[left];
    if (sym[left].empty() || right < 0 || sym[left] + " " + sym[right] != key) continue;  // stale
    sym[left] += sym[right];
    sym[right].clear();
    next[left] = next[right];
    if (next[right] >= 0) prev[next[right]] = left;
    push(prev[left]);
    push(left);
  }
  std::vector<int64_t> ids;
  for (int i = 0; i >= 0 && i < n; i = next[i]) {
    auto it = vocab_.find(sym[i]);
    if (it != vocab_.end()) {
      ids.push_back(it->second);
      continue;
    }
    // No token for the symbol (a vocabulary without every byte): fall back per byte spelling.
    size_t k = 0;
    while (k < sym[i].size()) {
      const size_t start = k;
      uint32_t cp = 0;
      if (!next_utf8(sym[i], k, cp)) k = start + 1;
      auto one = vocab_.find(sym[i].substr(start, k - start));
      if (one == vocab_.end()) throw Error("no token for '" + sym[i] + "' in the vocabulary");
      ids.push_back(one->second);
    }
  }
  return ids;
}

}  // namespace attnscope::io
