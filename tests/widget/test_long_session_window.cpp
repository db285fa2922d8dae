// A long prompt's session keeps factors, not maps: the window draws a head
// from them region by region (widgets::MapSource), off its thread, never
// holding the whole map. What it draws is checked against the session
// reader's whole map: each pixel the covered cell of largest |weight|, the
// colour range and sharp cells of the whole map, exact cells once zoomed in,
// rows for the profile and text; opening another head before the first is
// drawn shows only the second.
// LibTorch headers before Qt's (Qt's `slots` macro breaks them).
#include "core/runtime/loaded_model.h"
#include "core/runtime/session_run.h"
#include "core/session/session_writer.h"
#include "support/random_models.h"
// Qt after torch.
#include <gtest/gtest.h>
#include <unistd.h>

#include <QApplication>
#include <qcustomplot.h>
#include <QSignalSpy>
#include <QTest>
#include <filesystem>
#include <functional>
#include <random>

#include "app/gui/factor_map_source.h"
#include "app/gui/main_window.h"
#include "core/mixing/head_metrics.h"
#include "core/session/session_reader.h"
#include "widgets/heatmap_view.h"
#include "widgets/map_display.h"

using namespace attnscope;
using attnscope::gui::MainWindow;
namespace fs = std::filesystem;

namespace {

// A tiny GPT-2 on MainWindow::kTiledFrom + 852 tokens, factors only: past
// 2896 tokens a clipped colour range is taken from a sample of the cells.
fs::path long_session(const fs::path& dir) {
  const int64_t length = MainWindow::kTiledFrom + 852;
  test_support::write_random_checkpoint({{"model_type", "gpt2"}, {"vocab_size", 97}, {"n_embd", 32}, {"n_layer", 2},
                                         {"n_head", 2}, {"n_positions", length}, {"layer_norm_epsilon", 1e-5},
                                         {"activation_function", "gelu_new"}},
                                        dir / "model");
  const auto loaded = load_for_running(dir / "model", LoadOptions{});
  std::vector<int64_t> ids(static_cast<size_t>(length));
  for (int64_t i = 0; i < length; ++i) ids[i] = (i * 31) % 97;
  RecordOptions options;
  options.store_maps = StoreMaps::None;
  const fs::path path = dir / "long.h5";
  auto writer = session::SessionWriter::create(path);
  record_run(*loaded, prompt_from_ids(*loaded, ids), "test", writer, options);
  writer.commit();
  return path;
}

bool wait_for(QSignalSpy& spy, int count) {
  for (int i = 0; i < 3000 && spy.count() < count; ++i) QTest::qWait(10);
  return spy.count() >= count;
}

// The drawn image against the reader's whole map, as the window would display it whole.
void expect_drawn(const widgets::HeatmapView& view, const std::vector<float>& map, int64_t L,
                  const widgets::DisplayOptions& display) {
  const auto drawn = view.drawn();
  ASSERT_TRUE(drawn);
  const auto& r = drawn->region;
  const widgets::DisplayedMap shown = widgets::prepare_display({map.data(), int(L), int(L), true}, display);
  double worst = 0;
  int blank_mismatch = 0;
  const int64_t R = r.row_end - r.row_begin, C = r.col_end - r.col_begin;
  for (int64_t p = 0; p < drawn->rows; ++p)
    for (int64_t q = 0; q < drawn->cols; ++q) {
      float best = std::nanf("");
      for (int64_t i = r.row_begin + R * p / drawn->rows; i < r.row_begin + R * (p + 1) / drawn->rows; ++i)
        for (int64_t j = r.col_begin + C * q / drawn->cols; j < r.col_begin + C * (q + 1) / drawn->cols; ++j) {
          const float v = shown.values[i * L + j];
          if (!std::isnan(v) && (std::isnan(best) || std::abs(v) > std::abs(best))) best = v;
        }
      const float got = drawn->pixels[p * drawn->cols + q];
      if (std::isnan(best) != std::isnan(got)) ++blank_mismatch;
      else if (!std::isnan(best)) worst = std::max(worst, double(std::abs(got - best)));
    }
  EXPECT_EQ(blank_mismatch, 0);
  EXPECT_LT(worst, 1e-6);
}

std::vector<float> whole(const session::SessionReader& reader, int row, int head) { return reader.read_head(row, head); }

void expect_head_on_show(const MainWindow& window, const session::SessionReader& reader, int row, int head) {
  const auto* view = window.heatmap();
  const int64_t L = reader.length();
  ASSERT_TRUE(view->tiled());
  EXPECT_TRUE(view->data().values.empty());  // never held whole
  const auto map = whole(reader, row, head);
  const widgets::DisplayOptions display = view->display();
  expect_drawn(*view, map, L, display);
  // Colour range and sharp cells are the whole map's.
  const auto shown = widgets::prepare_display({map.data(), int(L), int(L), true}, display);
  EXPECT_NEAR(view->current_range().high, shown.range.high, 1e-6 * shown.range.high);
  EXPECT_NEAR(view->current_range().low, shown.range.low, 1e-6);
  const auto sharp = mixing::sharp_cells({map.data(), L});
  ASSERT_EQ(view->marks_count(), static_cast<int>(sharp.size()));
  for (size_t k = 0; k < sharp.size(); ++k)
    EXPECT_EQ(view->marks()[static_cast<int>(k)], QPoint(int(sharp[k].second), int(sharp[k].first)));
  // The profile's row (the final token's) and a hovered cell.
  const int i = view->selected_row();
  const auto weights = view->row_values(i);
  for (int64_t j = 0; j < L; ++j) ASSERT_NEAR(weights[j], map[i * L + j], 1e-6) << "key " << j;
  EXPECT_NEAR(view->value_at(1500, 1234), map[1500 * L + 1234], 1e-6);
  EXPECT_FALSE(view->data().title.contains("computing")) << view->data().title.toStdString();
  EXPECT_TRUE(view->data().title.contains(QString("head %1").arg(head))) << view->data().title.toStdString();
}

bool wait_until(const std::function<bool()>& done) {
  for (int i = 0; i < 3000 && !done(); ++i) QTest::qWait(10);
  return done();
}

}  // namespace

