#pragma once
// A run recorded as a session: the forward pass streams each layer's maps
// into the HDF5 writer as it produces them (memory bounded by one layer),
// then the outputs go in. Shared by `attnscope run --out` and the window.
#include <atomic>
#include <functional>
#include <string>

#include "core/models/forward.h"
#include "core/runtime/loaded_model.h"
#include "core/session/session_writer.h"

namespace attnscope {

// Which full maps a session stores beside the factors they are computed
// from (core/session/map_factors.h): every one, those of prompts up to the
// budget, or none (every head is then recomputed when viewed). Mixers
// without factors (Mamba-1, relaxed attention) always store their maps.
enum class StoreMaps { All, Budget, None };
// Budget keeps full maps only while all of them take at most this much in
// float16 (GPT-2 small at 2048 tokens: 1.2 GB; mamba-130m's 1536 channels a
// layer at 512 tokens would take 19 GB, so its sessions keep factors).
inline constexpr double kMapBudgetBytes = 2.0 * (int64_t(1) << 30);
StoreMaps parse_store_maps(const std::string& name);  // all, budget, none; throws attnscope::Error

struct RecordOptions {
  StoreMaps store_maps = StoreMaps::Budget;
  int64_t map_budget_tokens = 2048;  // Budget: full maps up to this prompt length, and kMapBudgetBytes
  int top_k = 10;
  int64_t target = -1;  // -1: the run's top-1
  MixingView view = MixingView::Direct;
  int channel_group = 1;  // Mamba-1: average groups of this many channels
  bool metrics = true;    // per-head figures under /metrics (mixing/metric_table.h)
  std::function<void(int layers_done, int layers_total)> on_progress;
  const std::atomic<bool>* cancel = nullptr;
};

// The model without its mixer table, and with it (maps as `view` and `channel_group` record them).
session::ModelRecord model_record(const LoadedModel& loaded, const std::string& source);
session::ModelRecord model_record(const LoadedModel& loaded, const std::string& source, MixingView view, int channel_group);
session::PromptRecord prompt_record(const Prompt& prompt);
session::MixerRecord mixer_record(const MixerRow& row, MixingView view, int channel_group);
session::OutputRecord output_record(const LoadedModel& loaded, const at::Tensor& last_logits, int top_k,
                                    int64_t target);

// Cells a session's summaries visit in the maps of Mamba-1 channels left
// one a head (`channel_group` 1): L (L + 1) / 2 for each channel of each
// layer, 1.2 trillion for mamba-130m at 8192 tokens. 0 for other groups.
double one_channel_summary_cells(const ModelInfo& info, int64_t L, int channel_group);

// Runs the intact model with capture of every layer into `writer` (model,
// prompt, maps, outputs). Returns the forward result (logits of all positions).
ForwardResult record_run(const LoadedModel& loaded, const Prompt& prompt, const std::string& source,
                         session::SessionWriter& writer, const RecordOptions& options);

// Runs with `ablations` and appends /ablations/<n> (outputs, the change in
// the intact run's target log-probability, and the maps of the first ablated
// layer and every later one: earlier layers cannot change). Returns n.
int record_ablation(const LoadedModel& loaded, const Prompt& prompt, const std::vector<HeadAblation>& ablations,
                    const session::OutputRecord& intact, session::SessionWriter& writer,
                    const RecordOptions& options, ForwardResult* result = nullptr);

}  // namespace attnscope
