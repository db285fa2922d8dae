#include "core/ablation/head_sweep.h"

#include <algorithm>
#include <cstdio>

#include "core/ablation/kept_heads_memory.h"
#include "core/ablation/recorded_heads.h"
#include "core/models/blocks/mixer.h"
#include "core/models/forward.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

// Heads ablated in one batched run: a few rows make the matrix products
// more efficient; many make the [rows, heads, L, L] scores spill the caches
// (measured on GPT-2-small's shape at L = 512: 4 per run 6% faster than 1, 12 slower).
constexpr int kHeadsPerRun = 4;

// log-probabilities of the final position, float64 for the differences.
at::Tensor last_log_probs(const at::Tensor& logits) { return at::log_softmax(logits[-1].to(at::kDouble), -1); }

}  // namespace

SweepResult run_head_sweep(const Model& model, const at::Tensor& ids, int64_t target, const SweepOptions& o) {
  at::NoGradGuard no_grad;
  const ModelInfo& info = model.info();
  ForwardOptions intact_options;
  intact_options.keep_residuals = o.resume_from_residuals;
  intact_options.cancel = o.cancel;
  intact_options.channel_group = o.channel_group;
  // Zero and mean ablation act on the per-head outputs, which a run resumed
  // at the head's layer computes exactly as the intact run did: keep them and
  // skip the ablated layer's mixers (uniform ablation changes the map itself).
  const bool reuse_heads = o.resume_from_residuals && o.mode != AblationMode::Uniform;
  if (reuse_heads && model.device().is_cpu())
    require_memory_for_kept_heads(info, ids.size(-1), "a sweep over " + std::to_string(ids.size(-1)) + " tokens");
  RecordedHeads intact_heads;
  if (reuse_heads) intact_options.on_layer_call = record_head_outputs(intact_heads);
  const ForwardResult intact = run_forward(model, ids, intact_options);
  at::Tensor intact_logits = intact.logits;
  if (reuse_heads && info.num_layers > 1) {
    // The hooks made that run compute its final layer whole; the ablated runs
    // compute its last position only. Take the intact logits the same way, so
    // a head without effect reads 0, not float rounding.
    ForwardOptions last;
    last.channel_group = o.channel_group;
    last.start_layer = info.num_layers - 1;
    last.start_hidden = intact.residuals.back();
    intact_logits = run_forward(model, ids, last).logits;
  }
  const at::Tensor intact_lp = last_log_probs(intact_logits);
  const int64_t vocab = intact_lp.size(0);
  if (target >= vocab) throw Error("the target token " + std::to_string(target) + " is outside the vocabulary");
  SweepResult result;
  result.target = target < 0 ? intact_lp.argmax().item<int64_t>() : target;
  result.intact_logprob = intact_lp[result.target].item<double>();
  const at::Tensor intact_p = intact_lp.exp();

  const auto rows = mixer_rows(info);
  int total = 0;
  for (const auto& r : rows) total += heads_in_view(r.info, o.channel_group);
  auto add_row = [&](int r, int head, const at::Tensor& lp) {
    SweepRow out;
    out.row = r;
    out.label = rows[r].label;
    out.layer = rows[r].layer;
    out.head = head;
    out.delta_logprob = lp[result.target].item<double>() - result.intact_logprob;
    out.kl = (intact_p * (intact_lp - lp)).sum().item<double>();
    result.rows.push_back(std::move(out));
    if (o.on_progress) o.on_progress(static_cast<int>(result.rows.size()), total);
  };
  // Several heads of one mixer per run, one per batch row: the heads come in
  // ablated (given_heads), so rows differ from the ablated layer on. Where a
  // batch does not fit (memory), the rest run one head at a time.
  int per_run = reuse_heads ? kHeadsPerRun : 1;
  for (size_t r = 0; r < rows.size(); ++r) {
    const MixerRow& row = rows[r];
    const int heads = heads_in_view(row.info, o.channel_group);
    for (int first = 0; first < heads;) {
      if (o.cancel && o.cancel->load()) throw Cancelled();
      const int n = std::min(per_run, heads - first);
      ForwardOptions f;
      f.cancel = o.cancel;
      f.channel_group = o.channel_group;
      if (reuse_heads) {
        f.start_layer = row.layer;
        f.start_hidden = intact.residuals.at(row.layer).expand({n, -1, -1});
        f.on_layer_call = [&, n, first](int layer, LayerCall& call) {
          if (layer != row.layer) return;
          // The ablated mixer and those before it: in a layer whose later
          // mixer reads an earlier one's output (Zamba2's shared block feeds
          // its Mamba-2), the later ones must be recomputed.
          for (int m = 0; m <= row.mixer; ++m)
            call.mixers[m].given_heads = intact_heads.at({layer, m}).expand({n, -1, -1, -1}).clone();
          for (int b = 0; b < n; ++b)
            blocks::ablate_head_slice(call.mixers[row.mixer].given_heads.select(0, b).select(0, first + b), o.mode);
        };
      } else {
        f.ablations = {HeadAblation(row.layer, first, o.mode, row.info.name)};
        if (o.resume_from_residuals && row.layer > 0) {
          f.start_layer = row.layer;
          f.start_hidden = intact.residuals.at(row.layer);
        }
      }
      ForwardResult ablated;
      try {
        ablated = run_forward(model, ids, f);
      } catch (const Cancelled&) {
        throw;
      } catch (const std::exception&) {
        if (n == 1) throw;
        per_run = 1;  // out of memory for the batch (or refused by the memory check): one head per run
        continue;
      }
      for (int b = 0; b < n; ++b)
        add_row(static_cast<int>(r), first + b,
                last_log_probs(n > 1 ? ablated.batch_logits.select(0, b) : ablated.logits));
      first += n;
    }
  }
  return result;
}

std::string sweep_csv(const SweepResult& result) {
  std::string text = "layer,head,delta_logprob,kl\n";
  char line[160];
  for (const auto& r : result.rows) {
    std::snprintf(line, sizeof line, "%s,%d,%.9g,%.9g\n", r.label.c_str(), r.head, r.delta_logprob, r.kl);
    text += line;
  }
  return text;
}

}  // namespace attnscope
