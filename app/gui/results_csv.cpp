// LibTorch headers (through the core's) come before Qt's: Qt's `slots` macro breaks them otherwise.
#include "core/ablation/activation_patching.h"
#include "core/ablation/head_sweep.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"
// Qt after torch.
#include "app/gui/results_csv.h"

#include <cmath>

namespace attnscope::gui {
namespace {

QString write_text(const QString& path, const std::string& text) {
  try {
    files::write_file_atomically(path.toStdString(), text);
    return {};
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
}

}  // namespace

QString write_sweep_csv(const QString& path, const SweepOutcome& sweep, const QStringList& row_labels) {
  SweepResult result;
  for (int r = 0; r < sweep.delta_logprob.size() && r < row_labels.size(); ++r)
    for (int h = 0; h < sweep.delta_logprob[r].size(); ++h) {
      if (std::isnan(sweep.delta_logprob[r][h])) continue;  // past the row's heads
      SweepRow row;
      row.row = r;
      row.label = row_labels[r].toStdString();
      row.head = h;
      row.delta_logprob = sweep.delta_logprob[r][h];
      row.kl = sweep.kl.value(r).value(h, NAN);
      result.rows.push_back(row);
    }
  return write_text(path, sweep_csv(result));
}

QString write_patch_csv(const QString& path, const PatchOutcome& patch, const QStringList& row_labels) {
  std::vector<PatchSweepRow> rows;
  const double span = patch.clean_logit_diff - patch.corrupted_logit_diff;
  for (int r = 0; r < patch.recovered.size() && r < row_labels.size(); ++r)
    for (int h = 0; h < patch.recovered[r].size(); ++h) {
      if (std::isnan(patch.recovered[r][h])) continue;
      PatchSweepRow row;
      row.row = r;
      row.label = row_labels[r].toStdString();
      row.head = h;
      row.recovered = patch.recovered[r][h];
      row.logit_diff = patch.corrupted_logit_diff + row.recovered * span;  // the definition of recovered, inverted
      rows.push_back(row);
    }
  return write_text(path, patch_heads_csv(rows));
}

}  // namespace attnscope::gui
