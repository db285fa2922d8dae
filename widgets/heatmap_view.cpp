#include "widgets/heatmap_view.h"

#include <qcustomplot.h>

#include <QMouseEvent>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "widgets/matrix_layer.h"
#include "widgets/pooled_map_worker.h"
#include "widgets/token_labels.h"

namespace attnscope::widgets {
namespace {
// Profiles of more keys are drawn with a one-pixel pen (update_profile).
constexpr int kThickProfileKeysAtMost = 1024;
constexpr const char* kOverlay = "hover";  // QCustomPlot already has an "overlay" layer (non-buffered)

// Labels for the visible positions [first, last], every step-th (steps aligned
// to the prompt, so labels stay put while panning), at most `max_labels`.
QSharedPointer<QCPAxisTickerText> token_ticker(const QStringList& labels, double first, double last, int max_labels) {
  auto ticker = QSharedPointer<QCPAxisTickerText>::create();
  const int begin = std::max(0, static_cast<int>(std::ceil(first)));
  const int end = std::min<int>(labels.size(), static_cast<int>(std::floor(last)) + 1);
  if (end <= begin) return ticker;
  const int step = label_step(end - begin, max_labels);
  for (int i = (begin + step - 1) / step * step; i < end; i += step) ticker->addTick(i, short_label(labels[i]));
  return ticker;
}

bool same_pixels(const MapRegion& a, int a_rows, int a_cols, const PooledRequest& b) {
  return a.row_begin == b.region.row_begin && a.row_end == b.region.row_end && a.col_begin == b.region.col_begin &&
         a.col_end == b.region.col_end && a_rows == b.rows && a_cols == b.cols;
}
bool same_pixels(const PooledMap& a, const PooledRequest& b) { return same_pixels(a.region, a.rows, a.cols, b); }

// Cells at least partly on show along an axis of n cells (clamped as doubles:
// zoomed far out, the range's ends need not fit an int).
std::pair<int, int> cells_on_show(const QCPRange& r, int n) {
  const int begin = static_cast<int>(std::clamp(std::floor(r.lower + 0.5), 0.0, std::max(0.0, n - 1.0)));
  const int end = static_cast<int>(std::clamp(std::ceil(r.upper + 0.5), begin + 1.0, std::max(1.0, double(n))));
  return {begin, end};
}
// A sharp transition's mark: a small orange ring.
QCPScatterStyle mark_style() {
  return QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(255, 80, 40), 1.2), Qt::NoBrush, 5);
}

// The same ring drawn once into an image.
QPixmap mark_pixmap() {
  QPixmap pixmap(8, 8);
  pixmap.fill(Qt::transparent);
  QCPPainter painter(&pixmap);
  painter.setRenderHint(QPainter::Antialiasing);
  const QCPScatterStyle style = mark_style();
  style.applyTo(&painter, style.pen());
  style.drawShape(&painter, 4, 4);
  return pixmap;
}
}  // namespace

