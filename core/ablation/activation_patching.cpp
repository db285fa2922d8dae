#include "core/ablation/activation_patching.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/ablation/kept_heads_memory.h"
#include "core/models/forward.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

at::Tensor last_logits(const ForwardResult& r) { return r.logits[-1].to(at::kDouble); }

// The best token of `logits` other than `excluded`.
int64_t best_other(const at::Tensor& logits, int64_t excluded) {
  at::Tensor copy = logits.clone();
  copy[excluded] = -INFINITY;
  return copy.argmax().item<int64_t>();
}

}  // namespace

std::string patch_heads_csv(const std::vector<PatchSweepRow>& rows) {
  std::string text = "layer,head,logit_diff,recovered\n";
  char line[160];
  for (const auto& r : rows) {
    std::snprintf(line, sizeof line, "%s,%d,%.9g,%.9g\n", r.label.c_str(), r.head, r.logit_diff, r.recovered);
    text += line;
  }
  return text;
}

ActivationPatcher::ActivationPatcher(const Model& model, const at::Tensor& clean_ids, const at::Tensor& corrupted_ids,
                                     int64_t target, int64_t foil, PatchDirection direction,
                                     const std::atomic<bool>* cancel, int channel_group)
    : model_(model), direction_(direction), channel_group_(channel_group) {
  at::NoGradGuard no_grad;
  const at::Tensor clean = clean_ids.reshape({-1}).to(at::kLong), corrupted = corrupted_ids.reshape({-1}).to(at::kLong);
  if (clean.size(0) != corrupted.size(0))
    throw Error("the clean prompt is " + std::to_string(clean.size(0)) + " tokens and the corrupted one " +
                std::to_string(corrupted.size(0)) +
                ": patching needs prompts of equal token length (replace a token by one, not by several)");
  check_input_ids(model, clean);
  check_input_ids(model, corrupted);
  const int64_t vocab = model.info().vocab_size;
  for (int64_t id : {target, foil})
    if (id >= vocab) throw Error("token " + std::to_string(id) + " is outside the model's vocabulary");
  const at::Tensor differs = (clean != corrupted).nonzero().reshape({-1});
  for (int64_t i = 0; i < differs.size(0); ++i) baseline_.differing_positions.push_back(differs[i].item<int64_t>());

  if (model.device().is_cpu())
    require_memory_for_kept_heads(model.info(), clean.size(0),
                                  "activation patching over " + std::to_string(clean.size(0)) + " tokens");
  const bool denoising = direction == PatchDirection::CleanIntoCorrupted;
  const at::Tensor& source_ids = denoising ? clean : corrupted;
  receiving_ids_ = denoising ? corrupted : clean;

  // The source run records every mixer's per-head outputs.
  // Every run computes the final layer whole, as hooked runs do, so that a
  // patch from an identical run changes no bit.
  ForwardOptions source_options;
  source_options.whole_final_layer = true;
  source_options.cancel = cancel;
  source_options.channel_group = channel_group;
  source_options.on_layer_call = record_head_outputs(source_heads_);
  const at::Tensor source_logits = last_logits(run_forward(model, source_ids, source_options));
  ForwardOptions receiving_options;
  receiving_options.cancel = cancel;
  receiving_options.keep_residuals = true;
  receiving_options.whole_final_layer = true;
  receiving_options.channel_group = channel_group;
  ForwardResult receiving = run_forward(model, receiving_ids_, receiving_options);
  receiving_residuals_ = std::move(receiving.residuals);
  const at::Tensor receiving_logits = last_logits(receiving);

  const at::Tensor& clean_logits = denoising ? source_logits : receiving_logits;
  const at::Tensor& corrupted_logits = denoising ? receiving_logits : source_logits;
  baseline_.target = target >= 0 ? target : clean_logits.argmax().item<int64_t>();
  baseline_.foil = foil >= 0 ? foil : corrupted_logits.argmax().item<int64_t>();
  if (foil < 0 && baseline_.foil == baseline_.target) baseline_.foil = best_other(corrupted_logits, baseline_.target);
  if (baseline_.foil == baseline_.target)
    throw Error("the target and the foil are the same token: the logit difference would always be 0");
  baseline_.clean_logit_diff = logit_diff(clean_logits);
  baseline_.corrupted_logit_diff = logit_diff(corrupted_logits);
  baseline_.source_logit_diff = denoising ? baseline_.clean_logit_diff : baseline_.corrupted_logit_diff;
  baseline_.receiving_logit_diff = denoising ? baseline_.corrupted_logit_diff : baseline_.clean_logit_diff;
}

double ActivationPatcher::logit_diff(const at::Tensor& logits) const {
  return logits[baseline_.target].item<double>() - logits[baseline_.foil].item<double>();
}

