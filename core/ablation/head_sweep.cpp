#include "core/ablation/head_sweep.h"

#include "core/models/forward.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

// log-probabilities of the final position, float64 for the differences.
at::Tensor last_log_probs(const at::Tensor& logits) { return at::log_softmax(logits[-1].to(at::kDouble), -1); }

}  // namespace

SweepResult run_head_sweep(const Model& model, const at::Tensor& ids, int64_t target, const SweepOptions& o) {
  at::NoGradGuard no_grad;
  ForwardOptions intact_options;
  intact_options.keep_residuals = o.resume_from_residuals;
  intact_options.cancel = o.cancel;
  const ForwardResult intact = run_forward(model, ids, intact_options);
  const at::Tensor intact_lp = last_log_probs(intact.logits);
  const int64_t vocab = intact_lp.size(0);
  if (target >= vocab) throw Error("the target token " + std::to_string(target) + " is outside the vocabulary");
  SweepResult result;
  result.target = target < 0 ? intact_lp.argmax().item<int64_t>() : target;
  result.intact_logprob = intact_lp[result.target].item<double>();
  const at::Tensor intact_p = intact_lp.exp();

  const auto rows = mixer_rows(model.info());
  int total = 0;
  for (const auto& r : rows) total += r.info.heads;
  int done = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    const MixerRow& row = rows[r];
    for (int h = 0; h < row.info.heads; ++h) {
      if (o.cancel && o.cancel->load()) throw Cancelled();
      ForwardOptions f;
      f.ablations = {HeadAblation(row.layer, h, o.mode, row.info.name)};
      f.cancel = o.cancel;
      if (o.resume_from_residuals && row.layer > 0) {
        f.start_layer = row.layer;
        f.start_hidden = intact.residuals.at(row.layer);
      }
      const at::Tensor lp = last_log_probs(run_forward(model, ids, f).logits);
      SweepRow out;
      out.row = static_cast<int>(r);
      out.label = row.label;
      out.layer = row.layer;
      out.head = h;
      out.delta_logprob = lp[result.target].item<double>() - result.intact_logprob;
      out.kl = (intact_p * (intact_lp - lp)).sum().item<double>();
      result.rows.push_back(std::move(out));
      if (o.on_progress) o.on_progress(++done, total);
    }
  }
  return result;
}

}  // namespace attnscope