HeatmapView::HeatmapView(QWidget* parent)
    : QWidget(parent),
      worker_(new PooledMapWorker([this](uint64_t ticket, PooledMap map) { accept(ticket, std::move(map)); },
                                  [this](uint64_t ticket, const QString& message) { refused(ticket, message); },
                                  this)),
      plot_(new QCustomPlot(this)),
      profile_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_, 4);
  layout->addWidget(profile_, 1);
  plot_->setObjectName("heatmap");
  profile_->setObjectName("profile");
  // The plots may shrink below their labels' natural size: three side by side
  // (before / after / diff) must not hold the window wider than the screen.
  for (auto* p : {plot_, profile_}) {
    p->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    p->setMinimumSize(120, 60);
  }

  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot_->setNoAntialiasingOnDrag(true);
  plot_->yAxis->setRangeReversed(true);  // query 0 at the top
  plot_->xAxis->setLabel("key");
  plot_->yAxis->setLabel("query");
  plot_->xAxis->setTickLabelRotation(60);
  plot_->xAxis->grid()->setVisible(false);
  plot_->yAxis->grid()->setVisible(false);

  plot_->addLayer(kOverlay, plot_->layer("main"), QCustomPlot::limAbove);
  plot_->layer(kOverlay)->setMode(QCPLayer::lmBuffered);  // hover redraws this layer only

  matrix_ = new MatrixLayer(plot_->xAxis, plot_->yAxis);
  matrix_->setLayer("main");

  colour_scale_ = new QCPColorScale(plot_);
  plot_->plotLayout()->addElement(0, 1, colour_scale_);
  colour_scale_->setType(QCPAxis::atRight);
  auto* margins = new QCPMarginGroup(plot_);
  plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  colour_scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);

  marks_graph_ = plot_->addGraph();
  marks_graph_->setLineStyle(QCPGraph::lsNone);
  marks_graph_->setScatterStyle(mark_style());
  marks_graph_->setName("sharp transitions");

  row_box_ = new QCPItemRect(plot_);
  row_box_->setPen(QPen(QColor(255, 255, 255), 1.5, Qt::DashLine));
  row_box_->setVisible(false);
  hover_box_ = new QCPItemRect(plot_);
  hover_box_->setLayer(kOverlay);
  hover_box_->setPen(QPen(QColor(255, 40, 40), 2));
  hover_box_->setVisible(false);

  profile_graph_ = profile_->addGraph();
  profile_graph_->setLineStyle(QCPGraph::lsStepCenter);
  profile_graph_->setBrush(QColor(49, 104, 142, 60));
  profile_marks_ = profile_->addGraph();
  profile_marks_->setLineStyle(QCPGraph::lsNone);
  profile_marks_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(255, 80, 40), 1.5), Qt::NoBrush, 6));
  profile_->yAxis->setLabel("weight");
  profile_->xAxis->setLabel("key (selected query row)");
  // Zoom and pan: the profile follows the keys on show, labels are chosen for the visible range.
  connect(plot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this](const QCPRange& range) {
    profile_->xAxis->setRange(range);
    update_tick_labels();
    request_region();
    profile_->replot(QCustomPlot::rpQueuedReplot);  // queued after the region's request, once per turn
  });
  connect(plot_->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this] {
    update_tick_labels();
    request_region();
  });

  plot_->setMouseTracking(true);
  plot_->installEventFilter(this);
  set_colour_map(ColourMapKind::Viridis);
}

void HeatmapView::set_data(HeatmapData data) {
  clear_source();
  adopt(std::move(data));
  rebuild_image();
  reset_zoom();
  update_profile();
}

void HeatmapView::set_source(HeatmapData data, std::shared_ptr<const MapSource> source) {
  clear_source();
  data.values.clear();
  data.rows = data.cols = source ? source->length() : 0;
  adopt(std::move(data));
  source_ = std::move(source);
  if (source_) paint_overview();
  rebuild_image();
  reset_zoom();
  // After the layout for this map (reset_zoom replots): the pass takes the pixels the unzoomed view spans.
  if (source_) start_whole_pass();
  update_profile();
}

void HeatmapView::start_whole_pass() {
  whole_ticket_ = ++ticket_;
  worker_->request(source_, region_request(true), whole_ticket_);
}

