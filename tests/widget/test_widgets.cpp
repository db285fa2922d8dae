// The real widgets, offscreen: the grid's gestures, the heatmap's mapping
// from pixels to cells and its tooltip text (figures: test_paper_figure.cpp).
#include <gtest/gtest.h>
#include <qcustomplot.h>

#include <QApplication>
#include <QImage>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <cstdlib>

#include "widgets/colour_map.h"
#include "widgets/head_grid.h"
#include "widgets/heatmap_view.h"
#include "widgets/map_display.h"
#include "widgets/matrix_image.h"
#include "widgets/outputs_panel.h"
#include "widgets/token_text_view.h"

using namespace attnscope::widgets;

namespace {
HeatmapData diagonal_data(int L) {
  HeatmapData d;
  d.rows = d.cols = L;
  d.values.assign(static_cast<size_t>(L) * L, 0.f);
  for (int i = 0; i < L; ++i) d.values[i * L + i] = 1.f;
  for (int i = 0; i < L; ++i) d.row_labels << QString("t%1").arg(i);
  d.col_labels = d.row_labels;
  d.title = "test head";
  return d;
}

QVector<GridRow> rows(int layers, int heads) {
  QVector<GridRow> out(layers);
  for (int l = 0; l < layers; ++l) {
    out[l].kind = l % 2 ? "mamba2_ssd" : "softmax_attention";
    out[l].ssm = l % 2;
    out[l].heads.resize(heads);
  }
  return out;
}
}  // namespace

TEST(ColourMap, EndsAndNan) {
  ColourMap v(ColourMapKind::Viridis);
  EXPECT_EQ(QColor(v.rgb(0)).name(), "#440154");
  EXPECT_EQ(QColor(v.rgb(1)).name(), "#fde725");
  EXPECT_EQ(v.rgb(std::nan("")), v.nan_rgb());
  ColourMap d(ColourMapKind::Diverging);
  EXPECT_EQ(QColor(d.rgb(0.5)).name(), "#f7f7f7");  // zero difference is white
}

TEST(MatrixImage, UpperTriangleIsBlankAndCellsMapToPixels) {
  auto d = diagonal_data(5);
  MatrixView view{d.values.data(), 5, 5, true};
  ColourMap map;
  QImage img = render_matrix(view, map, prepare_display(view, {}).range, ScaleKind::Linear);
  ASSERT_EQ(img.size(), QSize(5, 5));
  EXPECT_EQ(img.pixel(2, 2), map.rgb(1.0));
  EXPECT_EQ(img.pixel(0, 2), map.rgb(0.0));
  EXPECT_EQ(img.pixel(3, 1), map.nan_rgb());  // future key: masked
  QImage big = crisp_upscale(img, 8);
  EXPECT_EQ(big.size(), QSize(40, 40));
  EXPECT_EQ(big.pixel(16, 16), img.pixel(2, 2));
  EXPECT_EQ(big.pixel(23, 23), img.pixel(2, 2));  // no smoothing inside a cell
  EXPECT_DOUBLE_EQ(normalise(0.01, {0, 1}, ScaleKind::Log, false), 0.5);  // log over [1e-4, 1]
}

TEST(HeadGrid, ClickOpensRightClickAndSpaceToggleArrowsMove) {
  HeadGrid grid;
  grid.resize(400, 300);
  grid.set_rows(rows(3, 4));
  grid.show();
  QSignalSpy opened(&grid, &HeadGrid::head_opened);
  QSignalSpy toggled(&grid, &HeadGrid::ablation_toggled);
  QTest::mouseClick(&grid, Qt::LeftButton, {}, grid.cell_centre(2, 1));
  ASSERT_EQ(opened.count(), 1);
  EXPECT_EQ(opened[0][0].toInt(), 2);
  EXPECT_EQ(opened[0][1].toInt(), 1);
  QTest::mouseClick(&grid, Qt::RightButton, {}, grid.cell_centre(1, 3));
  ASSERT_EQ(toggled.count(), 1);
  EXPECT_EQ(toggled[0][0].toInt(), 1);
  EXPECT_EQ(toggled[0][1].toInt(), 3);
  EXPECT_EQ(grid.current(), QPoint(3, 1));
  grid.setFocus();
  QTest::keyClick(&grid, Qt::Key_Left);
  EXPECT_EQ(grid.current(), QPoint(2, 1));
  QTest::keyClick(&grid, Qt::Key_Down);
  EXPECT_EQ(grid.current(), QPoint(2, 2));
  QTest::keyClick(&grid, Qt::Key_Space);
  ASSERT_EQ(toggled.count(), 2);
  EXPECT_EQ(toggled[1][0].toInt(), 2);
  EXPECT_EQ(toggled[1][1].toInt(), 2);
  grid.set_ablated(2, 2, true);
  EXPECT_TRUE(grid.is_ablated(2, 2));
  EXPECT_EQ(grid.cell_at(QPoint(1, 1)), QPoint(-1, -1));
}

