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
#include "core/session/exploration.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"
#include "widgets/figure_composer.h"
#include "widgets/paper_figure.h"

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
// One head's panel. Given a region (--queries / --keys), only its rows are
// read, keys up to the region's last query or key, not the whole map (a
// long session's head is computed from its factors: 256 MB at 8192 tokens
// made whole); the sharp marks see each of those rows whole (the cells after
// a query are zero), as they do in the whole map.
widgets::MapPanel head_panel(const session::SessionReader& s, int row, int head, const widgets::MapRegion& wanted,
                             bool marks) {
  const auto length = static_cast<int>(s.length());
  widgets::MapPanel panel;
  if (wanted.row_begin == 0 && wanted.row_end < 0 && wanted.col_begin == 0 && wanted.col_end < 0) {
    panel.values = s.read_head(row, head);
    if (marks) panel.marks = sharp_marks(panel.values, length);
    return panel;
  }
  widgets::MapRegion r;
  try {
    r = widgets::resolved_region(wanted, length);
  } catch (const std::invalid_argument& e) {
    throw Error(e.what());
  }
  const widgets::MapRegion held{r.row_begin, r.row_end, 0, std::max(r.row_end, r.col_end)};
  const int64_t rows = held.row_end - held.row_begin, cols = held.col_end;
  panel.values = s.read_tile(row, head, held.row_begin, 0, rows, cols);
  panel.held = held;
  if (marks) {
    std::vector<std::pair<int64_t, int64_t>> cells;
    for (int64_t i = held.row_begin; i < held.row_end; ++i)
      mixing::append_sharp_cells(panel.values.data() + (i - held.row_begin) * cols, i, cells);
    panel.marks = marks_of(cells);
  }
  return panel;
}

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

// "a:b" -> [a, b); "a:" to the end (-1).
std::pair<int, int> span_arg(const cli::Args& args, const std::string& name) {
  const std::string text = *args.value(name);
  const auto colon = text.find(':');
  const auto bad = [&] { return Error("--" + name + " " + text + ": give first:end, e.g. 0:64 (end excluded)"); };
  if (colon == std::string::npos) throw bad();
  try {
    size_t used = 0;
    const int first = std::stoi(text.substr(0, colon), &used);
    if (used != colon) throw bad();
    const std::string rest = text.substr(colon + 1);
    if (rest.empty()) return {first, -1};
    const int end = std::stoi(rest, &used);
    if (used != rest.size()) throw bad();
    return {first, end};
  } catch (const std::logic_error&) {
    throw bad();
  }
}

std::vector<int> chosen_heads(const cli::Args& args, int heads, const std::string& row_name) {
  const auto check = [&](int h) {
    if (h < 0 || h >= heads)
      throw Error("layer " + row_name + " has " + std::to_string(heads) + " heads; no head " + std::to_string(h));
    return h;
  };
  if (!args.has("heads")) return {check(args.int_or("head", 0))};
  if (args.has("head")) throw Error("give --head or --heads, not both");
  const std::string list = *args.value("heads");
  std::vector<int> out;
  if (list == "all") {
    for (int h = 0; h < heads; ++h) out.push_back(h);
    return out;
  }
  size_t begin = 0;
  while (begin <= list.size()) {
    const size_t end = std::min(list.find(',', begin), list.size());
    const std::string item = list.substr(begin, end - begin);
    if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos)
      throw Error("--heads " + list + ": give head numbers separated by commas, or all");
    const int h = check(std::stoi(item));
    if (std::find(out.begin(), out.end(), h) != out.end()) throw Error("--heads " + list + ": head " + item + " twice");
    out.push_back(h);
    begin = end + 1;
  }
  return out;
}

// --diff-ablation N, or `shown`: the ablation on show when the session was saved.
int chosen_ablation(const session::SessionReader& s, const cli::Args& args) {
  if (s.ablations().empty()) throw Error(s.path().string() + ": holds no ablations to compare with");
  const std::string value = args.value_or("diff-ablation", "shown");
  if (value == "shown") return session::shown_ablation(s);
  return args.int_in("diff-ablation", 0, 0, static_cast<int>(s.ablations().size()) - 1);
}

std::optional<widgets::ColourMapKind> colour_map_arg(const cli::Args& args) {
  const std::string name = args.value_or("colour-map", "auto");
  if (name == "auto") return std::nullopt;
  for (auto kind : widgets::ColourMap::all())
    if (widgets::ColourMap(kind).name().toStdString() == name) return kind;
  throw Error("--colour-map " + name + ": use auto, viridis, magma, greys or diverging");
}

}  // namespace