void HeatmapView::paint_overview() {
  const int n = static_cast<int>(std::lround(std::sqrt(double(data_.overview.size()))));
  // The overview is of raw weights: with rows normalised or the diagonal hidden, wait for the source.
  if (n < 1 || size_t(n) * n != data_.overview.size() || n > data_.rows || display_.row_normalise ||
      display_.hide_diagonal)
    return;
  auto preview = std::make_shared<PooledMap>();
  preview->rows = preview->cols = n;
  preview->region = {0, data_.rows, 0, data_.cols};
  preview->pixels = data_.overview;
  // Blocks start at ceil(k L / n) (core/mixing/map_summary.h); a block wholly after its queries is blank.
  const auto start = [&](int k) { return (int64_t(k) * data_.rows + n - 1) / n; };
  if (data_.causal)
    for (int p = 0; p < n; ++p)
      for (int q = 0; q < n; ++q)
        if (start(q) > start(p + 1) - 1) preview->pixels[size_t(p) * n + q] = std::nanf("");
  // Signedness and range as for any map held whole (no option here transforms it); a clipped range waits for the source's.
  DisplayOptions unclipped = display_;
  unclipped.clip_percentile = 100;
  const DisplayedMap shown = prepare_display({preview->pixels.data(), n, n, false}, unclipped);
  source_signed_ = shown.is_signed;
  source_range_ = shown.range;
  shown_pooled_ = std::move(preview);
}

void HeatmapView::clear_source() {
  source_.reset();
  worker_->cancel_all();
  pooled_cache_.clear();
  shown_pooled_.reset();
  asked_.reset();
  whole_ready_ = false;
  first_image_shown_ = false;
  last_cell_ = QPoint(-1, -1);
  source_signed_ = false;
  source_range_ = ValueRange{};
}

void HeatmapView::adopt(HeatmapData data) {
  data_ = std::move(data);
  if (data_.row_labels.size() != data_.rows) {
    data_.row_labels.clear();
    for (int i = 0; i < data_.rows; ++i) data_.row_labels << QString::number(i);
  }
  if (data_.col_labels.size() != data_.cols) data_.col_labels = data_.row_labels.mid(0, data_.cols);
  marks_.clear();
  marks_graph_->data()->clear();
  if (selected_row_ >= data_.rows) selected_row_ = -1;
  if (selected_row_ < 0 && data_.rows > 0) selected_row_ = data_.rows - 1;  // the final token reads the answer
  hover_ = {-1, -1};
  hover_box_->setVisible(false);
  update_labels();
}

PooledRequest HeatmapView::region_request(bool whole_map) const {
  PooledRequest r;
  r.display = display_;
  r.whole_map = whole_map;
  const int n = data_.rows;
  const auto [r0, r1] = whole_map ? std::pair{0, n} : cells_on_show(plot_->yAxis->range(), n);
  const auto [c0, c1] = whole_map ? std::pair{0, n} : cells_on_show(plot_->xAxis->range(), n);
  r.region = {r0, r1, c0, c1};
  const QRect rect = plot_->axisRect()->rect();
  // Screen pixels the region spans; before the first layout, a usual map size.
  // The whole map's pass takes what the whole map spans unzoomed (at most the
  // plot's rectangle when zoomed in), so the unzoomed view needs no region of its own.
  double across = std::abs(plot_->xAxis->coordToPixel(c1 - 0.5) - plot_->xAxis->coordToPixel(c0 - 0.5));
  double down = std::abs(plot_->yAxis->coordToPixel(r1 - 0.5) - plot_->yAxis->coordToPixel(r0 - 0.5));
  if (whole_map) across = std::min<double>(across, rect.width()), down = std::min<double>(down, rect.height());
  if (rect.width() < 32 || rect.height() < 32) across = down = 600;
  r.cols = std::clamp(static_cast<int>(std::ceil(across)), 1, c1 - c0);
  r.rows = std::clamp(static_cast<int>(std::ceil(down)), 1, r1 - r0);
  return r;
}

void HeatmapView::request_region() {
  if (!source_ || region_requested_) return;
  region_requested_ = true;  // one request per event-loop turn, however many range changes came
  QTimer::singleShot(0, this, [this] {
    region_requested_ = false;
    draw_region();
  });
}