TEST(LongSessionWindow, HeadsAreDrawnFromFactorsRegionByRegionOffTheWindowsThread) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-long-window-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const fs::path path = long_session(dir);
  const session::SessionReader reader(path);
  ASSERT_FALSE(reader.maps_stored(0));
  ASSERT_TRUE(reader.has_factors(0));
  const int64_t L = reader.length();

  MainWindow window;
  window.resize(1400, 1000);
  window.show();
  QSignalSpy shown(&window, &MainWindow::head_shown);
  QSignalSpy unzoomed_regions(window.heatmap(), &widgets::HeatmapView::region_drawn);
  ASSERT_TRUE(window.open_session(QString::fromStdString(path.string())));
  // Opening shows the last layer's head 0, drawn off the thread: nothing held meanwhile,
  // the session's overview painted at once.
  EXPECT_TRUE(window.head_pending());
  EXPECT_TRUE(window.heatmap()->data().values.empty());
  const int n = reader.overview_size(window.current_row());
  ASSERT_GT(n, 0);
  ASSERT_TRUE(window.heatmap()->drawn());
  EXPECT_EQ(window.heatmap()->drawn_pixels(), QSize(n, n));
  const auto overview = reader.read_overview(window.current_row(), 0);
  EXPECT_EQ(window.heatmap()->drawn()->pixels[size_t(n - 1) * n], overview[size_t(n - 1) * n]);  // last row, first block
  EXPECT_TRUE(std::isnan(window.heatmap()->drawn()->pixels[n - 1]));  // first row, last block: the future
  ASSERT_TRUE(wait_for(shown, 1));
  EXPECT_FALSE(window.head_pending());
  auto* view = window.heatmap();
  ASSERT_TRUE(wait_until([&] { return !view->drawing(); }));
  // The whole map's pass has the pixels the unzoomed view spans: no second pass over every cell for it.
  EXPECT_EQ(unzoomed_regions.count(), 0);
  // The whole map at screen resolution: fewer pixels than cells, each a block's strongest cell.
  EXPECT_LT(view->drawn_pixels().width(), L);
  EXPECT_EQ(view->drawn_cells(), QRect(0, 0, int(L), int(L)));
  expect_head_on_show(window, reader, window.current_row(), 0);

  // Zoomed to cell level: the region on show, one pixel a cell, exact.
  QSignalSpy regions(view, &widgets::HeatmapView::region_drawn);
  view->plot()->xAxis->setRange(999.5, 1099.5);
  view->plot()->yAxis->setRange(1399.5, 1479.5);
  ASSERT_TRUE(wait_until([&] { return regions.count() >= 1 && !view->drawing(); }));
  EXPECT_EQ(view->drawn_cells(), QRect(1000, 1400, 100, 80));
  EXPECT_EQ(view->drawn_pixels(), QSize(100, 80));
  expect_drawn(*view, whole(reader, window.current_row(), 0), L, view->display());
  // Back to the whole map: drawn again from the cache, at once.
  view->reset_zoom();
  ASSERT_TRUE(wait_until([&] { return regions.count() >= 2; }));
  EXPECT_EQ(view->drawn_cells(), QRect(0, 0, int(L), int(L)));

  // Row-normalised, diagonal hidden, range clipped at the 99th percentile: pixels and range follow the
  // options (the percentile from the same sample of cells as for a map held whole). The head is not shown anew.
  const int shown_before = shown.count();
  widgets::DisplayOptions options;
  options.row_normalise = true, options.hide_diagonal = true, options.clip_percentile = 99;
  window.set_display(options);
  EXPECT_TRUE(view->drawing());
  ASSERT_TRUE(wait_until([&] { return view->image_ready() && !view->drawing(); }));
  expect_head_on_show(window, reader, window.current_row(), 0);
  options = {};
  options.clip_percentile = 99;
  window.set_display(options);
  ASSERT_TRUE(wait_until([&] { return view->image_ready() && !view->drawing(); }));
  expect_head_on_show(window, reader, window.current_row(), 0);
  window.set_display({});
  ASSERT_TRUE(wait_until([&] { return view->image_ready() && !view->drawing(); }));
  EXPECT_EQ(shown.count(), shown_before);

  // Two heads asked one after the other: the first's image is dropped.
  const int before = shown.count();
  window.open_head(0, 0);
  window.open_head(0, 1);
  ASSERT_TRUE(wait_for(shown, before + 1));
  QTest::qWait(300);  // a stale image would arrive by now
  EXPECT_EQ(shown.count(), before + 1);
  EXPECT_EQ(window.current_row(), 0);
  EXPECT_EQ(window.current_head(), 1);
  ASSERT_TRUE(wait_until([&] { return !view->drawing(); }));
  expect_head_on_show(window, reader, 0, 1);

  // A zoomed figure takes the region's cells from the factors (not the
  // whole map): they are the whole map's, and the figure is written.
  {
    const widgets::MapRegion region{1400, 1900, 700, 1650};
    const widgets::MapPanel panel = view->region_panel(region);
    ASSERT_TRUE(panel.held.has_value());
    ASSERT_EQ(panel.values.size(), size_t(500 * 950));
    const auto map = whole(reader, 0, 1);
    for (int64_t i = 0; i < 500; ++i)
      for (int64_t j = 0; j < 950; j += 7)
        ASSERT_NEAR(panel.values[i * 950 + j], map[(1400 + i) * L + 700 + j], 1e-6) << i << "," << j;
    view->plot()->yAxis->setRange(1399.5, 1899.5);
    view->plot()->xAxis->setRange(699.5, 1649.5);
    gui::FigureChoice zoomed = gui::default_figure_choice(1);
    zoomed.zoomed = true;
    const fs::path zoomed_figure = dir / "zoomed.png";
    EXPECT_EQ(window.export_current(QString::fromStdString(zoomed_figure.string()), zoomed), QString());
    EXPECT_GT(fs::file_size(zoomed_figure), 1000u);
    EXPECT_THROW(view->region_panel({0, 10, 5, int(L) + 1}), std::invalid_argument);
  }

  // What needs the whole map makes it whole: pinning for Compare, and a figure.
  window.pin_for_compare();
  const auto pinned = window.compare_left_view()->data().values;
  const auto expected = whole(reader, 0, 1);
  ASSERT_EQ(pinned.size(), expected.size());
  for (size_t k = 0; k < expected.size(); k += 997) ASSERT_NEAR(pinned[k], expected[k], 1e-6) << k;
  const fs::path figure = dir / "head.png";
  EXPECT_EQ(window.export_current(QString::fromStdString(figure.string()), gui::default_figure_choice(1)), QString());
  EXPECT_GT(fs::file_size(figure), 1000u);
  fs::remove_all(dir);
}