int export_command(int argc, char** argv, const std::vector<std::string>& argv_rest) {
  try {
    cli::Args args(argv_rest,
                   {"layer", "mixer", "head", "heads", "out", "dpi", "width-mm", "height-mm", "colour-map", "diff-ablation",
                    "queries", "keys", "font-pt", "clip-percentile", "title"},
                   {"log", "marks", "no-marks", "row-normalise", "hide-diagonal", "only-diff"});
    const std::string path = args.positional_at(0, "session file");
    auto out = args.value("out");
    if (!out) throw Error("missing --out fig.pdf|fig.svg|fig.png");
    files::check_output_target(*out);
    // Sizes a paper figure can have: 5 mm to 2 m, 10 to 2400 dpi; fonts a paper prints.
    const widgets::FigureSize size{args.double_in("width-mm", 85, 5, 2000), args.double_in("height-mm", 85, 5, 2000),
                                   args.int_in("dpi", 300, 10, 2400)};
    widgets::FigureStyle style;
    style.font_pt = args.double_in("font-pt", 7, 4, 14);
    style.marks = args.flag("marks");
    style.scale = args.flag("log") ? widgets::ScaleKind::Log : widgets::ScaleKind::Linear;
    style.colour_map = colour_map_arg(args);
    style.display.row_normalise = args.flag("row-normalise");
    style.display.hide_diagonal = args.flag("hide-diagonal");
    style.display.clip_percentile = args.double_in("clip-percentile", 100, 50, 100);
    widgets::MapRegion region;
    if (args.has("queries")) std::tie(region.row_begin, region.row_end) = span_arg(args, "queries");
    if (args.has("keys")) std::tie(region.col_begin, region.col_end) = span_arg(args, "keys");
    else if (args.has("queries")) region.col_begin = 0, region.col_end = region.row_end;  // every key those queries see

    const auto reader = session::open_session_checked(path);
    const session::SessionReader& s = *reader;
    require_drawable(s);
    const int row = chosen_row(s, args);
    const std::string row_name = s.model().row_label(row);
    const std::vector<int> heads = chosen_heads(args, s.mixer(row).heads, row_name);
    const auto length = static_cast<int>(s.length());
    const auto kind_of = [&](int h) { return QString::fromStdString(session::head_kind(s.mixer(row), h)); };

    QVector<widgets::MapPanel> panels;
    QString title;
    // --only-diff alone: the difference of the ablation on show when saved.
    if (args.has("diff-ablation") || args.flag("only-diff")) {
      if (heads.size() != 1) throw Error("--diff-ablation compares one head: give --head");
      const int a = chosen_ablation(s, args);
      const int h = heads.front();
      if (!session::ablated_row_readable(s, a, row))
        throw Error(path + ": ablation " + std::to_string(a) + " holds no maps of layer " + row_name);
      const std::vector<float> before = s.read_head(row, h);
      const std::vector<float> after = s.has_ablation_maps(a, row) ? s.read_ablation_head(a, row, h) : before;
      std::vector<float> diff(before.size());
      for (size_t k = 0; k < diff.size(); ++k) diff[k] = after[k] - before[k];
      const QString spec = QString::fromStdString(s.ablations().at(a).spec);
      title = QString("layer %1, head %2 (%3), ablated %4").arg(QString::fromStdString(row_name)).arg(h).arg(kind_of(h)).arg(spec);
      if (!args.flag("only-diff")) {
        panels.push_back({before, "intact", false, style.marks ? sharp_marks(before, length) : QVector<QPoint>{}, {}});
        panels.push_back({after, "ablated", false, style.marks ? sharp_marks(after, length) : QVector<QPoint>{}, {}});
      }
      panels.push_back({std::move(diff), "ablated \u2212 intact", true, {}, {}});
    } else {
      for (int h : heads) {
        panels.push_back(head_panel(s, row, h, region, style.marks));
        if (heads.size() > 1) panels.back().title = QString("head %1").arg(h);
      }
      title = heads.size() == 1
                  ? QString("layer %1, head %2 (%3)").arg(QString::fromStdString(row_name)).arg(heads.front()).arg(kind_of(heads.front()))
                  : QString("layer %1 (%2)").arg(QString::fromStdString(row_name)).arg(QString::fromStdString(s.mixer(row).kind));
    }
    if (args.has("title")) title = QString::fromStdString(*args.value("title"));
    widgets::PaperFigure figure;
    try {
      figure = widgets::compose_figure(panels, length, token_labels(s), region, style, title);
    } catch (const std::invalid_argument& e) {
      throw Error(e.what());
    }

    // Offscreen: the figure needs no display.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
      qputenv("QT_QPA_PLATFORM", "offscreen");
    qInstallMessageHandler(quiet_qt_messages);
    QApplication app(argc, argv);
    const QString error = write_figure(QString::fromStdString(*out), [&](const QString& temp) {
      const StderrSilenced quiet;
      return widgets::write_paper_figure(figure, temp, size);
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