void HeatmapView::draw_region() {
  if (!source_ || !whole_ready_) return;  // the whole map's pass draws first and asks again
  const PooledRequest wanted = region_request(false);
  if (shown_pooled_ && same_pixels(*shown_pooled_, wanted)) return;
  for (size_t k = 0; k < pooled_cache_.size(); ++k)
    if (same_pixels(*pooled_cache_[k], wanted)) {
      auto hit = pooled_cache_[k];
      pooled_cache_.erase(pooled_cache_.begin() + static_cast<std::ptrdiff_t>(k));
      pooled_cache_.insert(pooled_cache_.begin(), hit);
      return show_pooled(hit);
    }
  if (asked_ && same_pixels(asked_->region, asked_->rows, asked_->cols, wanted)) return;  // on its way
  asked_ = wanted;
  worker_->request(source_, wanted, ++ticket_);  // the image on show stays until it comes
}

void HeatmapView::accept(uint64_t ticket, PooledMap map) {
  if (!source_ || ticket < whole_ticket_ || map.pixels.empty()) return;  // a previous head's, or cancelled
  const bool whole = ticket == whole_ticket_;
  if (whole) {
    source_signed_ = map.is_signed;
    source_range_ = map.range;
  }
  QVector<QPoint> marks = whole ? std::move(map.marks) : QVector<QPoint>{};
  auto pooled = std::make_shared<const PooledMap>(std::move(map));
  pooled_cache_.insert(pooled_cache_.begin(), pooled);
  if (pooled_cache_.size() > kPooledKept) pooled_cache_.pop_back();
  if (ticket == ticket_) asked_.reset();
  if (whole) {
    whole_ready_ = true;
    shown_pooled_ = pooled;  // the first paint; a zoomed view asks for its region below
    store_marks(marks);
    rebuild_image(false);
    update_profile();  // replots both plots, once
    const bool first = !first_image_shown_;
    first_image_shown_ = true;
    if (first) emit image_ready_now();
    return draw_region();
  }
  const PooledRequest wanted = region_request(false);
  if (same_pixels(*pooled, wanted)) show_pooled(pooled);
  else draw_region();
}

void HeatmapView::refused(uint64_t ticket, const QString& message) {
  if (!source_ || ticket < whole_ticket_) return;  // a previous head's
  if (ticket == ticket_) asked_.reset();           // asking again may succeed (memory freed meanwhile)
  if (ticket == whole_ticket_) {
    // Nothing is pending any more: the overview (or nothing) stays, zooming asks for regions.
    whole_ready_ = true;
    first_image_shown_ = true;
  }
  emit drawing_failed(message);
}

void HeatmapView::show_pooled(std::shared_ptr<const PooledMap> map) {
  shown_pooled_ = std::move(map);
  rebuild_image();
  emit region_drawn();
}

bool HeatmapView::drawing() const { return source_ && (!whole_ready_ || worker_->busy() || region_requested_); }

QRect HeatmapView::drawn_cells() const {
  if (!source_) return QRect(0, 0, data_.cols, data_.rows);
  if (!shown_pooled_) return {};
  const auto& r = shown_pooled_->region;
  return QRect(r.col_begin, r.row_begin, r.col_end - r.col_begin, r.row_end - r.row_begin);
}

QSize HeatmapView::drawn_pixels() const {
  if (!source_) return QSize(data_.cols, data_.rows);
  return shown_pooled_ ? QSize(shown_pooled_->cols, shown_pooled_->rows) : QSize();
}

std::vector<float> HeatmapView::row_values(int row) const {
  if (row < 0 || row >= data_.rows) return {};
  if (source_) return source_->row(row);
  if (data_.values.empty()) return {};
  const float* values = data_.values.data() + static_cast<size_t>(row) * data_.cols;
  return std::vector<float>(values, values + data_.cols);
}

