#include "app/gui/quick_tour.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace attnscope::gui {
namespace {
struct Panel {
  const char* title;
  const char* text;
};

const Panel kPanels[] = {
    {"The head grid",
     "Every layer is a row and every head a cell, drawn as a thumbnail of its token-mixing map. The outline's "
     "colour is the head's <b>transition sharpness</b>: warm for heads whose weight jumps between neighbouring "
     "tokens (typical of softmax attention), pale for smooth ones (typical of SSMs). The badge at the left of a "
     "row says <b>A</b> for attention and <b>S</b> for an SSM layer.<br><br>Click a cell (or press Enter) to open "
     "the head; the arrow keys move between heads."},
    {"The heatmap",
     "Rows are query tokens, columns the keys they read; whitespace is shown as · and ↵. Hover a cell for the "
     "query, key and weight; scroll to zoom and drag to pan (Ctrl+0 resets). Small circles mark <b>sharp "
     "transitions</b>, where a row jumps between neighbouring keys (docs/metrics.md). Click a row to see it as a "
     "profile beneath.<br><br>View &gt; Log Scale (Ctrl+L) brings out small weights; View &gt; Colour Map "
     "switches maps."},
    {"Ablation",
     "Right-click a head in the grid (or press Space) to knock it out: the model re-runs without it, off the "
     "window's thread, and the Outputs panel shows the new next-token probabilities beside the intact ones and "
     "the change in the target token's log-probability. The <b>Before / after / diff</b> tab shows how the "
     "selected head's map changed.<br><br>Edit &gt; Undo (Ctrl+Z) restores heads; Edit &gt; Ablate by chooses "
     "zero, mean or uniform ablation. Saved sessions keep their ablations.<br><br>Analysis &gt; Sweep Heads "
     "(Ctrl+Shift+A) knocks out every head alone and colours the grid by how much the answer suffers; "
     "Analysis &gt; Patch Heads (Ctrl+Shift+P) copies each head from this prompt into a corrupted one and shows "
     "which heads carry the answer. On a Mamba-2 head, Analysis &gt; Replace Shown Head with Attention "
     "(Ctrl+Shift+G) trains a copy of the model in which that head is softmax attention."},
    {"Sessions and figures",
     "File &gt; Save Session (Ctrl+S) writes an HDF5 file that opens later without the model, for teaching. "
     "File &gt; Export Figure (Ctrl+E) writes the tab on show (one head, before/after/diff or a comparison) as "
     "PDF or SVG with vector text, or PNG at a chosen DPI, sized for a paper column or page. Pin a head "
     "(Ctrl+P) to compare it with another head, or with the same prompt through another model, on one colour "
     "scale.<br><br>From a terminal: <tt>attnscope scan</tt> finds the heads that carry in-context retrieval."},
};
}  // namespace

QuickTour::QuickTour(QWidget* parent)
    : QDialog(parent), pages_(new QStackedWidget(this)), counter_(new QLabel(this)),
      back_(new QPushButton(tr("&Back"), this)), next_(new QPushButton(tr("&Next"), this)) {
  setWindowTitle(tr("Quick tour"));
  resize(520, 320);
  for (const auto& panel : kPanels) {
    auto* page = new QLabel(QString("<h3>%1</h3><p>%2</p>").arg(tr(panel.title), tr(panel.text)), pages_);
    page->setWordWrap(true);
    page->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    page->setTextFormat(Qt::RichText);
    pages_->addWidget(page);
  }
  auto* close = new QPushButton(tr("&Close"), this);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(counter_);
  buttons->addStretch();
  buttons->addWidget(back_);
  buttons->addWidget(next_);
  buttons->addWidget(close);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(pages_, 1);
  layout->addLayout(buttons);
  connect(back_, &QPushButton::clicked, this, [this] { show_page(current_page() - 1); });
  connect(next_, &QPushButton::clicked, this, [this] { show_page(current_page() + 1); });
  connect(close, &QPushButton::clicked, this, &QDialog::accept);
  show_page(0);
}

int QuickTour::page_count() const { return pages_->count(); }
int QuickTour::current_page() const { return pages_->currentIndex(); }

void QuickTour::show_page(int index) {
  if (index < 0 || index >= page_count()) return;
  pages_->setCurrentIndex(index);
  counter_->setText(tr("%1 of %2").arg(index + 1).arg(page_count()));
  back_->setEnabled(index > 0);
  next_->setEnabled(index + 1 < page_count());
  (index + 1 < page_count() ? next_ : back_)->setDefault(true);
}

}  // namespace attnscope::gui