TEST(HeatmapView, PixelsMapToCellsAndTooltipNamesTokens) {
  HeatmapView view;
  view.resize(600, 600);
  view.set_data(diagonal_data(8));
  view.show();
  QTest::qWait(10);
  QCustomPlot* plot = view.plot();
  plot->replot();
  const QPoint p(static_cast<int>(plot->xAxis->coordToPixel(2)), static_cast<int>(plot->yAxis->coordToPixel(5)));
  EXPECT_EQ(view.cell_at(p), QPoint(2, 5));
  EXPECT_EQ(view.cell_text(5, 2), "query 't5' (5) \u2192 key 't2' (2): 0");
  EXPECT_TRUE(view.cell_text(1, 3).endsWith("(future: masked)"));
  QSignalSpy selected(&view, &HeatmapView::row_selected);
  QTest::mouseClick(plot, Qt::LeftButton, {}, p);
  ASSERT_EQ(selected.count(), 1);
  EXPECT_EQ(view.selected_row(), 5);
  view.set_marks({QPoint(2, 5), QPoint(1, 1)});
  EXPECT_EQ(view.marks_count(), 2);
}

TEST(OutputsPanel, ShowsTheDeltaItIsGiven) {
  OutputsPanel panel;
  panel.set_intact({{"Paris", 0.8}, {"London", 0.1}}, "Paris", std::log(0.8));
  EXPECT_TRUE(panel.delta_text().startsWith("No heads ablated"));
  panel.set_ablation(AblationSummary{"1.2:zero", {{"London", 0.5}, {"Paris", 0.2}}, std::log(0.8), std::log(0.2), {}});
  EXPECT_EQ(panel.delta_text(),
            QString("Ablated 1.2:zero: log p('Paris') %1 \u2192 %2 (change %3)")
                .arg(std::log(0.8), 0, 'f', 4)
                .arg(std::log(0.2), 0, 'f', 4)
                .arg(QString::asprintf("%+.4f", std::log(0.2) - std::log(0.8))));
  EXPECT_EQ(panel.table()->rowCount(), 2);
}

TEST(TokenTextView, TintsByTheQuerysWeightsAndHoverPicksARow) {
  TokenTextView view;
  view.resize(300, 200);
  view.show();
  view.set_tokens({"The", "·cat", "·sat", "\u21b5", "On", "·mat"});
  view.set_weights(4, {0.5f, -0.25f, 0.f, 0.f, 0.1f, 0.9f});
  const ColourMap diverging(ColourMapKind::Diverging);
  EXPECT_EQ(view.tint(0).name(), QColor(diverging.rgb(1.0)).name()) << "the row's largest weight is full red";
  EXPECT_EQ(view.tint(1).name(), QColor(diverging.rgb(0.25)).name()) << "negative weights are blue";
  EXPECT_EQ(view.tint(5), view.palette().base().color()) << "keys after the query are not tinted";
  // '↵' ends its line: the next token starts a new one.
  EXPECT_GT(view.token_rect(4).top(), view.token_rect(0).top());
  EXPECT_EQ(view.token_rect(4).left(), view.token_rect(0).left());
  QSignalSpy hovered(&view, &TokenTextView::token_hovered);
  QTest::mouseMove(&view, view.token_rect(2).center());
  ASSERT_EQ(hovered.count(), 1);
  EXPECT_EQ(hovered.takeFirst().at(0).toInt(), 2);
}

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