double HeatmapView::value_at(int row, int col) const {
  if (row < 0 || col < 0 || row >= data_.rows || col >= data_.cols) return 0;
  if (source_) {
    // A hover asks for its cell several times (tooltip, signal, status bar): computed once.
    if (last_cell_ != QPoint(col, row)) last_cell_ = QPoint(col, row), last_value_ = source_->cell(row, col);
    return last_value_;
  }
  return data_.values.empty() ? 0 : data_.values[static_cast<size_t>(row) * data_.cols + col];
}

std::vector<float> HeatmapView::whole_map() const { return source_ ? source_->whole() : data_.values; }

MapPanel HeatmapView::region_panel(const MapRegion& wanted) const {
  MapPanel panel;
  const MapRegion r = resolved_region(wanted, source_ ? source_->length() : data_.rows);
  if (!source_) {
    // A map held whole goes as it is: compose_figure cuts the region (and
    // refuses a view whose map is missing, one whose long map did not fit).
    panel.values = data_.values;
    return panel;
  }
  panel.held = r;
  panel.values = source_->region(r);
  return panel;
}

void HeatmapView::set_colour_map(ColourMapKind kind) {
  chosen_map_ = kind;
  rebuild_image();
}

void HeatmapView::set_display(const DisplayOptions& options) {
  display_ = options;
  if (source_) {
    // Pixels and the colour range change with the options: the whole map's pass
    // comes again (the image on show stays until it does).
    pooled_cache_.clear();
    asked_.reset();
    whole_ready_ = false;
    worker_->cancel_all();
    start_whole_pass();
  }
  rebuild_image();
}

MapRegion HeatmapView::visible_region() const {
  const auto cells = [](const QCPRange& r, int n) {
    const int begin = std::clamp(static_cast<int>(std::ceil(r.lower)), 0, n);
    const int end = std::clamp(static_cast<int>(std::floor(r.upper)) + 1, 0, n);
    return end > begin ? std::pair{begin, end} : std::pair{0, n};
  };
  const auto [r0, r1] = cells(plot_->yAxis->range(), data_.rows);
  const auto [c0, c1] = cells(plot_->xAxis->range(), data_.cols);
  return {r0, r1, c0, c1};
}

void HeatmapView::set_scale(ScaleKind scale) {
  scale_ = scale;
  rebuild_image();
}

void HeatmapView::set_fixed_range(std::optional<ValueRange> range) {
  fixed_range_ = range;
  rebuild_image();
}

void HeatmapView::rebuild_image(bool replot) {
  if (source_) {
    const ColourMapKind kind = source_signed_ ? ColourMapKind::Diverging : chosen_map_;
    if (kind != map_.kind()) map_ = ColourMap(kind);
    range_ = fixed_range_ ? *fixed_range_ : source_range_;
    if (const auto p = shown_pooled_) {
      // Pixels hold what is drawn (NaN: nothing), so no causal blanking on top.
      const QImage image = render_matrix({p->pixels.data(), p->rows, p->cols, false}, map_, range_, scale_);
      matrix_->set_image(image, p->region.row_begin, p->region.row_end, p->region.col_begin, p->region.col_end);
    } else {
      matrix_->set_image(QImage());
    }
  } else if (data_.values.empty()) {
    matrix_->set_image(QImage());
    if (replot) plot_->replot();
    return;
  } else {
    const DisplayedMap shown = prepare_display({data_.values.data(), data_.rows, data_.cols, data_.causal}, display_);
    const ColourMapKind kind = shown.is_signed ? ColourMapKind::Diverging : chosen_map_;
    if (kind != map_.kind()) map_ = ColourMap(kind);
    range_ = fixed_range_ ? *fixed_range_ : shown.range;
    matrix_->set_image(render_matrix({shown.values.data(), data_.rows, data_.cols, data_.causal}, map_, range_, scale_));
  }
  update_colour_scale();
  if (replot) plot_->replot();
}

