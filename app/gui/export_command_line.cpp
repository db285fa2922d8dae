#include "app/gui/export_command_line.h"

#include <QFileInfo>
#include <QStringList>

namespace attnscope::gui {
namespace {
QString shell_quoted(const QString& word) {
  static const QString plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+";
  bool safe = !word.isEmpty();
  for (QChar c : word) safe = safe && plain.contains(c);
  if (safe) return word;
  return "'" + QString(word).replace("'", "'\\''") + "'";
}

QString number(double v) { return QString::number(v, 'g', 6); }
}  // namespace

QString export_command_line(const HeadFigure& f, const FigureChoice& choice, const QString& out) {
  QStringList words{"attnscope", "export",
                    f.session_path.isEmpty() ? QString("SESSION.h5") : shell_quoted(f.session_path), "--layer",
                    QString::number(f.layer)};
  if (!f.mixer.isEmpty()) words << "--mixer" << f.mixer;
  words << "--head" << QString::number(f.head);
  if (f.before_after) words << "--diff-ablation" << "shown";
  words << "--out" << shell_quoted(out.isEmpty() ? "figure.pdf" : out);
  words << "--width-mm" << number(choice.size.width_mm) << "--height-mm" << number(choice.size.height_mm);
  if (QFileInfo(out).suffix().toLower() == "png") words << "--dpi" << QString::number(choice.size.dpi);
  if (choice.font_pt != 7) words << "--font-pt" << number(choice.font_pt);
  if (choice.marks) words << "--marks";
  const widgets::MapRegion& r = f.region;
  const int row_end = r.row_end < 0 ? f.length : r.row_end, col_end = r.col_end < 0 ? f.length : r.col_end;
  if (choice.zoomed && (r.row_begin > 0 || row_end < f.length || r.col_begin > 0 || col_end < f.length))
    words << "--queries" << QString("%1:%2").arg(r.row_begin).arg(row_end) << "--keys"
          << QString("%1:%2").arg(r.col_begin).arg(col_end);
  if (f.colour_map) words << "--colour-map" << widgets::ColourMap(*f.colour_map).name();
  if (f.style.scale == widgets::ScaleKind::Log) words << "--log";
  if (f.style.display.row_normalise) words << "--row-normalise";
  if (f.style.display.clip_percentile < 100) words << "--clip-percentile" << number(f.style.display.clip_percentile);
  if (f.style.display.hide_diagonal) words << "--hide-diagonal";
  return words.join(' ');
}

}  // namespace attnscope::gui
