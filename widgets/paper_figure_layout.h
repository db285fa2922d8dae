#pragma once
// Where everything of a paper figure goes, in points, computed from the
// physical size and the font: the geometry write_paper_figure paints and the
// export tests check (no label overlaps another, nothing leaves the page).
#include <QFont>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <QVector>

#include "widgets/paper_figure.h"

namespace attnscope::widgets {

struct AxisLabel {
  QString text;
  QRectF box;          // the text's box as drawn (rotated labels: the rotated box)
  bool rotated = false;
  QPointF tick_from, tick_to;
};

struct ColourBarLayout {
  QString label;
  QRectF label_box;
  QRectF bar;
  QVector<QPair<double, QRectF>> ticks;  // value and its label's box
};

struct FigureLayout {
  QSizeF page;                // points
  QFont font;
  QStringList title_lines;
  QVector<QRectF> title_boxes;
  QVector<QRectF> maps;       // one per panel
  double cell = 0;            // points per token
  QVector<QString> panel_titles;
  QVector<QRectF> panel_title_boxes;
  QVector<AxisLabel> labels;  // token labels of every axis drawn
  int label_step = 1;         // every how many tokens a label is drawn
  QVector<ColourBarLayout> bars;  // one per scale
  QString error;              // set when the figure cannot fit
};

// Pure geometry: the font's metrics are taken at 72 dpi, so one unit is one point.
FigureLayout lay_out_figure(const PaperFigure& figure, QSizeF page_pt);
// The values a colour bar labels: about four round numbers (decades on a log scale).
QVector<double> colour_bar_ticks(const FigureScale& scale);
QString tick_text(double value);

}  // namespace attnscope::widgets
