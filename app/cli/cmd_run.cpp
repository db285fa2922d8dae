// attnscope run <checkpoint> --prompt ... : top-k next tokens, optional head
// ablations with their effect on a target token, and --dump of logits and
// every layer's mixing matrix under the fixtures' names and shapes.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/output_args.h"
#include "app/cli/prompt_args.h"
#include "core/ablation/ablation_effect.h"
#include "core/ablation/ablation_spec.h"
#include "core/io/safetensors_writer.h"
#include "core/models/forward.h"
#include "core/runtime/device.h"
#include "core/runtime/loaded_model.h"
#include "core/runtime/session_run.h"
#include "core/util/atomic_output.h"
#include "core/util/input_file.h"

namespace attnscope::cli {
namespace {

void add_float_tensor(io::SafetensorsWriter& out, const std::string& name, const at::Tensor& t) {
  at::Tensor c = t.to(at::kCPU, at::kFloat).contiguous();
  out.add(name, io::DType::F32, c.sizes().vec(), c.data_ptr(), c.numel() * sizeof(float));
}

nlohmann::ordered_json top_json(const LoadedModel& loaded, const std::vector<TokenProb>& top) {
  auto j = nlohmann::ordered_json::array();
  for (const auto& t : top) j.push_back({{"id", t.id}, {"token", token_label(loaded, t.id)}, {"prob", t.prob}});
  return j;
}

void print_top(const LoadedModel& loaded, const char* title, const std::vector<TokenProb>& top) {
  std::printf("%s\n", title);
  for (size_t i = 0; i < top.size(); ++i)
    std::printf("  %2zu  %8lld  %-20s  %.6f\n", i + 1, static_cast<long long>(top[i].id),
                token_label(loaded, top[i].id).c_str(), top[i].prob);
}

MixingView parse_view(const std::string& name) {
  if (name == "direct") return MixingView::Direct;
  if (name == "effective") return MixingView::Effective;
  throw Error("unknown --view '" + name + "' (expected direct or effective)");
}

// A session summarises every head's map, every cell of it; Mamba-1's
// one-channel heads make that L (L + 1) / 2 cells for each channel of each
// layer: 1.2 trillion for mamba-130m at 8192 tokens, about an hour on two
// cores at the 0.4 billion a second its shape summarises (32 heads of 48
// channels took 209 s). Beyond 100 billion (mamba-130m past about 2,300
// tokens), `run` says so before it starts; the window groups channels itself.
constexpr double kLongChannelSessionCells = 1e11;

void note_one_channel_heads(const ModelInfo& info, int64_t L, int channel_group) {
  const double cells = one_channel_summary_cells(info, L, channel_group);
  if (cells < kLongChannelSessionCells) return;
  int channels = 0;
  for (const auto& layer : info.layers)
    for (const auto& mixer : layer.mixers)
      if (mixer.kind == MixerKind::Mamba1Channel) channels = std::max(channels, mixer.heads);
  const int group = overview_channel_group(info);
  std::string advice;
  if (group > 1)
    advice = "; --channel-group auto averages them into " + std::to_string(channels / group) + " heads a layer of " +
             std::to_string(group) + " channels, as the window does";
  std::fprintf(stderr,
               "run: the session summarises the map of each of %d Mamba-1 channels a layer at %lld tokens "
               "(%.0f billion cells), which can take a long time%s\n",
               channels, static_cast<long long>(L), cells / 1e9, advice.c_str());
}

}  // namespace

int cmd_run(const Argv& argv) {
  Args args(argv,
            {"prompt", "prompt-file", "input-ids", "device", "dtype", "top-k", "ablate", "ablate-mode",
             "target", "target-id", "dump", "out", "view", "channel-group", "store-maps", "map-budget"},
            {"json", "no-special-tokens"});
  const LoadOptions options = load_options_from_args(args);
  const auto loaded = load_for_running(args.positional_at(0, "checkpoint folder"), options);
  const Prompt prompt = prompt_from_args(args, *loaded);
  const int k = args.int_or("top-k", 10);
  if (k < 1) throw Error("--top-k must be at least 1");
  const auto ablations = parse_ablation_list(args.value_or("ablate", ""),
                                             parse_ablation_mode(args.value_or("ablate-mode", "zero")));
  const auto dump = args.value("dump");
  const auto out = args.value("out");
  // Outputs are checked before the model runs (the checkpoint is open: its files are refused).
  for (const auto& target : {dump, out})
    if (target) files::check_output_target(*target);
  const std::string source = args.positional_at(0, "checkpoint folder");
  const int64_t target = target_from_args(args, *loaded);
  const MixingView view = parse_view(args.value_or("view", "direct"));
  const std::string group_text = args.value_or("channel-group", "1");
  const int channel_group = group_text == "auto" ? overview_channel_group(loaded->model->info()) : args.int_or("channel-group", 1);
  if (channel_group < 1) throw Error("--channel-group must be at least 1 (or auto)");

  io::SafetensorsWriter writer;
  ForwardOptions intact;
  intact.view = view;
  intact.channel_group = channel_group;
  intact.logits_at_every_position = dump.has_value();  // a dump holds logits [1, L, vocab]
  if (dump) {
    intact.capture_layer = [](int) { return true; };
    intact.on_mixing = [&](int layer, int mixer, const at::Tensor& m) {
      add_float_tensor(writer, mixing_tensor_name(loaded->model->info(), layer, mixer), m);
    };
  }
  ForwardOptions with;
  with.ablations = ablations;
  with.channel_group = channel_group;
  with.logits_at_every_position = intact.logits_at_every_position;
  const at::Tensor ids = prompt.ids_tensor();
  ForwardResult base, ablated;
  if (out) {
    // Session: maps stream to HDF5 layer by layer.
    auto session = session::SessionWriter::create(*out);
    RecordOptions record;
    record.top_k = k;
    record.target = target;
    record.view = view;
    record.channel_group = channel_group;
    record.store_maps = parse_store_maps(args.value_or("store-maps", "budget"));
    record.map_budget_tokens = args.int_in("map-budget", 2048, 0, 1 << 24);
    note_one_channel_heads(loaded->model->info(), static_cast<int64_t>(prompt.ids.size()), channel_group);
    base = record_run(*loaded, prompt, source, session, record);
    if (!ablations.empty()) {
      const auto intact_out = output_record(*loaded, base.logits[-1], k, target);
      record_ablation(*loaded, prompt, ablations, intact_out, session, record, &ablated);
    }
    session.commit();
  }
  if (!out || dump) {
    // --dump, even beside --out, needs its own capture and every position's logits.
    base = run_forward(*loaded->model, ids, intact);
    if (!ablations.empty()) ablated = run_forward(*loaded->model, ids, with);
  }
  const at::Tensor base_last = base.logits[-1];
  const at::Tensor after_last = ablations.empty() ? base_last : ablated.logits[-1];
  const AblationEffect effect = ablation_effect(base_last, after_last, target, k);

  if (dump) {
    const at::Tensor ids_row = ids.unsqueeze(0).contiguous();
    writer.add("input_ids", io::DType::I64, ids_row.sizes().vec(), ids_row.data_ptr(), ids_row.numel() * 8);
    add_float_tensor(writer, "logits", base.logits.unsqueeze(0));
    if (!ablations.empty()) add_float_tensor(writer, "ablated.logits", ablated.logits.unsqueeze(0));
    writer.set_metadata("family", loaded->model->info().family);
    writer.set_metadata("ablated_heads", ablations.empty() ? "" : ablation_heads_json(ablations));
    writer.set_metadata("ablations", format_ablation_list(ablations));
    writer.write(*dump);
  }

  if (args.flag("json")) {
    nlohmann::ordered_json j = {{"family", loaded->model->info().family},
                                {"device", device_description(options.device)},
                                {"tokens", prompt.ids.size()},
                                {"top_k", top_json(*loaded, effect.top_before)}};
    if (!ablations.empty()) {
      j["ablations"] = format_ablation_list(ablations);
      j["target"] = {{"id", effect.target}, {"token", token_label(*loaded, effect.target)}};
      j["logprob_before"] = effect.logprob_before;
      j["logprob_after"] = effect.logprob_after;
      j["logprob_delta"] = effect.delta();
      j["top_k_ablated"] = top_json(*loaded, effect.top_after);
    }
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("%s model, %zu tokens, %s\n", loaded->model->info().family.c_str(), prompt.ids.size(),
              device_description(options.device).c_str());
  print_top(*loaded, "next token (intact):", effect.top_before);
  if (!ablations.empty()) {
    print_top(*loaded, ("next token with " + format_ablation_list(ablations) + " ablated:").c_str(), effect.top_after);
    std::printf("target %s: log p %.6f -> %.6f (change %+.6f)\n", token_label(*loaded, effect.target).c_str(),
                effect.logprob_before, effect.logprob_after, effect.delta());
  }
  if (dump) std::printf("wrote %s\n", dump->c_str());
  if (out) std::printf("wrote session %s\n", out->c_str());
  return 0;
}

}  // namespace attnscope::cli
