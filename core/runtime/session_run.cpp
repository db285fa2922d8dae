#include "core/runtime/session_run.h"

#include <algorithm>
#include <map>

#include "core/ablation/ablation_spec.h"
#include "core/mixing/metric_table.h"
#include "core/mixing/softmax_block_summary.h"
#include "core/runtime/map_factors_of.h"
#include "core/runtime/device.h"

namespace attnscope {

session::ModelRecord model_record(const LoadedModel& loaded, const std::string& source) {
  session::ModelRecord m;
  const ModelInfo& info = loaded.model->info();
  m.family = info.family;
  m.source = source;
  m.config_json = loaded.checkpoint.config().json().dump(2);
  m.dtype = run_dtype_name(loaded.options.dtype);
  m.device = loaded.options.device.str();
  return m;
}

session::PromptRecord prompt_record(const Prompt& prompt) {
  session::PromptRecord p;
  p.text = prompt.text;
  p.ids = prompt.ids;
  p.tokens = prompt.labels;
  for (const auto& [b, e] : prompt.byte_spans) p.byte_spans.push_back(static_cast<int64_t>(b)), p.byte_spans.push_back(static_cast<int64_t>(e));
  return p;
}

session::MixerRecord mixer_record(const MixerRow& row, MixingView view, int channel_group) {
  const MixerInfo& mixer = row.info;
  session::MixerRecord r{row.layer, mixer.name, mixer_kind_name(mixer.kind), mixer.heads, mixer.description, 1, "direct", {}};
  for (const auto& [head, kind] : mixer.head_kinds) r.head_kinds[head] = mixer_kind_name(kind);
  if (mixer.kind == MixerKind::Mamba1Channel && channel_group > 1) {
    r.heads = mixer.heads / channel_group;
    r.channels_per_head = channel_group;
    r.description += ", mean over contiguous groups of " + std::to_string(channel_group) + " channels";
  }
  // Only Mamba-1 has an effective view: Mamba-2's gate passes through a
  // grouped RMSNorm, which is not a per-head linear map (docs/ssm-maps.md).
  if (mixer.kind == MixerKind::Mamba1Channel && view == MixingView::Effective) r.view = "effective";
  if (r.view == "effective")
    r.description += ", effective kernel (causal conv and gate folded in)";
  return r;
}

double one_channel_summary_cells(const ModelInfo& info, int64_t L, int channel_group) {
  if (channel_group != 1) return 0;
  double cells = 0;
  for (const auto& layer : info.layers)
    for (const auto& mixer : layer.mixers)
      if (mixer.kind == MixerKind::Mamba1Channel)
        cells += static_cast<double>(mixer.heads) * static_cast<double>(L) * static_cast<double>(L + 1) / 2;
  return cells;
}

session::ModelRecord model_record(const LoadedModel& loaded, const std::string& source, MixingView view, int channel_group) {
  session::ModelRecord m = model_record(loaded, source);
  for (const auto& l : loaded.model->info().layers) m.layer_descriptions.push_back(l.description);
  for (const auto& row : mixer_rows(loaded.model->info())) m.mixers.push_back(mixer_record(row, view, channel_group));
  return m;
}

session::OutputRecord output_record(const LoadedModel& loaded, const at::Tensor& last_logits, int top_k,
                                    int64_t target) {
  session::OutputRecord out;
  for (const auto& t : attnscope::top_k(last_logits, top_k)) out.top.push_back({t.id, token_label(loaded, t.id), t.prob});
  out.target = target >= 0 ? target : out.top.front().id;
  out.target_logprob = token_logprob(last_logits, out.target);
  at::Tensor row = last_logits.to(at::kCPU, at::kFloat).contiguous();
  out.final_logits.assign(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
  return out;
}

StoreMaps parse_store_maps(const std::string& name) {
  if (name == "all") return StoreMaps::All;
  if (name == "budget") return StoreMaps::Budget;
  if (name == "none") return StoreMaps::None;
  throw Error("--store-maps " + name + ": use all, budget or none");
}

ForwardResult record_run(const LoadedModel& loaded, const Prompt& prompt, const std::string& source,
                         session::SessionWriter& writer, const RecordOptions& options) {
  const auto rows = mixer_rows(loaded.model->info());
  const auto model = model_record(loaded, source, options.view, options.channel_group);
  writer.write_model(model);
  writer.write_prompt(prompt_record(prompt));

  ForwardOptions forward;
  const int64_t length = static_cast<int64_t>(prompt.ids.size());
  double map_bytes = 0;  // every map in float16, as the file would hold them before compression
  for (const auto& m : model.mixers) map_bytes += 2.0 * m.heads * static_cast<double>(length) * static_cast<double>(length);
  const bool keep_maps = options.store_maps == StoreMaps::All ||
                         (options.store_maps == StoreMaps::Budget && length <= options.map_budget_tokens &&
                          map_bytes <= kMapBudgetBytes);
  if (keep_maps) forward.capture_layer = [](int) { return true; };
  forward.factor_layer = [](int) { return true; };
  forward.view = options.view;
  forward.channel_group = options.channel_group;
  forward.on_progress = options.on_progress;
  forward.cancel = options.cancel;
  int max_heads = 0;
  for (const auto& m : model.mixers) max_heads = std::max(max_heads, m.heads);
  mixing::HeadMetricTable metrics(static_cast<int>(model.mixers.size()), max_heads);
  // Each mixer's figures and overview, made from its maps or (without them) its factors.
  const auto summarise = [&](int row, const std::vector<mixing::MapSummary>& heads) {
    if (options.metrics) metrics.add_row(row, heads);
    const int n = heads.front().overview_size();
    std::vector<float> overview;
    for (const auto& h : heads) overview.insert(overview.end(), h.overview().begin(), h.overview().end());
    writer.write_overview(model.mixers[row], overview.data(), static_cast<int>(heads.size()), n);
  };
  // Without the maps, a long prompt's attention is summarised as its forward computes the maps' rows.
  std::map<int, mixing::SoftmaxBlockSummaries> from_blocks;
  forward.on_mixing = [&](int layer, int mixer, const at::Tensor& maps) {
    const int row = row_of(rows, layer, mixer);
    from_blocks.erase(row);  // a mixer that captured its maps (no factors) had no rows to show
    const at::Tensor f = maps.to(at::kCPU, at::kFloat).contiguous();
    const int heads = static_cast<int>(f.size(0));
    summarise(row, mixing::summarise_maps(f.data_ptr<float>(), heads, f.size(1), mixing::overview_size_for(heads)));
    // float16 conversion on all cores in ATen, then straight to the writer.
    at::Tensor half = maps.to(at::kHalf).contiguous();
    writer.write_maps_half(model.mixers[row], reinterpret_cast<const uint16_t*>(half.data_ptr()),
                           static_cast<int>(half.size(0)), half.size(1));
  };
  if (!keep_maps)
    forward.attention_rows = [&](int layer, int mixer) -> mixing::SoftmaxRowSink* {
      const int row = row_of(rows, layer, mixer);
      if (rows[row].info.kind != MixerKind::SoftmaxAttention) return nullptr;  // no softmax rows to see
      const int heads = model.mixers[row].heads;
      return &from_blocks.insert_or_assign(row, mixing::SoftmaxBlockSummaries(heads, length, mixing::overview_size_for(heads)))
                  .first->second;
    };
  session::MapFactors factors;  // each layer's in turn, in the same memory
  forward.on_factors = [&](int layer, int mixer, const MixingFactors& mixing_factors) {
    const int row = row_of(rows, layer, mixer);
    map_factors_into(mixing_factors, factors);
    if (keep_maps) return writer.write_factors(model.mixers[row], factors);
    // Otherwise figures and overview come from the forward's rows or, where
    // it showed none (the final layer's last query only, 1024 tokens or
    // fewer, not float32 on the CPU), from the factors a block of rows at a time.
    const auto blocks = from_blocks.find(row);
    const bool from_forward = blocks != from_blocks.end() && blocks->second.complete() && blocks->second.heads() == factors.heads;
    const mixing::FactorSummaries summaries =
        from_forward ? blocks->second.take()
                     : mixing::summarise_factors(factors, mixing::overview_size_for(factors.heads));
    if (blocks != from_blocks.end()) from_blocks.erase(blocks);
    summarise(row, summaries.heads);
    writer.write_factors(model.mixers[row], factors,
                         summaries.row_normalisers.empty() ? nullptr : &summaries.row_normalisers);
  };
  ForwardResult result = run_forward(*loaded.model, prompt.ids_tensor(), forward);
  writer.write_outputs(output_record(loaded, result.logits[-1], options.top_k, options.target));
  if (options.metrics)
    for (const auto& record : metrics.records()) writer.write_metric(record);
  return result;
}

int record_ablation(const LoadedModel& loaded, const Prompt& prompt, const std::vector<HeadAblation>& ablations,
                    const session::OutputRecord& intact, session::SessionWriter& writer,
                    const RecordOptions& options, ForwardResult* result) {
  ForwardOptions forward;
  forward.ablations = ablations;
  forward.view = options.view;
  forward.channel_group = options.channel_group;  // head indices count maps as recorded
  forward.on_progress = options.on_progress;
  forward.cancel = options.cancel;
  // The maps the ablation can change: its first layer's and every later one's
  // (earlier layers run before it and keep their intact maps exactly).
  int first = loaded.model->info().num_layers;
  for (const auto& a : ablations) first = std::min(first, a.layer);
  // Written layer by layer as float16, as record_run writes the intact maps.
  const auto rows = mixer_rows(loaded.model->info());
  const auto model = model_record(loaded, "", options.view, options.channel_group);
  const int n = writer.next_ablation_index();
  forward.capture_layer = [first](int layer) { return layer >= first; };
  forward.on_mixing = [&](int layer, int mixer, const at::Tensor& m) {
    const at::Tensor half = m.to(at::kHalf).contiguous().cpu();
    writer.write_ablation_maps_half(n, model.mixers[row_of(rows, layer, mixer)],
                                    reinterpret_cast<const uint16_t*>(half.data_ptr()), static_cast<int>(half.size(0)),
                                    half.size(1));
  };
  ForwardResult run = run_forward(*loaded.model, prompt.ids_tensor(), forward);
  session::AblationRecord record;
  record.spec = format_ablation_list(ablations);
  record.outputs = output_record(loaded, run.logits[-1], options.top_k, intact.target);
  record.target_logprob_delta = record.outputs.target_logprob - intact.target_logprob;
  writer.write_ablation(record, n);
  if (result) *result = std::move(run);
  return n;
}

}  // namespace attnscope
