// attnscope patch <checkpoint> --clean ... --corrupted ...: activation
// patching (core/ablation/activation_patching.h). Without --head, every head
// of every mixer is patched alone (a table of the heads that recover most,
// all of them as a CSV); with --head, that head alone, and with --positions
// along the prompt one position at a time.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/output_args.h"
#include "app/cli/patch_figure.h"
#include "app/cli/prompt_args.h"
#include "core/ablation/ablation_spec.h"
#include "core/ablation/activation_patching.h"
#include "core/models/forward.h"
#include "core/runtime/device.h"
#include "core/runtime/loaded_model.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"

namespace attnscope::cli {
namespace {

PatchDirection parse_direction(const std::string& text) {
  if (text == "denoise") return PatchDirection::CleanIntoCorrupted;
  if (text == "noise") return PatchDirection::CorruptedIntoClean;
  throw Error("--direction " + text + ": use denoise (clean into corrupted) or noise (corrupted into clean)");
}

// The one head --head names, as (layer, mixer, head).
HeadPatch head_from_arg(const ModelInfo& info, const std::string& text) {
  const auto heads = parse_ablation_list(text, AblationMode::Zero);
  if (heads.size() != 1) throw Error("--head " + text + ": name one head, as 3.5 or 3.attn.5");
  return {heads.front().layer, ablated_mixer(info, heads.front(), 1), heads.front().head, {}};
}

// Tokens may hold commas and quotes: quoted as CSV does.
std::string csv_field(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string positions_csv(const std::vector<PositionPatchRow>& rows, const Prompt& prompt) {
  std::string text = "position,token,logit_diff,recovered\n";
  char numbers[96];
  for (const auto& r : rows) {
    std::snprintf(numbers, sizeof numbers, ",%.9g,%.9g\n", r.logit_diff, r.recovered);
    text += std::to_string(r.position) + "," + csv_field(prompt.labels.at(r.position)) + numbers;
  }
  return text;
}

}  // namespace

int cmd_patch(const Argv& argv) {
  Args args(argv,
            {"clean", "clean-file", "clean-ids", "corrupted", "corrupted-file", "corrupted-ids", "target", "target-id",
             "foil", "foil-id", "direction", "head", "csv", "figure", "top", "device", "dtype"},
            {"positions", "no-special-tokens", "quiet"});
  const std::string checkpoint = args.positional_at(0, "checkpoint folder");
  const PatchDirection direction = parse_direction(args.value_or("direction", "denoise"));
  const int top = args.int_or("top", 10);
  if (top < 0) throw Error("--top must be 0 or more");
  if (args.flag("positions") && !args.has("head")) throw Error("--positions patches one head along the prompt: name it with --head");
  const auto csv = output_arg(args, "csv");
  const auto figure = svg_figure_arg(args, "patching");
  if ((csv || figure) && args.has("head") && !args.flag("positions"))
    throw Error("--csv and --figure with --head need --positions (one head's result is a single line)");
  const LoadOptions load = load_options_from_args(args);
  const auto loaded = load_for_running(checkpoint, load);
  const ModelInfo& info = loaded->model->info();
  const Prompt clean = prompt_from_args(args, *loaded, "clean");
  const Prompt corrupted = prompt_from_args(args, *loaded, "corrupted");
  const int64_t target = token_from_args(args, *loaded, "target"), foil = token_from_args(args, *loaded, "foil");
  std::optional<HeadPatch> head;
  if (auto text = args.value("head")) head = head_from_arg(info, *text);
  const bool quiet = args.flag("quiet");
  std::fprintf(stderr, "patch: device %s\n", compute_description(load.device).c_str());

  const ActivationPatcher patcher(*loaded->model, clean.ids_tensor(), corrupted.ids_tensor(), target, foil, direction);
  const PatchBaseline& b = patcher.baseline();
  std::string differing;
  for (int64_t p : b.differing_positions)
    differing += (differing.empty() ? "" : ", ") + std::to_string(p) + " (" + clean.labels.at(p) + " -> " +
                 corrupted.labels.at(p) + ")";
  std::printf("%zu tokens; the prompts differ at %s\n", clean.ids.size(), differing.empty() ? "no position" : differing.c_str());
  std::printf("logit difference %s - %s: clean %.6f, corrupted %.6f; patching %s\n",
              token_label(*loaded, b.target).c_str(), token_label(*loaded, b.foil).c_str(), b.clean_logit_diff,
              b.corrupted_logit_diff,
              direction == PatchDirection::CleanIntoCorrupted ? "clean into corrupted" : "corrupted into clean");
  patcher.recovered(b.source_logit_diff);  // refuses prompts with nothing to recover before any sweep

  PatchRunOptions run;
  const char* what = head ? "positions" : "heads";
  run.on_progress = [&](int done, int total) {
    if (!quiet && (done % 16 == 0 || done == total)) std::fprintf(stderr, "\rpatch: %d / %d %s", done, total, what);
    if (!quiet && done == total) std::fprintf(stderr, "\n");
  };
  PatchFigure fig;
  fig.title = "activation patching of " + std::filesystem::path(checkpoint).filename().string() + ", " +
              token_label(*loaded, b.target) + " vs " + token_label(*loaded, b.foil);
  char subtitle[200];
  std::snprintf(subtitle, sizeof subtitle, "logit difference clean %.3f, corrupted %.3f; %s", b.clean_logit_diff,
                b.corrupted_logit_diff,
                direction == PatchDirection::CleanIntoCorrupted ? "clean head outputs patched into the corrupted run"
                                                                : "corrupted head outputs patched into the clean run");
  fig.subtitle = subtitle;
  std::string table;
  if (head) {
    const std::string name = head_name(info, head->layer, head->mixer, head->head);
    const double ld = patcher.logit_diff(patcher.patched_logits({*head}));
    std::printf("head %s patched: logit difference %.6f, recovered %.1f%%\n", name.c_str(), ld, 100 * patcher.recovered(ld));
    if (args.flag("positions")) {
      fig.positions = patcher.sweep_positions(head->layer, head->mixer, head->head, run);
      fig.position_caption = "head " + name;
      fig.tokens = clean.labels;
      auto ranked = fig.positions;
      std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.recovered > y.recovered; });
      if (top > 0) std::printf("%8s %-16s %14s %10s\n", "position", "token", "logit diff", "recovered");
      for (int i = 0; i < top && i < static_cast<int>(ranked.size()); ++i)
        std::printf("%8lld %-16s %14.6f %9.1f%%\n", static_cast<long long>(ranked[i].position),
                    clean.labels.at(ranked[i].position).c_str(), ranked[i].logit_diff, 100 * ranked[i].recovered);
      table = positions_csv(fig.positions, clean);
    }
  } else {
    fig.heads = patcher.sweep_heads(run);
    for (const auto& row : mixer_rows(info)) fig.row_labels.push_back(row.label);
    auto ranked = fig.heads;
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.recovered > y.recovered; });
    if (top > 0) std::printf("%8s %5s %14s %10s\n", "layer", "head", "logit diff", "recovered");
    for (int i = 0; i < top && i < static_cast<int>(ranked.size()); ++i)
      std::printf("%8s %5d %14.6f %9.1f%%\n", ranked[i].label.c_str(), ranked[i].head, ranked[i].logit_diff,
                  100 * ranked[i].recovered);
    table = patch_heads_csv(fig.heads);
  }
  if (csv) {
    files::write_file_atomically(*csv, table);
    std::printf("wrote %s\n", csv->c_str());
  }
  if (figure) {
    write_patch_figure(fig, *figure);
    std::printf("wrote %s\n", figure->c_str());
  }
  return 0;
}

}  // namespace attnscope::cli