double ActivationPatcher::recovered(double ld) const {
  const double span = baseline_.source_logit_diff - baseline_.receiving_logit_diff;
  if (std::abs(span) < 1e-9)
    throw Error("the clean and corrupted prompts give the same logit difference: there is nothing for a patch to recover "
                "(corrupt a token the answer depends on)");
  return (ld - baseline_.receiving_logit_diff) / span;
}

at::Tensor ActivationPatcher::patched_logits(const std::vector<HeadPatch>& patches, const PatchRunOptions& run) const {
  at::NoGradGuard no_grad;
  const ModelInfo& info = model_.info();
  const int64_t length = receiving_ids_.size(0);
  int first_layer = info.num_layers;
  for (const HeadPatch& p : patches) {
    if (p.layer < 0 || p.layer >= info.num_layers) throw Error("layer " + std::to_string(p.layer) + " does not exist");
    const auto& mixers = info.layers[p.layer].mixers;
    if (p.mixer < 0 || p.mixer >= static_cast<int>(mixers.size()))
      throw Error("layer " + std::to_string(p.layer) + " has no mixer " + std::to_string(p.mixer));
    const int heads = heads_in_view(mixers[p.mixer], channel_group_);
    if (p.head < 0 || p.head >= heads)
      throw Error(head_name(info, p.layer, p.mixer, p.head) + ": that mixer has " + std::to_string(heads) + " heads");
    for (int64_t position : p.positions)
      if (position < 0 || position >= length)
        throw Error("position " + std::to_string(position) + " is outside the " + std::to_string(length) +
                    "-token prompt");
    first_layer = std::min(first_layer, p.layer);
  }
  ForwardOptions options;
  options.whole_final_layer = true;
  options.cancel = run.cancel;
  options.channel_group = channel_group_;
  if (run.resume_from_residuals && first_layer > 0 && first_layer < info.num_layers) {
    options.start_layer = first_layer;
    options.start_hidden = receiving_residuals_.at(first_layer);
  }
  options.on_layer_call = [&](int layer, LayerCall& call) {
    for (size_t m = 0; m < call.mixers.size(); ++m) {
      std::vector<const HeadPatch*> here;
      for (const HeadPatch& p : patches)
        if (p.layer == layer && p.mixer == static_cast<int>(m)) here.push_back(&p);
      if (here.empty()) continue;
      const at::Tensor& source = source_heads_.at({layer, static_cast<int>(m)});
      call.mixers[m].on_head_outputs = [here, &source](at::Tensor& heads) {
        for (const HeadPatch* p : here) {
          if (p->positions.empty()) {
            heads.select(1, p->head).copy_(source.select(1, p->head));
            continue;
          }
          for (int64_t position : p->positions)
            heads.select(1, p->head).select(1, position).copy_(source.select(1, p->head).select(1, position));
        }
      };
    }
    if (run.watch_layer_call) run.watch_layer_call(layer, call);
  };
  return run_forward(model_, receiving_ids_, options).logits[-1].to(at::kDouble);
}

std::vector<PatchSweepRow> ActivationPatcher::sweep_heads(const PatchRunOptions& run) const {
  const auto rows = mixer_rows(model_.info());
  int total = 0;
  for (const auto& r : rows) total += heads_in_view(r.info, channel_group_);
  std::vector<PatchSweepRow> out;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (int h = 0; h < heads_in_view(rows[r].info, channel_group_); ++h) {
      if (run.cancel && run.cancel->load()) throw Cancelled();
      PatchSweepRow row;
      row.row = static_cast<int>(r);
      row.label = rows[r].label;
      row.layer = rows[r].layer;
      row.head = h;
      row.logit_diff = logit_diff(patched_logits({{rows[r].layer, rows[r].mixer, h, {}}}, run));
      row.recovered = recovered(row.logit_diff);
      out.push_back(std::move(row));
      if (run.on_progress) run.on_progress(static_cast<int>(out.size()), total);
    }
  }
  return out;
}

std::vector<PositionPatchRow> ActivationPatcher::sweep_positions(int layer, int mixer, int head,
                                                                 const PatchRunOptions& run) const {
  const int64_t length = receiving_ids_.size(0);
  std::vector<PositionPatchRow> out;
  for (int64_t position = 0; position < length; ++position) {
    if (run.cancel && run.cancel->load()) throw Cancelled();
    PositionPatchRow row;
    row.position = position;
    row.logit_diff = logit_diff(patched_logits({{layer, mixer, head, {position}}}, run));
    row.recovered = recovered(row.logit_diff);
    out.push_back(row);
    if (run.on_progress) run.on_progress(static_cast<int>(out.size()), static_cast<int>(length));
  }
  return out;
}

}  // namespace attnscope
