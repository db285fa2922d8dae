// The window drawing a long prompt's head from a session's factors
// (widgets::HeatmapView with gui::FactorMapSource), offscreen, end to end:
// from asking to the image on show. For each form of map (softmax of
// GPT-2 small's shape; Mamba-2's SSD; Mamba-1 with one channel a head and
// with 48) at L = 2048 and 8192: the first image of the whole map (its
// colour range and sharp cells with it), a region at a quarter of the map,
// a pan of it, a region at cell level, the profile's row and a hovered cell.
// Ratios: the region's multiply-adds at the matmul rate measured in this run
// (cells x the factor's width) / the time taken.
// Usage: bench_tiled_view [L [form name part]].
// Goal (issue 25): a screen-sized view of any region <= 50 ms at any L.
#include <ATen/ATen.h>

#include "app/gui/factor_map_source.h"
#include "core/session/map_factors.h"
#include "machine_limits.h"
// Qt after torch.
#include <QApplication>
#include <cstdio>
#include <qcustomplot.h>
#include <random>

#include "widgets/heatmap_view.h"

using namespace attnscope;

namespace {

std::vector<float> normal(size_t n, std::mt19937& rng, float sd, float mean = 0) {
  std::normal_distribution<float> d(mean, sd);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

struct Form {
  std::string name;
  session::MapFactors factors;
  double width;  // multiply-adds per cell
};

Form softmax_form(int64_t L, std::mt19937& rng) {  // GPT-2 small: 12 heads of 64
  session::MapFactors f;
  f.form = session::FactorForm::Softmax;
  f.heads = f.groups = 12, f.length = L, f.dim = 64, f.scale = 0.125;
  f.left = normal(size_t(12 * L * 64), rng, 1.5f);
  f.right = normal(size_t(12 * L * 64), rng, 1.5f);
  return {"softmax, GPT-2 small", std::move(f), 64};
}

Form ssd_form(int64_t L, std::mt19937& rng) {  // mamba2-130m: 24 heads, state 128, one group
  session::MapFactors f;
  f.form = session::FactorForm::Ssd;
  f.heads = 24, f.groups = 1, f.length = L, f.dim = 128;
  f.left = normal(size_t(L * 128), rng, 0.3f);
  f.right = normal(size_t(L * 128), rng, 0.3f);
  f.log_decay_cumsum.resize(size_t(24 * L));
  f.weight = normal(size_t(24 * L), rng, 0.02f, 0.05f);
  for (int h = 0; h < 24; ++h) {
    double cum = 0;
    for (int64_t i = 0; i < L; ++i) f.log_decay_cumsum[h * L + i] = cum -= 0.002 * (1 + h);
  }
  return {"ssd, mamba2-130m", std::move(f), 128};
}

Form selective_form(int64_t L, int channels_per_head, std::mt19937& rng) {  // mamba-130m: state 16, rank 48
  session::MapFactors f;
  f.form = session::FactorForm::Selective;
  f.heads = 1536 / channels_per_head, f.groups = 1, f.length = L, f.dim = 16;
  f.channels_per_head = channels_per_head, f.dt_rank = 48;
  f.left = normal(size_t(L * 16), rng, 0.5f);
  f.right = normal(size_t(L * 16), rng, 0.5f);
  f.dt_input = normal(size_t(L * 48), rng, 0.1f);
  f.dt_weight = normal(size_t(1536 * 48), rng, 0.1f);
  f.dt_bias = normal(size_t(1536), rng, 0.3f, -4.f);
  f.A.resize(size_t(1536 * 16));
  for (size_t k = 0; k < f.A.size(); ++k) f.A[k] = -float(1 + k % 16);
  return {"selective, mamba-130m, " + std::to_string(channels_per_head) + " channel(s) a head", std::move(f),
          16.0 * channels_per_head};
}

bool wait_until(const std::function<bool()>& done, double seconds = 600) {
  const double t0 = bench::now_seconds();
  // Sleeps until an event comes (the worker's result is one): a spinning wait would take a core from it.
  while (!done() && bench::now_seconds() - t0 < seconds) QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
  return done();
}

}  // namespace

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  bench::set_threads_to_cores();
  const double gflops = bench::matmul_gflops();
  bench::print_header("The window drawing long heads from factors (offscreen), matmul " +
                      std::to_string(gflops).substr(0, 5) + " GFLOP/s");
  std::printf("(ratio: the region's cells x width multiply-adds at the matmul rate / the time taken; above 1 where\n"
              " Mamba-1's far chunks leave out the (channel, state) pairs whose decay underflows)\n");