// A Mamba-1 head as the window's source: regions, rows and cells, before and
// after its steps are computed once for the whole prompt, are the session
// kernel's own tiles.
TEST(FactorMapSource, SelectiveRegionsRowsAndCellsAreTheKernelsTiles) {
  std::mt19937 rng(41);
  std::normal_distribution<float> normal(0.f, 0.5f);
  auto f = std::make_shared<session::MapFactors>();
  f->form = session::FactorForm::Selective;
  f->heads = 3, f->groups = 1, f->length = 600, f->dim = 16, f->channels_per_head = 8, f->dt_rank = 4;
  const auto fill = [&](std::vector<float>& v, size_t n, float shift = 0) {
    v.resize(n);
    for (auto& x : v) x = normal(rng) + shift;
  };
  fill(f->left, 600 * 16), fill(f->right, 600 * 16), fill(f->dt_input, 600 * 4);
  fill(f->dt_weight, 24 * 4), fill(f->dt_bias, 24, -2.f);
  f->A.resize(24 * 16);
  for (size_t k = 0; k < f->A.size(); ++k) f->A[k] = -0.1f * float(1 + k % 16);
  const gui::FactorMapSource source(session::FactorHead{f, 1, {}});
  std::vector<float> tile(100 * 150);
  session::compute_tile(*f, 1, 300, 100, 100, 150, tile.data());
  const auto cell_matches = [&] {
    for (int k = 0; k < 30; ++k) {
      const int i = 300 + (k * 37) % 100, j = 100 + (k * 53) % 150;
      ASSERT_NEAR(source.cell(i, j), tile[(i - 300) * 150 + (j - 100)], 1e-6) << i << "," << j;
    }
    const auto row = source.row(399);
    for (int j = 100; j < 250; ++j) ASSERT_NEAR(row[j], tile[99 * 150 + (j - 100)], 1e-6) << j;
  };
  cell_matches();  // steps computed per cell
  widgets::PooledRequest region;
  region.region = {300, 400, 100, 250};
  region.rows = 100, region.cols = 150;
  const auto pooled = source.pooled(region, nullptr);
  ASSERT_EQ(pooled.pixels.size(), tile.size());
  for (size_t k = 0; k < tile.size(); ++k) ASSERT_NEAR(pooled.pixels[k], tile[k], 1e-6) << k;
  cell_matches();  // steps for the whole prompt, kept
}

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