void HeatmapView::update_colour_scale() {
  colour_scale_->setGradient(map_.gradient());
  const bool log = scale_ == ScaleKind::Log && !map_.diverging();
  colour_scale_->axis()->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  if (log) colour_scale_->axis()->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
  else colour_scale_->axis()->setTicker(QSharedPointer<QCPAxisTicker>::create());
  colour_scale_->setDataScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  const double low = log ? log_floor(range_) : range_.low;
  colour_scale_->setDataRange(QCPRange(low, range_.high));
}

void HeatmapView::update_labels() {
  // The map gets what the colour bar, labels and title leave (about 160 px
  // across, 120 down); a label needs about 16 px across and 14 px down.
  update_tick_labels();
  plot_->plotLayout()->setRowStretchFactor(0, 1);
  if (!data_.title.isEmpty()) {
    if (plot_->plotLayout()->rowCount() == 1) {
      plot_->plotLayout()->insertRow(0);
      plot_->plotLayout()->addElement(0, 0, new QCPTextElement(plot_, data_.title, QFont("sans", 10, QFont::Bold)));
    } else if (auto* t = qobject_cast<QCPTextElement*>(plot_->plotLayout()->element(0, 0))) {
      t->setText(data_.title);
    }
  }
}

void HeatmapView::update_tick_labels() {
  // The map gets what the colour bar, labels and title leave (about 160 px
  // across, 120 down); a label needs about 16 px across and 14 px down.
  const int max_cols = std::max(4, (plot_->width() - 160) / 16), max_rows = std::max(4, (plot_->height() - 120) / 14);
  const QCPRange x = plot_->xAxis->range(), y = plot_->yAxis->range();
  plot_->xAxis->setTicker(token_ticker(data_.col_labels, x.lower, x.upper, max_cols));
  plot_->yAxis->setTicker(token_ticker(data_.row_labels, y.lower, y.upper, max_rows));
  // The profile's labels lie flat: each needs about 75 px.
  profile_->xAxis->setTicker(token_ticker(data_.col_labels, x.lower, x.upper, std::max(2, (profile_->width() - 60) / 75)));
}

void HeatmapView::reset_zoom() {
  plot_->xAxis->setRange(-0.5, std::max(1, data_.cols) - 0.5);
  plot_->yAxis->setRange(-0.5, std::max(1, data_.rows) - 0.5);
  plot_->replot();
}

void HeatmapView::set_marks(const QVector<QPoint>& cells) {
  store_marks(cells);
  plot_->replot();
  update_profile();
}

void HeatmapView::store_marks(const QVector<QPoint>& cells) {
  marks_ = cells;
  QVector<double> x, y;
  for (const auto& c : cells) x << c.x(), y << c.y();
  marks_graph_->setData(x, y);  // ordered by row, not by key: QCustomPlot sorts them
  // Thousands of antialiased circles take a replot 100 ms and more: then each is one small image.
  const bool many = cells.size() > kVectorMarksAtMost;
  if (many != (marks_graph_->scatterStyle().shape() == QCPScatterStyle::ssPixmap))
    marks_graph_->setScatterStyle(many ? QCPScatterStyle(mark_pixmap()) : mark_style());
}

void HeatmapView::select_row(int row) {
  if (row < 0 || row >= data_.rows) return;
  selected_row_ = row;
  update_profile();
  emit row_selected(row);
}

