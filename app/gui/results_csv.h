#pragma once
// The window's sweep and patching results as the CLI writes them
// (attnscope sweep --csv, attnscope patch --csv): one row per head, the
// layer written as its grid row label ("3", or "3.attn").
#include <QString>
#include <QStringList>

#include "app/gui/run_types.h"

namespace attnscope::gui {

// Empty on success, else the error; the file is written atomically.
QString write_sweep_csv(const QString& path, const SweepOutcome& sweep, const QStringList& row_labels);
QString write_patch_csv(const QString& path, const PatchOutcome& patch, const QStringList& row_labels);

}  // namespace attnscope::gui
