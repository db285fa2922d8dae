#include "core/session/exploration_save.h"

#include "core/session/session_reader.h"
#include "core/session/session_writer.h"
#include "core/session/token_probabilities.h"

namespace attnscope::session {

const float* AblatedRun::head_map(int head, int length) const {
  if (map_row < 0 || head < 0 || head >= heads || maps.empty()) return nullptr;
  return maps.data() + static_cast<size_t>(head) * length * length;
}

void save_exploration(const SessionReader& source, const std::filesystem::path& target, const ExplorationState& state,
                      const std::vector<const AblatedRun*>& ablations, const std::vector<MetricRecord>& metrics) {
  auto writer = SessionWriter::amend(source.path(), target);
  for (const auto& metric : metrics) writer.write_metric(metric);
  // The target chosen is the session's target from now on (when the session has the distribution).
  const OutputRecord& intact = source.outputs();
  const auto intact_logprob = log_probability(intact.final_logits, state.target);
  if (intact_logprob && state.target != intact.target) {
    OutputRecord outputs = intact;
    outputs.target = state.target;
    outputs.target_logprob = *intact_logprob;
    writer.write_outputs(outputs);
  }
  for (const AblatedRun* a : ablations) {
    AblationRecord record = a->record;
    // Against the target in force from the whole distributions, else as measured.
    const auto after = log_probability(record.outputs.final_logits, state.target);
    const bool known = after && intact_logprob;
    record.outputs.target = known ? state.target : a->measured_target;
    record.outputs.target_logprob = known ? *after : a->logprob_after;
    record.target_logprob_delta = known ? *after - *intact_logprob : a->logprob_after - a->logprob_before;
    const int n = writer.write_ablation(record);
    if (a->map_row >= 0 && !a->maps.empty())
      writer.write_ablation_maps(n, source.mixer(a->map_row), a->maps.data(), a->heads, source.length());
  }
  writer.commit();
}

}  // namespace attnscope::session
