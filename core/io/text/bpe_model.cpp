#include "core/io/text/bpe_model.h"

#include <cstdio>
#include <queue>
#include <tuple>

#include "core/io/text/utf8.h"
#include "core/util/error.h"

namespace attnscope::io {

BpeModel::BpeModel(std::vector<std::pair<std::string, int64_t>> vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options,
                   const std::string& origin)
    : origin_(origin), options_(std::move(options)) {
  if (vocab.empty()) throw Error(origin + ": the vocabulary is missing or empty");
  // Ids index the spelling table: checked against the vocabulary's size.
  const int64_t limit = 2 * static_cast<int64_t>(vocab.size()) + 65536;
  int64_t max_id = -1;
  for (const auto& [token, id] : vocab) {
    if (id < 0) throw Error(origin + ": token id " + std::to_string(id) + " is negative");
    if (id >= limit)
      throw Error(origin + ": token id " + std::to_string(id) + " is far beyond the vocabulary's " +
                  std::to_string(vocab.size()) + " tokens");
    max_id = std::max(max_id, id);
  }
  spelling_.reserve(static_cast<size_t>(limit));  // added tokens grow it up to the limit without moving a string
  spelling_.resize(static_cast<size_t>(max_id + 1));
  vocab_.reserve(vocab.size());
  for (auto& [token, id] : vocab) {
    std::string* home = &spelling_[id];
    if (!home->empty()) home = &extra_spellings_.emplace_back();
    *home = std::move(token);
    vocab_.insert(*home, static_cast<int32_t>(id));
  }
  merges_.reserve(merges.size());
  const std::string& prefix = options_.continuing_subword_prefix;
  uint64_t rank = 0;
  std::string joined;
  for (const auto& [a, b] : merges) {
    const int32_t left = vocab_.find(a), right = vocab_.find(b);
    if (left < 0 || right < 0)
      throw Error(origin + ": merge '" + a + " " + b + "' uses a token that is not in the vocabulary");
    // The right part loses its continuation prefix when joined.
    const bool strip = !prefix.empty() && b.compare(0, prefix.size(), prefix) == 0;
    joined.assign(a).append(b, strip ? prefix.size() : 0, std::string::npos);
    const int32_t merged = vocab_.find(joined);
    if (merged < 0)
      throw Error(origin + ": merge '" + a + " " + b + "' makes '" + joined + "', which is not in the vocabulary");
    const uint64_t key = static_cast<uint64_t>(left) << 32 | static_cast<uint32_t>(right);
    merges_.set(key, rank++ << 32 | static_cast<uint32_t>(merged));  // a repeated pair: the last rank, as HF
  }
  if (options_.unk_token) {
    const int32_t id = vocab_.find(*options_.unk_token);
    if (id < 0) throw Error(origin + ": the unknown token '" + *options_.unk_token + "' is not in the vocabulary");
    unk_id_ = id;
  }
  if (options_.byte_fallback) {
    byte_ids_.assign(256, -1);
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      byte_ids_[b] = vocab_.find(name);
    }
  }
}

void BpeModel::check_id(int64_t id) const {
  const int64_t limit = 2 * static_cast<int64_t>(vocab_.size()) + 65536;
  if (id < 0) throw Error(origin_ + ": token id " + std::to_string(id) + " is negative");
  if (id >= limit)
    throw Error(origin_ + ": token id " + std::to_string(id) + " is far beyond the vocabulary's " +
                std::to_string(vocab_.size()) + " tokens");
}

void BpeModel::add_token(const std::string& spelled, int64_t id) {
  check_id(id);  // below the reserved limit: resizing moves no string
  if (id >= static_cast<int64_t>(spelling_.size())) spelling_.resize(static_cast<size_t>(id + 1));
  if (spelling_[id].empty()) spelling_[id] = spelled;
}

const std::string& BpeModel::spelling(int64_t id) const {
  static const std::string none;
  return id >= 0 && id < static_cast<int64_t>(spelling_.size()) ? spelling_[id] : none;
}

std::optional<int64_t> BpeModel::id_of(std::string_view spelled) const {
  const int32_t id = vocab_.find(spelled);
  if (id < 0) return std::nullopt;
  return id;
}

