// Paper figures as a paper prints them, checked the way a reviewer's PDF
// tools see them: pdftotext's word boxes never overlap and have the asked
// font size, the title is whole, pdfimages finds no JPEG and no
// interpolation, and pdftoppm's pixels at cell centres are the colour map's
// exact colours. Also the display options (signed maps, row normalisation,
// percentile clipping, hidden diagonal) and the heatmap view's zoom, pan,
// marks and linked panels.
#include <gtest/gtest.h>
#include <qcustomplot.h>

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "widgets/figure_composer.h"
#include "widgets/figure_export.h"
#include "widgets/head_grid.h"
#include "widgets/heatmap_view.h"
#include "widgets/linked_views.h"
#include "widgets/map_display.h"
#include "widgets/paper_figure.h"
#include "widgets/paper_figure_layout.h"

using namespace attnscope::widgets;

namespace {
constexpr double kPointsPerMm = 72.0 / 25.4;

// Words of different lengths, as a tokenizer's pieces are.
QStringList token_labels(int length) {
  const QStringList words = {"·The", "·quick", "·brown", "·fox", ",", "·jumps", "·over", "·the", "·lazy", "·dog", ".", "↵",
                             "·Question", ":", "·Which", "·option", "·is", "·candle", "?", "·A"};
  QStringList labels;
  for (int i = 0; i < length; ++i) labels << words[(i * 7) % words.size()];
  return labels;
}

// A causal attention-like map: each row a softmax over its keys with a few sharp peaks.
std::vector<float> attention_map(int length) {
  std::vector<float> map(static_cast<size_t>(length) * length, 0.f);
  for (int i = 0; i < length; ++i) {
    double sum = 0;
    for (int j = 0; j <= i; ++j) sum += map[i * length + j] = static_cast<float>(std::exp(((i * 31 + j * 17) % 23) / 5.0));
    for (int j = 0; j <= i; ++j) map[i * length + j] = static_cast<float>(map[i * length + j] / sum);
  }
  return map;
}

struct Word {
  QString text;
  QRectF box;
};

// Standard output; a failure fails the test (poppler-utils are a test dependency).
QString run(const QString& program, const QStringList& args, bool* ok = nullptr) {
  QProcess p;
  p.start(program, args);
  const bool done = p.waitForFinished(60000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
  if (ok) *ok = done;
  if (!done) ADD_FAILURE() << program.toStdString() << " failed: " << p.readAllStandardError().toStdString();
  return QString::fromUtf8(p.readAllStandardOutput());
}

QVector<Word> pdf_words(const QString& pdf) {
  QVector<Word> words;
  static const QRegularExpression word(
      R"re(<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>)re");
  auto it = word.globalMatch(run("pdftotext", {"-bbox", pdf, "-"}));
  while (it.hasNext()) {
    const auto m = it.next();
    words.push_back({m.captured(5), QRectF(QPointF(m.captured(1).toDouble(), m.captured(2).toDouble()),
                                           QPointF(m.captured(3).toDouble(), m.captured(4).toDouble()))});
  }
  return words;
}

// Boxes that share more than a hair (pdftotext's boxes of one line touch).
bool overlap(const QRectF& a, const QRectF& b) { return a.adjusted(0.3, 0.3, -0.3, -0.3).intersects(b.adjusted(0.3, 0.3, -0.3, -0.3)); }

PaperFigure one_head(int length, const QString& title, const FigureStyle& style = {}) {
  return compose_figure({MapPanel{attention_map(length), {}, false, {}, {}}}, length, token_labels(length), {}, style, title);
}
}  // namespace

TEST(MapDisplay, SignedMapsCentreOnZeroAndTheOptionsDoWhatTheySay) {
  const int L = 6;
  std::vector<float> m = attention_map(L);
  const MatrixView view{m.data(), L, L, true};
  EXPECT_FALSE(has_signed_weights(view));
  m[3 * L + 1] = -2e-4f;  // float16 rounding noise on a softmax stays sequential
  EXPECT_FALSE(has_signed_weights(view));
  m[3 * L + 1] = -0.3f;  // an SSM's negative transition
  ASSERT_TRUE(has_signed_weights(view));
  DisplayedMap shown = prepare_display(view, {});
  EXPECT_TRUE(shown.is_signed);
  EXPECT_EQ(shown.range.low, -shown.range.high);
  EXPECT_TRUE(std::isnan(shown.values[0 * L + 1])) << "the query's future is blank";

  DisplayOptions rows;
  rows.row_normalise = true;
  shown = prepare_display(view, rows);
  for (int i = 0; i < L; ++i) {
    float largest = 0;
    for (int j = 0; j <= i; ++j) largest = std::max(largest, std::abs(shown.values[i * L + j]));
    EXPECT_FLOAT_EQ(largest, 1.f) << "row " << i;
  }

  // A diagonal a hundred times the rest: hidden, it leaves the range; clipped, the range ends at the percentile.
  std::vector<float> d(static_cast<size_t>(L) * L, 0.f);
  for (int i = 0; i < L; ++i)
    for (int j = 0; j <= i; ++j) d[i * L + j] = i == j ? 100.f : 1.f + j;
  const MatrixView diagonal{d.data(), L, L, true};
  DisplayOptions hide;
  hide.hide_diagonal = true;
  shown = prepare_display(diagonal, hide);
  EXPECT_TRUE(std::isnan(shown.values[2 * L + 2]));
  EXPECT_FLOAT_EQ(shown.range.high, 5.f);  // the largest off-diagonal weight, 1 + j at j = 4
  DisplayOptions clip;
  clip.clip_percentile = 50;
  shown = prepare_display(diagonal, clip);
  EXPECT_LT(shown.range.high, 100.f);
  EXPECT_GE(shown.range.high, 1.f);

  // A log scale starts at the least positive weight, not at 1e-4 of the largest.
  std::vector<float> tiny = {1.f, 0.f, 1e-6f, 1.f};
  const ValueRange r = prepare_display({tiny.data(), 2, 2, true}, {}).range;
  EXPECT_FLOAT_EQ(r.smallest_positive, 1e-6f);
  EXPECT_NEAR(normalise(1e-6, r, ScaleKind::Log, false), 0, 1e-9);
  EXPECT_NEAR(normalise(1e-5, r, ScaleKind::Log, false), 1.0 / 6, 1e-6) << "one decade of six";
  EXPECT_EQ(colour_bar_ticks({ColourMap(), r, ScaleKind::Log, "weight"}).front(), 1e-6);

  // A region below the diagonal keeps its cells: causal blanking is by position.
  const MatrixView region{d.data(), 2, 3, true, 4, 0};
  EXPECT_EQ(region.visible_end(0), 3);
  const MatrixView straddling{d.data(), 3, 3, true, 1, 1};
  EXPECT_EQ(straddling.visible_end(0), 1);
  EXPECT_EQ(straddling.visible_end(2), 3);
}

// Every text box of a layout on the page and clear of every other.
void expect_clear_layout(const PaperFigure& figure, const FigureSize& size, const std::string& what) {
  const QSizeF page(size.width_mm * kPointsPerMm, size.height_mm * kPointsPerMm);
  const FigureLayout lay = lay_out_figure(figure, page);
  ASSERT_TRUE(lay.error.isEmpty()) << what << ": " << lay.error.toStdString();
  const QRectF on_page(QPointF(0, 0), page);
  QVector<QRectF> boxes;
  for (const auto& l : lay.labels) boxes << l.box;
  for (const auto& b : lay.title_boxes) boxes << b;
  for (const auto& bar : lay.bars) {
    if (!bar.label.isEmpty()) boxes << bar.label_box;
    for (const auto& [value, box] : bar.ticks) boxes << box;
    EXPECT_GT(bar.bar.height(), 0) << what << ": a colour bar upside down";
  }
  for (int a = 0; a < boxes.size(); ++a) {
    EXPECT_TRUE(on_page.contains(boxes[a])) << what << ": a label leaves the page";
    for (int b = a + 1; b < boxes.size(); ++b)
      ASSERT_FALSE(overlap(boxes[a], boxes[b]))
          << what << ": labels " << a << " (" << boxes[a].x() << ", " << boxes[a].y() << ", " << boxes[a].width() << " x "
          << boxes[a].height() << ") and " << b << " (" << boxes[b].x() << ", " << boxes[b].y() << ", " << boxes[b].width()
          << " x " << boxes[b].height() << ") overlap";
  }
  EXPECT_EQ(lay.title_lines.join(' '), figure.title) << what << ": the title is whole";
  for (const QRectF& m : lay.maps) EXPECT_TRUE(on_page.contains(m)) << what;
  EXPECT_GE(lay.labels.size(), 2) << what << ": some labels must remain";
}

PaperFigure before_after_diff(int L, const FigureStyle& style = {}) {
  std::vector<float> before = attention_map(L), after = before, diff(before.size());
  for (int i = 5; i < L; ++i) std::swap(after[i * L + 1], after[i * L + 3]);
  for (size_t k = 0; k < diff.size(); ++k) diff[k] = after[k] - before[k];
  return compose_figure({{before, "intact", false, {}, {}}, {after, "ablated", false, {}, {}}, {diff, "ablated − intact", true, {}, {}}}, L,
                        token_labels(L), {}, style, "layer 1, head 3, ablated 0.3:zero");
}

// A panel may hold only a region of its map (a long head's, zoomed): the
// figure is the one made from the whole map, marks and display options
// included; a held region that does not contain the figure's, or cells that
// do not match it, are refused.
TEST(PaperFigure, APanelHoldingOnlyARegionMakesTheSameFigureAsTheWholeMap) {
  const int L = 80;
  const std::vector<float> map = attention_map(L);
  const MapRegion figure_region{30, 70, 10, 60}, held{25, 75, 0, 75};
  std::vector<float> cells;
  for (int i = held.row_begin; i < held.row_end; ++i)
    cells.insert(cells.end(), map.begin() + i * L + held.col_begin, map.begin() + i * L + held.col_end);
  const QVector<QPoint> marks{{12, 31}, {40, 69}, {5, 50}};
  FigureStyle style;
  style.display.row_normalise = true;
  style.display.hide_diagonal = true;
  const PaperFigure whole = compose_figure({{map, "h", false, marks, {}}}, L, token_labels(L), figure_region, style, "t");
  const PaperFigure part = compose_figure({{cells, "h", false, marks, held}}, L, token_labels(L), figure_region, style, "t");
  ASSERT_EQ(part.panels.size(), 1);
  EXPECT_EQ(part.panels[0].rows, whole.panels[0].rows);
  EXPECT_EQ(part.panels[0].cols, whole.panels[0].cols);
  ASSERT_EQ(part.panels[0].values.size(), whole.panels[0].values.size());
  for (size_t k = 0; k < whole.panels[0].values.size(); ++k) {
    const float a = part.panels[0].values[k], b = whole.panels[0].values[k];
    ASSERT_TRUE(std::isnan(a) == std::isnan(b) && (std::isnan(a) || a == b)) << k;
  }
  EXPECT_EQ(part.panels[0].marks, whole.panels[0].marks);
  EXPECT_EQ(part.scales[0].range.low, whole.scales[0].range.low);
  EXPECT_EQ(part.scales[0].range.high, whole.scales[0].range.high);
  EXPECT_THROW(compose_figure({{cells, "h", false, {}, held}}, L, token_labels(L), {20, 70, 10, 60}, style, "t"),
               std::invalid_argument);
  cells.pop_back();
  EXPECT_THROW(compose_figure({{cells, "h", false, {}, held}}, L, token_labels(L), figure_region, style, "t"),
               std::invalid_argument);
}

TEST(PaperFigure, LabelsNeverOverlapAndStayOnThePageAtColumnAndPageWidth) {
  for (const int length : {30, 101, 484})
    for (const FigureSize size : {FigureSize{85, 85, 300}, FigureSize{178, 100, 300}}) {
      const std::string what = "L " + std::to_string(length) + " at " + std::to_string(int(size.width_mm)) + " mm";
      expect_clear_layout(one_head(length, "layer 1, head 3 (softmax_attention in mamba2_ssd)"), size, what);
      expect_clear_layout(before_after_diff(length), {178, 70, 300}, what + ", before/after/diff");
    }
  // Panels whose last key is labelled next to the next panel's first (101 keys, labels every 10).
  expect_clear_layout(before_after_diff(101), {178, 70, 300}, "101 keys, three panels");
  // One query against 60 keys: the colour bars are taller than the map.
  const int L = 60;
  const auto one_row = compose_figure({{attention_map(L), {}, false, {}, {}}, {attention_map(L), {}, true, {}, {}}}, L, token_labels(L),
                                      {59, 60, 0, 60}, {}, "the last query");
  expect_clear_layout(one_row, {178, 60, 300}, "one query row");
  // Large fonts: stacked bars keep their tick labels apart; no title still leaves the first label on the page.
  FigureStyle large;
  large.font_pt = 12;
  expect_clear_layout(before_after_diff(24, large), {178, 100, 300}, "12 pt");
  PaperFigure untitled = one_head(30, "");
  expect_clear_layout(untitled, {60, 60, 300}, "no title");
}

TEST(PaperFigure, PdfAsAPaperPrintsIt) {
  QTemporaryDir dir;
  const int L = 30;
  const QString title = "layer 12, head 3 (softmax_attention in mamba2_ssd) of huggingface-cache/hub/models--org--name/snapshots/4e20de362430cd";
  const PaperFigure figure = one_head(L, title);
  const FigureSize size{85, 85, 300};
  const QString pdf = dir.filePath("head.pdf");
  ASSERT_EQ(write_paper_figure(figure, pdf, size), QString());

  // Text: every word on the page, none overlapping another, 6 to 9 pt, the title whole.
  const QVector<Word> words = pdf_words(pdf);
  const double map_bottom = lay_out_figure(figure, QSizeF(85 * kPointsPerMm, 85 * kPointsPerMm)).maps.front().bottom();
  ASSERT_GT(words.size(), 15);
  const QRectF page(0, 0, 85 * kPointsPerMm, 85 * kPointsPerMm);
  for (int a = 0; a < words.size(); ++a) {
    EXPECT_TRUE(page.adjusted(-0.5, -0.5, 0.5, 0.5).contains(words[a].box)) << words[a].text.toStdString();
    // pdftotext's box is the font's ascent plus descent, about 1.16 times its size.
    // Key labels (below the map) read bottom to top: their box is turned.
    const bool turned = words[a].box.top() > map_bottom;
    const double pt = (turned ? words[a].box.width() : words[a].box.height()) / 1.164;
    EXPECT_GE(pt, 6 - 0.2) << words[a].text.toStdString();
    EXPECT_LE(pt, 9 + 0.2) << words[a].text.toStdString();
    for (int b = a + 1; b < words.size(); ++b)
      EXPECT_FALSE(overlap(words[a].box, words[b].box)) << words[a].text.toStdString() << " / " << words[b].text.toStdString();
  }
  QString text;
  for (const auto& w : words) text += w.text + ' ';
  EXPECT_TRUE(text.simplified().contains(title.left(50))) << text.toStdString();

  // Images: Flate, never JPEG (which turned viridis yellow pink); no interpolation.
  const QStringList list = run("pdfimages", {"-list", pdf}).split('\n', Qt::SkipEmptyParts).mid(2);
  ASSERT_GE(list.size(), 2) << "the map and the colour bar";
  for (const QString& line : list) {
    const QStringList cols = line.simplified().split(' ');
    EXPECT_EQ(cols.value(8), "image") << "encoding: " << line.toStdString();
    EXPECT_EQ(cols.value(9), "no") << "interpolation: " << line.toStdString();
  }

  // Colours: at 288 dpi a point is 4 pixels; each cell's centre is its exact colour.
  bool rendered_ok = false;
  run("pdftoppm", {"-r", "288", "-png", "-singlefile", pdf, dir.filePath("page")}, &rendered_ok);
  ASSERT_TRUE(rendered_ok);
  const QImage rendered(dir.filePath("page.png"));
  ASSERT_FALSE(rendered.isNull());
  const FigureLayout lay = lay_out_figure(figure, page.size());
  const FigureScale& scale = figure.scales.front();
  const auto& values = figure.panels.front().values;
  int checked = 0;
  for (int i = 0; i < L; i += 3)
    for (int j = 0; j < L; j += 4) {
      const QPointF centre = lay.maps.front().topLeft() + QPointF((j + 0.5) * lay.cell, (i + 0.5) * lay.cell);
      const QRgb want = j > i ? scale.map.nan_rgb() : scale.map.rgb(normalise(values[i * L + j], scale.range, scale.kind, false));
      const QRgb got = rendered.pixel(static_cast<int>(centre.x() * 4), static_cast<int>(centre.y() * 4));
      EXPECT_EQ(QColor(got).name(), QColor(want).name()) << "cell " << i << ", " << j;
      ++checked;
    }
  EXPECT_GT(checked, 50);
  // The top of viridis stays yellow.
  EXPECT_EQ(QColor(scale.map.rgb(1)).name(), "#fde725");
}

TEST(PaperFigure, BeforeAfterDiffShareOneAxisOneMapScaleAndADifferenceScale) {
  const PaperFigure figure = before_after_diff(24);
  ASSERT_EQ(figure.scales.size(), 2);
  EXPECT_EQ(figure.panels[0].scale, 0);
  EXPECT_EQ(figure.panels[1].scale, 0);
  EXPECT_EQ(figure.panels[2].scale, 1);
  EXPECT_TRUE(figure.scales[1].map.diverging());
  EXPECT_EQ(figure.scales[1].range.low, -figure.scales[1].range.high);
  const FigureLayout lay = lay_out_figure(figure, QSizeF(178 * kPointsPerMm, 80 * kPointsPerMm));
  ASSERT_TRUE(lay.error.isEmpty()) << lay.error.toStdString();
  ASSERT_EQ(lay.maps.size(), 3);
  for (const QRectF& m : lay.maps) {
    EXPECT_DOUBLE_EQ(m.top(), lay.maps[0].top()) << "one row of panels";
    EXPECT_DOUBLE_EQ(m.width(), lay.maps[0].width()) << "equal panels";
  }
  int query_labels = 0;
  for (const auto& l : lay.labels)
    if (!l.rotated) {
      ++query_labels;
      EXPECT_LE(l.box.right(), lay.maps[0].left()) << "query labels once, left of the first panel";
    }
  EXPECT_GT(query_labels, 0);
  EXPECT_EQ(lay.bars.size(), 2);
}

TEST(PaperFigure, TooSmallOrUnknownFormatsAreRefusedWithOneMessageAndNoFile) {
  QTemporaryDir dir;
  const PaperFigure figure = one_head(484, "t");
  const QString tiny = dir.filePath("tiny.pdf");
  const QString error = write_paper_figure(figure, tiny, {12, 12, 300});
  EXPECT_TRUE(error.contains("make the figure larger")) << error.toStdString();
  EXPECT_FALSE(QFile::exists(tiny));
  EXPECT_TRUE(write_paper_figure(figure, dir.filePath("f.bmp"), {85, 85, 300}).contains("unknown figure format"));
  EXPECT_THROW(compose_figure({{attention_map(8), {}, false, {}, {}}}, 8, token_labels(8), {5, 3, 0, -1}, {}, "t"), std::invalid_argument);
}

TEST(PaperFigure, PngHasTheExactPixelsAndSvgIsWritten) {
  QTemporaryDir dir;
  const PaperFigure figure = one_head(30, "layer 0, head 0 (softmax_attention)");
  ASSERT_EQ(write_paper_figure(figure, dir.filePath("f.png"), {85, 60, 300}), QString());
  const QImage png(dir.filePath("f.png"));
  EXPECT_EQ(png.size(), QSize(1004, 709));  // 85 x 60 mm at 300 dpi
  EXPECT_EQ(std::lround(png.dotsPerMeterX() * 0.0254), 300);
  ASSERT_EQ(write_paper_figure(figure, dir.filePath("f.svg"), {85, 60, 300}), QString());
  QFile svg(dir.filePath("f.svg"));
  ASSERT_TRUE(svg.open(QIODevice::ReadOnly));
  EXPECT_TRUE(svg.readAll().contains("<svg"));
}

TEST(FigureExport, GridPdfIsLosslessAndHasTheGridsShape) {
  QTemporaryDir dir;
  HeadGrid grid;
  QVector<GridRow> rows(2);
  for (auto& r : rows) {
    r.label = "L0 A";
    r.kind = "softmax_attention";
    r.heads.resize(4);
  }
  grid.set_rows(rows);
  QImage yellow(16, 16, QImage::Format_RGB32);
  yellow.fill(QColor("#fde725"));
  for (int r = 0; r < 2; ++r)
    for (int h = 0; h < 4; ++h) grid.set_thumbnail(r, h, yellow);
  grid.resize(400, 200);
  const QString pdf = dir.filePath("grid.pdf");
  ASSERT_EQ(export_widget(&grid, pdf, {85, 85, 300}), QString());
  for (const QString& line : run("pdfimages", {"-list", pdf}).split('\n', Qt::SkipEmptyParts).mid(2))
    EXPECT_NE(line.simplified().split(' ').value(8), "jpeg") << line.toStdString();
  // The page has the grid's shape: 85 mm wide, half as high (no blank half).
  const QString info = run("pdfinfo", {pdf});
  const auto m = QRegularExpression(R"(Page size:\s+([\d.]+) x ([\d.]+) pts)").match(info);
  ASSERT_TRUE(m.hasMatch()) << info.toStdString();
  EXPECT_NEAR(m.captured(2).toDouble() / m.captured(1).toDouble(), 0.5, 0.02);
}

TEST(HeatmapView, SignedMapsAreDivergingLabelsFollowZoomMarksSurviveItAndPanningKeepsTheRow) {
  HeatmapView view;
  view.resize(700, 700);
  view.show();
  const int L = 484;
  HeatmapData d;
  d.rows = d.cols = L;
  d.values = attention_map(L);
  d.row_labels = d.col_labels = token_labels(L);
  view.set_colour_map(ColourMapKind::Magma);
  view.set_data(d);
  EXPECT_EQ(view.drawn_colour_map(), ColourMapKind::Magma);
  d.values[100 * L + 3] = -0.5f;
  view.set_data(d);
  EXPECT_EQ(view.drawn_colour_map(), ColourMapKind::Diverging) << "a signed map gets the diverging map";
  EXPECT_EQ(view.current_range().low, -view.current_range().high);

  // Marks listed by row (not by key), then zoomed: QCustomPlot must still find them all.
  QVector<QPoint> marks;
  for (int i = 100; i < 400; i += 10) marks << QPoint(450 - i, i);
  view.set_marks(marks);
  QCustomPlot* plot = view.plot();
  plot->xAxis->setRange(140 - 0.5, 200 + 0.5);
  plot->yAxis->setRange(250 - 0.5, 310 + 0.5);
  auto data = plot->graph(0)->data();  // the marks
  int expected = 0;
  for (const QPoint& p : marks) expected += p.x() >= 140 && p.x() <= 200;
  const int found = static_cast<int>(data->findEnd(200.5, false) - data->findBegin(139.5, false));
  EXPECT_EQ(found, expected);
  // Zoomed to 61 tokens, every one gets a label where at the full view only every ~20th did.
  auto ticker = qSharedPointerDynamicCast<QCPAxisTickerText>(plot->yAxis->ticker());
  ASSERT_TRUE(ticker);
  EXPECT_GE(ticker->ticks().size(), 20);
  EXPECT_EQ(view.visible_region().row_begin, 250);
  EXPECT_EQ(view.visible_region().row_end, 311);

  // A drag pans; it does not select the row where it ends.
  view.select_row(260);
  const QPoint from(plot->width() / 2, plot->height() / 2);
  QTest::mousePress(plot, Qt::LeftButton, {}, from);
  QTest::mouseMove(plot, from + QPoint(60, 60));
  QTest::mouseRelease(plot, Qt::LeftButton, {}, from + QPoint(60, 60));
  EXPECT_EQ(view.selected_row(), 260);
}

TEST(LinkedViews, ZoomAndRowSelectionMoveTogether) {
  HeatmapView a, b, c;
  HeatmapData d;
  d.rows = d.cols = 30;
  d.values = attention_map(30);
  for (auto* v : {&a, &b, &c}) v->set_data(d);
  link_views({&a, &b, &c});
  a.plot()->xAxis->setRange(4.5, 12.5);
  b.plot()->yAxis->setRange(7.5, 20.5);
  for (auto* v : {&a, &b, &c}) {
    EXPECT_EQ(v->plot()->xAxis->range().lower, 4.5);
    EXPECT_EQ(v->plot()->yAxis->range().upper, 20.5);
  }
  c.select_row(11);
  EXPECT_EQ(a.selected_row(), 11);
  EXPECT_EQ(b.selected_row(), 11);
}

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
