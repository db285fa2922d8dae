#include "app/gui/export_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <QApplication>
#include <cstdio>

#include "app/cli/args.h"
#include "app/gui/figure_output.h"
#include "app/gui/head_summary.h"
#include "core/mixing/head_metrics.h"
#include "core/session/checked_open.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"
#include "widgets/figure_export.h"
#include "widgets/heatmap_view.h"

namespace attnscope::gui {
namespace {
// Qt's and libpng's chatter (XDG_RUNTIME_DIR, "libpng error") would bury the
// one line the command prints; every failure is reported by the command itself.
void quiet_qt_messages(QtMsgType type, const QMessageLogContext&, const QString& message) {
  if (type == QtFatalMsg) std::fprintf(stderr, "attnscope export: %s\n", qPrintable(message));
}

// libpng reports a failed write on stderr by itself; the command's own line says it better.
class StderrSilenced {
 public:
  StderrSilenced() : saved_(::dup(2)) {
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) ::dup2(null, 2), ::close(null);
  }
  ~StderrSilenced() {
    if (saved_ >= 0) ::dup2(saved_, 2), ::close(saved_);
  }

 private:
  int saved_;
};
// --layer L [--mixer attn|ssm]: the mixer's row; default the last one with maps.
int chosen_row(const session::SessionReader& s, const cli::Args& args) {
  const auto rows = s.rows_with_maps();
  if (rows.empty()) throw Error(s.path().string() + ": holds no maps");
  if (!args.has("layer") && !args.has("mixer")) return rows.back();
  const int layer = args.int_or("layer", s.mixer(rows.back()).layer);
  const std::string name = args.value_or("mixer", "");
  const int row = s.model().find_row(layer, name);
  if (row < 0) {
    if (name.empty() && s.model().mixers_in_layer(layer) > 1)
      throw Error("layer " + std::to_string(layer) + " has several mixers: choose one with --mixer attn or --mixer ssm");
    throw Error(s.path().string() + ": no layer " + std::to_string(layer) + (name.empty() ? "" : " mixer " + name) +
                " in this model");
  }
  if (!s.has_maps(row)) throw Error(s.path().string() + ": holds no maps for layer " + s.model().row_label(row));
  return row;
}

}  // namespace

int export_command(int argc, char** argv, const std::vector<std::string>& argv_rest) {
  try {
    cli::Args args(argv_rest, {"layer", "mixer", "head", "out", "dpi", "width-mm", "height-mm", "colour-map", "diff-ablation"},
                   {"log", "no-marks"});
    const std::string path = args.positional_at(0, "session file");
    auto out = args.value("out");
    if (!out) throw Error("missing --out fig.pdf|fig.svg|fig.png");
    files::check_output_target(*out);
    const auto reader = session::open_session_checked(path);
    const session::SessionReader& s = *reader;
    require_drawable(s);
    // Sizes a paper figure can have: 5 mm to 2 m, 10 to 2400 dpi.
    const widgets::FigureSize size{args.double_in("width-mm", 85, 5, 2000), args.double_in("height-mm", 85, 5, 2000),
                                   args.int_in("dpi", 300, 10, 2400)};
    const int row = chosen_row(s, args);
    const std::string row_name = s.model().row_label(row);
    const int head = args.int_or("head", 0);
    if (head < 0 || head >= s.mixer(row).heads)
      throw Error("layer " + row_name + " has " + std::to_string(s.mixer(row).heads) + " heads; no head " +
                  std::to_string(head));
    // Offscreen: the figure needs no display.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
      qputenv("QT_QPA_PLATFORM", "offscreen");
    qInstallMessageHandler(quiet_qt_messages);
    QApplication app(argc, argv);
    widgets::HeatmapView view;
    view.resize(800, 800);
    widgets::HeatmapData data;
    data.values = s.read_head(row, head);
    QString title = QString("layer %1, head %2 (%3)")
                        .arg(QString::fromStdString(row_name))
                        .arg(head)
                        .arg(QString::fromStdString(session::head_kind(s.mixer(row), head)));
    if (args.has("diff-ablation")) {
      if (s.ablations().empty()) throw Error(path + ": holds no ablations to compare with");
      const int a = args.int_in("diff-ablation", 0, 0, static_cast<int>(s.ablations().size()) - 1);
      if (!s.has_ablation_maps(a, row))
        throw Error(path + ": ablation " + std::to_string(a) + " holds no maps of layer " + row_name);
      const auto after = s.read_ablation_head(a, row, head);
      for (size_t k = 0; k < after.size(); ++k) data.values[k] = after[k] - data.values[k];
      view.set_colour_map(widgets::ColourMapKind::Diverging);
      title += QString(": ablated %1 − intact").arg(QString::fromStdString(s.ablations().at(a).spec));
    } else {
      view.set_colour_map(widgets::ColourMap::from_name(QString::fromStdString(args.value_or("colour-map", "viridis"))));
    }
    data.rows = data.cols = static_cast<int>(s.length());
    data.row_labels = data.col_labels = token_labels(s);
    data.title = title;
    if (args.flag("log")) view.set_scale(widgets::ScaleKind::Log);
    const std::vector<float> values = data.values;
    view.set_data(std::move(data));
    if (!args.flag("no-marks") && !args.has("diff-ablation")) {
      QVector<QPoint> marks;
      for (const auto& [i, j] : mixing::sharp_cells({values.data(), s.length()})) marks.append(QPoint(int(j), int(i)));
      view.set_marks(marks);
    }
    const QString error = write_figure(QString::fromStdString(*out), [&](const QString& temp) {
      const StderrSilenced quiet;
      return widgets::export_plot(view.plot(), temp, size);
    });
    if (!error.isEmpty()) throw Error(error.toStdString());
    std::printf("wrote %s\n", out->c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attnscope export: %s\n", e.what());
    return 1;
  }
}

}  // namespace attnscope::gui