std::vector<PieceToken> BpeModel::encode(std::string_view piece) const {
  const std::string key(piece);
  std::vector<std::pair<int32_t, uint32_t>> cached;
  bool hit = false;
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) cached = it->second, hit = true;
  }
  std::vector<PieceToken> tokens;
  if (hit) {
    uint32_t at = 0;
    for (const auto& [id, length] : cached) tokens.push_back({id, at, at + length}), at += length;
    return tokens;
  }
  if (options_.ignore_merges)
    if (const int32_t whole = vocab_.find(key); whole >= 0) tokens = {{whole, 0, static_cast<uint32_t>(piece.size())}};
  if (tokens.empty()) tokens = merge(piece);
  // Cached as lengths: a token's bytes follow the previous one's (none overlap).
  bool contiguous = true;
  uint32_t at = 0;
  for (const auto& t : tokens) contiguous = contiguous && t.begin == at, at = t.end;
  if (contiguous && at == piece.size()) {
    for (const auto& t : tokens) cached.emplace_back(static_cast<int32_t>(t.id), t.end - t.begin);
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() > 200000) cache_.clear();  // bounded memory on huge inputs
    cache_.emplace(key, std::move(cached));
  }
  return tokens;
}

std::vector<BpeModel::Symbol> BpeModel::initial_symbols(std::string_view piece) const {
  std::vector<Symbol> symbols;
  std::string name;
  for (size_t i = 0; i < piece.size();) {
    const size_t start = i;
    uint32_t cp = 0;
    next_utf8(piece, i, cp);  // invalid bytes are characters of one byte
    name.assign(start > 0 ? options_.continuing_subword_prefix : std::string());
    name.append(piece.substr(start, i - start));
    if (i == piece.size()) name += options_.end_of_word_suffix;
    const auto b = static_cast<uint32_t>(start), e = static_cast<uint32_t>(i);
    if (const int32_t id = vocab_.find(name); id >= 0) {
      symbols.push_back({id, b, e, 0, 0});
      continue;
    }
    bool fell_back = false;
    if (options_.byte_fallback) {
      fell_back = true;
      for (size_t k = start; k < i; ++k) fell_back = fell_back && byte_ids_[static_cast<uint8_t>(piece[k])] >= 0;
      if (fell_back)
        for (size_t k = start; k < i; ++k)
          symbols.push_back({byte_ids_[static_cast<uint8_t>(piece[k])], static_cast<uint32_t>(k),
                             static_cast<uint32_t>(k + 1), 0, 0});
    }
    if (fell_back || !unk_id_) continue;  // no unknown token: the character is dropped
    if (options_.fuse_unk && !symbols.empty() && symbols.back().id == *unk_id_ && symbols.back().end == b)
      symbols.back().end = e;
    else
      symbols.push_back({*unk_id_, b, e, 0, 0});
  }
  return symbols;
}

std::vector<PieceToken> BpeModel::merge(std::string_view piece) const {
  // Symbols in a linked list; a heap of candidate merges by rank, then
  // position, each checked against the current symbols when popped.
  std::vector<Symbol> sym = initial_symbols(piece);
  const int n = static_cast<int>(sym.size());
  for (int i = 0; i < n; ++i) sym[i].prev = i - 1, sym[i].next = i + 1 < n ? i + 1 : -1;
  using Candidate = std::tuple<uint32_t, int, int32_t>;  // rank, left position, merged id
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
  auto consider = [&](int left) {
    if (left < 0 || sym[left].next < 0) return;
    const uint64_t key = static_cast<uint64_t>(sym[left].id) << 32 | static_cast<uint32_t>(sym[sym[left].next].id);
    if (const uint64_t* m = merges_.find(key))
      heap.emplace(static_cast<uint32_t>(*m >> 32), left, static_cast<int32_t>(*m & 0xFFFFFFFF));
  };
  for (int i = 0; i + 1 < n; ++i) consider(i);
  std::vector<bool> gone(static_cast<size_t>(n), false);
  while (!heap.empty()) {
    const auto [rank, left, merged] = heap.top();
    heap.pop();
    if (gone[left] || sym[left].next < 0) continue;
    const int right = sym[left].next;
    const uint64_t key = static_cast<uint64_t>(sym[left].id) << 32 | static_cast<uint32_t>(sym[right].id);
    const uint64_t* m = merges_.find(key);
    if (!m || static_cast<int32_t>(*m & 0xFFFFFFFF) != merged) continue;  // stale
    sym[left].id = merged;
    sym[left].end = sym[right].end;
    sym[left].next = sym[right].next;
    if (sym[right].next >= 0) sym[sym[right].next].prev = left;
    gone[right] = true;
    consider(sym[left].prev);
    consider(left);
  }
  std::vector<PieceToken> tokens;
  for (int i = n > 0 ? 0 : -1; i >= 0; i = sym[i].next) tokens.push_back({sym[i].id, sym[i].begin, sym[i].end});
  return tokens;
}

}  // namespace attnscope::io
