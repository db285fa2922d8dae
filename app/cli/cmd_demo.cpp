// attnscope demo (headless part): runs every bundled demo model on the demo
// prompt, prints what each predicts and which heads are sharpest, and writes
// a session per model into the current folder. With a display, the GUI build
// opens the window instead (app/main.cpp).
#include <cstdio>
#include <filesystem>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/mixing/head_metrics.h"
#include "core/models/forward.h"
#include "core/runtime/loaded_model.h"
#include "core/runtime/resources.h"
#include "core/runtime/session_run.h"
#include "core/session/session_reader.h"

namespace attnscope::cli {

int cmd_demo(const Argv& argv) {
  Args args(argv, {"out-dir"}, {"headless"});
  const auto models = demo_models();
  if (models.empty()) throw Error(resource_dir().string() + "/models: no bundled demo models found");
  const std::string text = demo_prompt();
  const std::filesystem::path out_dir = args.value_or("out-dir", ".");
  std::printf("AttnScope demo — prompt: %s\n", text.c_str());
  for (const auto& folder : models) {
    const auto loaded = load_for_running(folder, LoadOptions{});
    const Prompt prompt = prompt_from_text(*loaded, text);
    const auto out = out_dir / ("demo-" + folder.filename().string() + ".h5");
    auto writer = session::SessionWriter::create(out);
    record_run(*loaded, prompt, folder.string(), writer, RecordOptions{});
    writer.commit();
    const session::SessionReader s(out);
    std::printf("\n%s (%s): next token", folder.filename().c_str(), s.model().family.c_str());
    for (size_t i = 0; i < std::min<size_t>(3, s.outputs().top.size()); ++i)
      std::printf("  %s %.3f", s.outputs().top[i].token.c_str(), s.outputs().top[i].prob);
    double best = -1;
    int best_row = 0, best_head = 0;
    for (int r : s.rows_with_maps())
      for (int h = 0; h < s.mixer(r).heads; ++h) {
        const auto m = s.read_head(r, h);
        const double sharp = mixing::transition_sharpness({m.data(), s.length()});
        if (sharp > best) best = sharp, best_row = r, best_head = h;
      }
    std::printf("\n  sharpest head %s.%d (transition sharpness %.3f); session written to %s\n",
                s.model().row_label(best_row).c_str(), best_head, best, out.c_str());
  }
  std::printf("\nOpen a session in the window: attnscope gui <session.h5>\n");
  return 0;
}

}  // namespace attnscope::cli