void HeatmapView::update_profile() {
  QVector<double> x, y, mx, my;
  if (selected_row_ >= 0 && selected_row_ < data_.rows) {
    const int end = data_.causal ? std::min(data_.cols, selected_row_ + 1) : data_.cols;
    const std::vector<float> weights = row_values(selected_row_);
    for (int j = 0; j < end && j < static_cast<int>(weights.size()); ++j) x << j, y << weights[j];
    for (const auto& c : marks_)
      if (c.y() == selected_row_ && c.x() < end) mx << c.x(), my << y[c.x()];
    row_box_->topLeft->setCoords(-0.5, selected_row_ - 0.5);
    row_box_->bottomRight->setCoords(data_.cols - 0.5, selected_row_ + 0.5);
    row_box_->setVisible(true);
    profile_->yAxis->setLabel("weight, query " + QString::number(selected_row_));
  } else {
    row_box_->setVisible(false);
  }
  profile_graph_->setData(x, y, true);
  // A wide antialiased pen is stroked as polygons: 30 ms a replot for a
  // 2048-key step line, 5 ms with a one-pixel pen. Long rows take the thin one.
  profile_graph_->setPen(QPen(QColor(49, 104, 142), x.size() > kThickProfileKeysAtMost ? 1.0 : 1.5));
  profile_marks_->setData(mx, my);
  profile_->xAxis->setRange(plot_->xAxis->range());
  profile_->yAxis->rescale();
  profile_->replot();
  plot_->replot();
}

QString HeatmapView::cell_text(int row, int col) const {
  if (row < 0 || col < 0 || row >= data_.rows || col >= data_.cols) return {};
  if (data_.values.empty() && !source_) return {};
  const double v = value_at(row, col);
  QString text = QString("query '%1' (%2) \u2192 key '%3' (%4): %5")
                     .arg(data_.row_labels.value(row))
                     .arg(row)
                     .arg(data_.col_labels.value(col))
                     .arg(col)
                     .arg(v, 0, 'g', 5);
  if (data_.causal && col > row) text += " (future: masked)";
  return text;
}

QPoint HeatmapView::cell_at(const QPoint& pos) const {
  if (!plot_->axisRect()->rect().contains(pos)) return {-1, -1};
  const int col = static_cast<int>(std::lround(plot_->xAxis->pixelToCoord(pos.x())));
  const int row = static_cast<int>(std::lround(plot_->yAxis->pixelToCoord(pos.y())));
  if (row < 0 || col < 0 || row >= data_.rows || col >= data_.cols) return {-1, -1};
  return {col, row};
}

void HeatmapView::move_hover(int row, int col) {
  if (hover_ == QPoint(col, row)) return;
  hover_ = {col, row};
  const bool on = row >= 0;
  hover_box_->setVisible(on);
  if (on) {
    hover_box_->topLeft->setCoords(col - 0.5, row - 0.5);
    hover_box_->bottomRight->setCoords(col + 0.5, row + 0.5);
  }
  plot_->layer(kOverlay)->replot();  // the map image is not redrawn
}

bool HeatmapView::eventFilter(QObject* watched, QEvent* event) {
  if (watched == plot_) {
    if (event->type() == QEvent::MouseMove) {
      auto* e = static_cast<QMouseEvent*>(event);
      const QPoint cell = cell_at(e->pos());
      move_hover(cell.y(), cell.x());
      if (cell.x() >= 0) {
        QToolTip::showText(e->globalPosition().toPoint(), cell_text(cell.y(), cell.x()), plot_);
        emit cell_hovered(cell.y(), cell.x(), value_at(cell.y(), cell.x()));
      } else {
        QToolTip::hideText();
      }
    } else if (event->type() == QEvent::MouseButtonDblClick) {
      reset_zoom();
    } else if (event->type() == QEvent::MouseButtonPress) {
      press_pos_ = static_cast<QMouseEvent*>(event)->pos();
    } else if (event->type() == QEvent::MouseButtonRelease) {
      auto* e = static_cast<QMouseEvent*>(event);
      // A click selects the row; the end of a drag (a pan) does not.
      if (e->button() == Qt::LeftButton && (e->pos() - press_pos_).manhattanLength() < 4) {
        const QPoint cell = cell_at(e->pos());
        if (cell.y() >= 0) select_row(cell.y());
      }
    } else if (event->type() == QEvent::Resize) {
      update_labels();
      request_region();  // more or fewer pixels on show
    }
  }
  return QWidget::eventFilter(watched, event);
}

}  // namespace attnscope::widgets
