#include "core/session/ablation_cache.h"

#include "core/session/session_reader.h"

namespace attnscope::session {

AblatedRunPtr AblationCache::add(const std::string& run, AblatedRun result) {
  const auto key = std::make_pair(result.record.spec, result.map_row);
  return runs_[run][key] = std::make_shared<const AblatedRun>(std::move(result));
}

AblatedRunPtr AblationCache::find(const std::string& run, const std::string& spec, int row, bool any_row) const {
  const auto r = runs_.find(run);
  if (r == runs_.end()) return nullptr;
  const auto exact = r->second.find({spec, row});
  if (exact != r->second.end()) return exact->second;
  if (any_row)
    for (const auto& [key, result] : r->second)
      if (key.first == spec) return result;
  return nullptr;
}

AblatedRunPtr AblationCache::load_saved(const SessionReader& session, const std::string& run) {
  AblatedRunPtr last;
  const auto& records = session.ablations();
  for (size_t n = 0; n < records.size(); ++n) {
    AblatedRun r;
    r.record = records[n];
    r.measured_target = r.record.outputs.target;
    r.logprob_after = r.record.outputs.target_logprob;
    r.logprob_before = r.record.outputs.target_logprob - r.record.target_logprob_delta;
    if (!r.record.map_rows.empty()) {
      r.map_row = r.record.map_rows.front();
      r.heads = session.mixer(r.map_row).heads;
      r.maps.reserve(static_cast<size_t>(r.heads) * session.length() * session.length());
      for (int h = 0; h < r.heads; ++h) {
        const auto map = session.read_ablation_head(static_cast<int>(n), r.map_row, h);
        r.maps.insert(r.maps.end(), map.begin(), map.end());
      }
    }
    last = add(run, std::move(r));
  }
  return last;
}

std::optional<std::string> AblationCache::token_text(const std::string& run, int64_t id) const {
  const auto r = runs_.find(run);
  if (r == runs_.end()) return std::nullopt;
  for (const auto& [key, result] : r->second)
    for (const auto& t : result->record.outputs.top)
      if (t.id == id) return t.token;
  return std::nullopt;
}

std::vector<const AblatedRun*> AblationCache::to_save(const std::string& run, const AblatedRunPtr& shown) const {
  std::vector<const AblatedRun*> out;
  const auto r = runs_.find(run);
  if (r != runs_.end())
    for (const auto& [key, result] : r->second)
      if (result != shown) out.push_back(result.get());
  if (shown) out.push_back(shown.get());  // last: reopening shows it
  return out;
}

}  // namespace attnscope::session