  widgets::HeatmapView view;
  view.resize(1000, 900);
  view.show();
  QApplication::processEvents();
  std::mt19937 rng(17);
  const std::vector<int64_t> lengths = argc > 1 ? std::vector<int64_t>{std::atoll(argv[1])} : std::vector<int64_t>{2048, 8192};
  for (int64_t L : lengths) {
    std::vector<Form> forms;
    forms.push_back(softmax_form(L, rng));
    forms.push_back(ssd_form(L, rng));
    forms.push_back(selective_form(L, 1, rng));
    forms.push_back(selective_form(L, 48, rng));
    for (auto& form : forms) {
      if (argc > 2 && form.name.find(argv[2]) == std::string::npos) continue;  // [L [form]]: one form
      const auto factors = std::make_shared<const session::MapFactors>(std::move(form.factors));
      session::FactorHead head{factors, 1, {}};
      if (factors->form == session::FactorForm::Softmax) head.normalisers = session::row_log_normalisers(*factors, 1);
      const std::string tag = form.name + ", L = " + std::to_string(L) + ": ";
      const auto ratio = [&](double cells, double seconds) { return cells * form.width * 2 / (gflops * 1e9) / seconds; };
      const double causal_cells = double(L) * (L + 1) / 2;

      {  // the computation alone, as the view's worker runs it
        widgets::PooledRequest whole;
        whole.region = {0, int(L), 0, int(L)};
        whole.rows = 660, whole.cols = 900, whole.whole_map = true;
        const gui::FactorMapSource source(head);
        const double start = bench::now_seconds();
        const auto pooled = source.pooled(whole, nullptr);
        const double seconds = bench::now_seconds() - start;
        bench::print_row(tag + "whole map's pass alone (900 x 660)", seconds * 1e3, "ms", ratio(causal_cells, seconds));
      }
      widgets::HeatmapData meta;
      meta.title = "bench";
      double t0 = bench::now_seconds();
      view.set_source(meta, std::make_shared<gui::FactorMapSource>(head));
      if (!wait_until([&] { return view.image_ready(); })) return std::printf("the first image never came\n"), 1;
      double t = bench::now_seconds() - t0;
      bench::print_row(tag + "whole map: first image, range, marks", t * 1e3, "ms", ratio(causal_cells, t));
      t0 = bench::now_seconds();
      view.plot()->repaint();
      t = bench::now_seconds() - t0;
      bench::print_row(tag + "  painting it with its marks", t * 1e3, "ms");
      std::printf("    (%d x %d pixels, %d sharp cells)\n", view.drawn_pixels().width(), view.drawn_pixels().height(),
                  view.marks_count());

      int drawn = 0;
      const auto counting = QObject::connect(&view, &widgets::HeatmapView::region_drawn, [&drawn] { ++drawn; });
      const auto region = [&](double c0, double c1, double r0, double r1, const std::string& what) {
        const int before = drawn;
        const double start = bench::now_seconds();
        view.plot()->xAxis->setRange(c0 - 0.5, c1 - 0.5);
        view.plot()->yAxis->setRange(r0 - 0.5, r1 - 0.5);
        if (!wait_until([&] { return drawn > before && !view.drawing(); })) std::printf("no region came\n");
        view.plot()->repaint();
        const double seconds = bench::now_seconds() - start;
        const QRect cells = view.drawn_cells();
        double count = 0;  // causal cells in the region
        for (int i = cells.top(); i <= cells.bottom(); ++i)
          count += std::max(0, std::min(cells.right(), i) - cells.left() + 1);
        bench::print_row(tag + what, seconds * 1e3, "ms", ratio(count, seconds), "of 50 ms: " + std::to_string(seconds / 0.05).substr(0, 4));
      };
      const double q = L / 4.0;
      region(L / 2.0 - q, L / 2.0, L - q, double(L), "a quarter of the map (" + std::to_string(L / 4) + "^2 cells)");
      region(L / 2.0 - q + q / 10, L / 2.0 + q / 10, L - q, double(L), "that region panned by a tenth");
      region(L / 2.0, L / 2.0 + 120, L - 90.0, double(L), "cell level (120 x 90 cells)");
      t0 = bench::now_seconds();
      const auto row = view.row_values(int(L - 1));
      t = bench::now_seconds() - t0;
      bench::print_row(tag + "the profile's row", t * 1e3, "ms");
      t0 = bench::now_seconds();
      double sink = 0;
      for (int k = 0; k < 20; ++k) sink += view.value_at(int(L - 1 - k), int(L / 3 + k));
      t = (bench::now_seconds() - t0) / 20;
      bench::print_row(tag + "a hovered cell", t * 1e3, "ms", -1, sink == sink ? "" : "NaN");
      QObject::disconnect(counting);
      view.reset_zoom();
    }
  }
  return 0;
}
