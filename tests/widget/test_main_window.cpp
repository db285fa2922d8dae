// The assembled window, offscreen, on real models: a grid click opens that
// head, the ablation gesture re-runs the model and the outputs panel shows
// exactly what the core computes, undo restores, the event loop keeps
// turning during a run, and Cancel stops a run within a second.
// LibTorch headers before Qt's (Qt's `slots` macro breaks them).
#include "core/ablation/activation_patching.h"
#include "core/ablation/head_sweep.h"
#include "core/util/input_file.h"
#include "core/io/json_file.h"
#include "core/models/forward.h"
#include "core/runtime/loaded_model.h"
#include "support/random_models.h"
// Qt after torch.
#include <gtest/gtest.h>
#include <qcustomplot.h>

#include <QApplication>
#include <QCheckBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QSpinBox>
#include <QTabWidget>
#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QTableWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <cstdlib>
#include <filesystem>

#include "app/gui/main_window.h"
#include "app/gui/patch_dialog.h"
#include "app/gui/position_patch_view.h"
#include "app/gui/quick_tour.h"
#include "app/gui/run_panel.h"
#include "core/session/session_reader.h"
#include "widgets/head_grid.h"
#include "widgets/heatmap_view.h"
#include "widgets/matrix_image.h"
#include "widgets/outputs_panel.h"
#include "widgets/token_text_view.h"

using namespace attnscope;
using attnscope::gui::MainWindow;
namespace fs = std::filesystem;

namespace {
const QString kDemo = QString(ATTNSCOPE_SOURCE_DIR) + "/resources/models/transformer";
const QString kPrompt = "Question: Which option is candle?\nA. river stone\nB. tiger candle\nC. apple\nD. cloud lamp horse\nAnswer:";

// Log-probability of `target` after the prompt, straight from the core.
double core_logprob(const LoadedModel& loaded, const std::vector<int64_t>& ids, int64_t target,
                    const std::vector<HeadAblation>& ablations) {
  ForwardOptions options;
  options.ablations = ablations;
  const at::Tensor tensor = at::tensor(at::ArrayRef<int64_t>(ids), at::TensorOptions().dtype(at::kLong));
  const ForwardResult r = run_forward(*loaded.model, tensor, options);
  return at::log_softmax(r.logits[-1].to(at::kDouble), -1)[target].item<double>();
}

// True when the run finished; false at once when it failed (the status says why).
bool run_and_wait(MainWindow& window, int timeout_ms = 120000) {
  QSignalSpy done(&window, &MainWindow::run_done), failed(&window, &MainWindow::run_failed);
  QTest::mouseClick(window.run_panel()->run_button(), Qt::LeftButton);
  QElapsedTimer clock;
  clock.start();
  while (done.isEmpty() && failed.isEmpty() && clock.elapsed() < timeout_ms) QTest::qWait(10);
  return !done.isEmpty();
}

// The bundled Transformer demo on the demo prompt, shown and run.
void run_demo(MainWindow& window) {
  window.run_panel()->set_checkpoint(kDemo);
  window.run_panel()->set_prompt(kPrompt);
  window.show();
  ASSERT_TRUE(run_and_wait(window)) << window.run_panel()->status().toStdString();
}
}  // namespace

TEST(MainWindow, GridClickOpensTheHeadAndAblationShowsWhatTheCoreComputesAndUndoRestores) {
  MainWindow window;
  window.set_demos({kDemo}, kPrompt);
  window.run_panel()->set_checkpoint(kDemo);
  window.show();
  ASSERT_TRUE(run_and_wait(window)) << window.run_panel()->status().toStdString();
  ASSERT_NE(window.session(), nullptr);

  // A click on a cell opens exactly that head's map from the session.
  auto* grid = window.grid();
  QTest::mouseClick(grid, Qt::LeftButton, {}, grid->cell_centre(0, 2));
  EXPECT_EQ(window.current_row(), 0);
  EXPECT_EQ(window.current_head(), 2);
  EXPECT_EQ(window.heatmap()->data().values, window.session()->read_head(0, 2));

  // Right-click ablates head 1.1 and re-runs the model off the GUI thread.
  QSignalSpy ablated(&window, &MainWindow::ablation_done);
  QTest::mouseClick(grid, Qt::RightButton, {}, grid->cell_centre(1, 1));
  ASSERT_TRUE(ablated.wait(60000));
  ASSERT_TRUE(window.last_ablation() != nullptr);
  EXPECT_TRUE(grid->is_ablated(1, 1));
  // Head 0.2 comes before the ablated layer: its diff is exactly zero, not float16-vs-float32 speckle.
  const auto& diff = window.diff_view()->data().values;
  ASSERT_FALSE(diff.empty());
  EXPECT_EQ(std::count(diff.begin(), diff.end(), 0.f), static_cast<std::ptrdiff_t>(diff.size()));

  const auto loaded = load_for_running(kDemo.toStdString(), LoadOptions{});
  const auto ids = prompt_from_text(*loaded, kPrompt.toStdString()).ids;
  const int64_t target = window.session()->outputs().target;
  const double before = core_logprob(*loaded, ids, target, {});
  const double after = core_logprob(*loaded, ids, target, {{1, 1, AblationMode::Zero}});
  EXPECT_NEAR(window.last_ablation()->logprob_before, before, 1e-4);
  EXPECT_NEAR(window.last_ablation()->logprob_after, after, 1e-4);
  EXPECT_GT(std::abs(after - before), 1e-3) << "the chosen head should matter at all";
  const QString shown = window.outputs()->delta_text();
  EXPECT_TRUE(shown.contains(QString::number(after, 'f', 4))) << shown.toStdString();
  EXPECT_TRUE(shown.contains(QString::asprintf("%+.4f", after - before))) << shown.toStdString();

  // Undo restores the intact view; redo brings the ablation back (cached).
  window.exploration().undo();
  EXPECT_FALSE(grid->is_ablated(1, 1));
  EXPECT_FALSE(window.last_ablation() != nullptr);
  EXPECT_TRUE(window.outputs()->delta_text().startsWith("No heads ablated"));
  window.exploration().redo();
  EXPECT_TRUE(grid->is_ablated(1, 1));
  ASSERT_TRUE(window.last_ablation() != nullptr);
  EXPECT_EQ(window.outputs()->delta_text(), shown);

  // Multi-panel figures: before/after/diff and a two-head comparison, each in
  // one file; the PDF renders and the PNG has exactly the requested pixels.
  QTemporaryDir out;
  const gui::FigureChoice choice{{100, 50, 200}, 7, false, false};  // 787 x 394 px
  for (int tab : {1, 2}) {
    window.tabs()->setCurrentIndex(tab);
    if (tab == 2) {
      window.open_head(0, 1);
      window.pin_for_compare();
      window.open_head(1, 3);
    }
    ASSERT_EQ(window.current_panels(), tab == 1 ? 3 : 2);
    const QString pdf = out.filePath(QString("tab%1.pdf").arg(tab)), png = out.filePath(QString("tab%1.png").arg(tab));
    ASSERT_EQ(window.export_current(pdf, choice), QString());
    ASSERT_EQ(window.export_current(png, choice), QString());
    const QImage image(png);
    EXPECT_EQ(image.size(), QSize(787, 394));
    const std::string render = "pdftoppm -r 72 -png -singlefile '" + pdf.toStdString() + "' '" +
                               out.filePath(QString("page%1").arg(tab)).toStdString() + "'";
    ASSERT_EQ(std::system(render.c_str()), 0) << render;
    EXPECT_FALSE(QImage(out.filePath(QString("page%1.png").arg(tab))).isNull());
  }
}

// Two figure PDFs with identical map images (at least `images` of them) and text.
void expect_same_figure(const QString& a, const QString& b, int images) {
  for (const QString& pdf : {a, b}) {
    const std::string extract = "pdfimages -png '" + pdf.toStdString() + "' '" + pdf.toStdString() + "-img'";
    const std::string text = "pdftotext '" + pdf.toStdString() + "' '" + pdf.toStdString() + ".txt'";
    ASSERT_EQ(std::system(extract.c_str()), 0);
    ASSERT_EQ(std::system(text.c_str()), 0);
  }
  for (int n = 0;; ++n) {
    const QString suffix = QString("-img-%1.png").arg(n, 3, 10, QChar('0'));
    const QImage from_a(a + suffix), from_b(b + suffix);
    if (from_a.isNull()) {
      EXPECT_GE(n, images);
      EXPECT_TRUE(from_b.isNull()) << "more images in " << b.toStdString();
      break;
    }
    EXPECT_EQ(from_a, from_b) << "image " << n << " differs";
  }
  EXPECT_EQ(files::read_file((a + ".txt").toStdString(), 1 << 20), files::read_file((b + ".txt").toStdString(), 1 << 20));
}

// The export dialog's CLI line remakes the window's figure (zoomed, row-normalised,
// diagonal hidden, marks, font): the same map image and the same words.
// Compare pins again and unpins, and names the model.
TEST(MainWindow, ExportCommandLineRemakesTheFigureAndCompareRepinsAndUnpins) {
  MainWindow window;
  ASSERT_NO_FATAL_FAILURE(run_demo(window));
  // Every stored metric is in the grid cell's tooltip; the outline is warm for sharp heads.
  for (const char* metric : {"row_entropy", "top1_mass", "transition_sharpness"})
    EXPECT_TRUE(window.grid()->cell(1, 3).details.contains(metric)) << metric;
  EXPECT_LT(widgets::HeadGrid::outline_colour(1).lightnessF(), widgets::HeadGrid::outline_colour(0).lightnessF());
  EXPECT_GT(widgets::HeadGrid::outline_colour(1).red(), widgets::HeadGrid::outline_colour(1).blue());
  window.open_head(1, 3);
  window.pin_for_compare();
  EXPECT_TRUE(window.compare_left_view()->data().title.startsWith("transformer")) << "titled with the model";
  window.open_head(0, 1);
  EXPECT_TRUE(window.compare_left_view()->data().title.contains("layer 1, head 3"));
  EXPECT_TRUE(window.compare_right_view()->data().title.contains("layer 0, head 1"));
  window.pin_for_compare();
  EXPECT_TRUE(window.compare_left_view()->data().title.contains("layer 0, head 1")) << "pinning again re-pins";
  window.unpin_compare();
  EXPECT_TRUE(window.compare_left_view()->data().values.empty());
  window.open_head(1, 3);
  EXPECT_TRUE(window.compare_right_view()->data().values.empty()) << "unpinned, the right side no longer follows";

  // The prompt text follows the selected query; hovering a token selects its row.
  EXPECT_EQ(window.token_text()->query(), window.heatmap()->selected_row());
  QTest::mouseMove(window.token_text(), window.token_text()->token_rect(7).center());
  EXPECT_EQ(window.heatmap()->selected_row(), 7);
  EXPECT_EQ(window.token_text()->query(), 7);

  widgets::DisplayOptions display;
  display.row_normalise = true;
  display.hide_diagonal = true;
  window.set_display(display);
  EXPECT_FLOAT_EQ(window.heatmap()->current_range().high, 1.f) << "rows scaled to their largest weight";
  window.heatmap()->plot()->yAxis->setRange(10.5, 25.5);
  window.heatmap()->plot()->xAxis->setRange(2.5, 20.5);

  QTemporaryDir dir;
  const gui::FigureChoice choice{{85, 85, 300}, 8, true, true};
  window.tabs()->setCurrentIndex(1);
  EXPECT_TRUE(window.export_current(dir.filePath("no.pdf"), choice).contains("No ablation on show"));
  window.tabs()->setCurrentIndex(0);
  EXPECT_TRUE(window.export_command_for(choice, "x.pdf").contains("SESSION.h5")) << "an unsaved run has no file to name";
  ASSERT_TRUE(window.save_session(dir.filePath("s.h5")));
  // The dialog shows that line and follows its fields.
  QString shown_line;
  QTimer::singleShot(200, [&] {
    auto* dialog = QApplication::activeModalWidget();
    ASSERT_NE(dialog, nullptr);
    auto* line_edit = dialog->findChild<QPlainTextEdit*>("export_command_line");
    ASSERT_NE(line_edit, nullptr);
    for (auto* box : dialog->findChildren<QCheckBox*>())
      if (box->text().contains("sharp")) box->setChecked(true);
    shown_line = line_edit->toPlainText();
    if (const QByteArray shots = qgetenv("ATTNSCOPE_SCREENSHOT_DIR"); !shots.isEmpty())
      dialog->grab().save(QString::fromUtf8(shots) + "/export-dialog.png");
    for (auto* b : dialog->findChildren<QPushButton*>())
      if (b->text().contains("OK")) QTest::mouseClick(b, Qt::LeftButton);
  });
  const auto asked = gui::ask_figure_choice(&window, 1, [&](const gui::FigureChoice& c) { return window.export_command_for(c, "fig.pdf"); });
  ASSERT_TRUE(asked.has_value());
  EXPECT_TRUE(asked->marks);
  EXPECT_TRUE(shown_line.contains("s.h5 --layer 1 --head 3 --out fig.pdf --width-mm 85 --height-mm 85")) << shown_line.toStdString();
  EXPECT_TRUE(shown_line.contains("--marks")) << "the line follows the dialog: " << shown_line.toStdString();
  const QString gui_pdf = dir.filePath("gui.pdf"), cli_pdf = dir.filePath("cli.pdf");
  ASSERT_EQ(window.export_current(gui_pdf, choice), QString());
  QString line = window.export_command_for(choice, cli_pdf);
  for (const char* part : {"--layer 1 --head 3", "--queries 11:26 --keys 3:21", "--row-normalise", "--hide-diagonal", "--marks",
                           "--font-pt 8", "s.h5"})
    EXPECT_TRUE(line.contains(part)) << part << " missing from " << line.toStdString();
  line.replace(0, 9, QString(ATTNSCOPE_BINARY_DIR) + "/app/attnscope");
  ASSERT_EQ(std::system((line + " > /dev/null").toLocal8Bit().constData()), 0) << line.toStdString();
  ASSERT_NO_FATAL_FAILURE(expect_same_figure(gui_pdf, cli_pdf, 1));

  // Before / after / diff: once the session is saved with the ablation on
  // show, the line remakes that figure too (`--diff-ablation shown`).
  QSignalSpy ablated(&window, &MainWindow::ablation_done);
  window.toggle_ablation(0, 3);
  ASSERT_TRUE(ablated.wait(60000));
  window.tabs()->setCurrentIndex(1);
  EXPECT_TRUE(window.export_command_for(choice, "x.pdf").isEmpty()) << "the saved file does not hold this ablation yet";
  ASSERT_TRUE(window.save_session(dir.filePath("s2.h5")));
  const QString gui_diff = dir.filePath("gui-diff.pdf"), cli_diff = dir.filePath("cli-diff.pdf");
  ASSERT_EQ(window.export_current(gui_diff, choice), QString());
  line = window.export_command_for(choice, cli_diff);
  EXPECT_TRUE(line.contains("s2.h5 --layer 1 --head 3 --diff-ablation shown")) << line.toStdString();
  line.replace(0, 9, QString(ATTNSCOPE_BINARY_DIR) + "/app/attnscope");
  ASSERT_EQ(std::system((line + " > /dev/null").toLocal8Bit().constData()), 0) << line.toStdString();
  ASSERT_NO_FATAL_FAILURE(expect_same_figure(gui_diff, cli_diff, 3));
  window.exploration().undo();
  EXPECT_TRUE(window.export_command_for(choice, "x.pdf").isEmpty()) << "unsaved changes: the file shows another state";
}

// Teaching from saved sessions: reopening puts the session's model and prompt
// in the run panel (or says the model is not here), the ablation mode is
// undoable, and quitting with unsaved ablations asks (Cancel keeps the window).
// A 150-character checkpoint path does not widen the window.
TEST(MainWindow, ReopenedSessionsRestoreTheRunPanelAndUnsavedChangesAreAskedAbout) {
  QTemporaryDir dir;
  const QString copy = dir.filePath("copied-model");
  fs::copy(kDemo.toStdString(), copy.toStdString(), fs::copy_options::recursive);
  const QString session = dir.filePath("s.h5"), orphan = dir.filePath("orphan.h5");
  {
    MainWindow window;
    window.run_panel()->set_checkpoint(kDemo);
    window.run_panel()->set_prompt(kPrompt);
    window.show();
    ASSERT_TRUE(run_and_wait(window)) << window.run_panel()->status().toStdString();
    ASSERT_TRUE(window.save_session(session));
    window.run_panel()->set_checkpoint(copy);
    window.run_panel()->set_prompt("Pairs: river 3 apple 7. Queries: apple");
    ASSERT_TRUE(run_and_wait(window));
    ASSERT_TRUE(window.save_session(orphan));
  }
  fs::remove_all(copy.toStdString());

  MainWindow window;
  window.resize(1400, 900);
  window.show();
  const QString long_path = "huggingface-cache/hub/models--meta-llama--Llama-3.2-1B-Instruct/snapshots/"
                            "4e20de362430cd3b72f300e6b0f18e50e7166e08";
  window.run_panel()->set_checkpoint(long_path);
  QApplication::processEvents();
  EXPECT_LE(window.width(), 1400) << "a long path must not widen the window";
  EXPECT_LT(window.minimumSizeHint().width(), 1400);

  window.run_panel()->set_checkpoint(QString(ATTNSCOPE_SOURCE_DIR) + "/resources/models/mamba2");
  ASSERT_TRUE(window.open_session(session));
  EXPECT_EQ(window.run_panel()->checkpoint(), kDemo);
  EXPECT_EQ(window.run_panel()->prompt(), kPrompt);
  EXPECT_FALSE(window.has_unsaved_changes());
  ASSERT_TRUE(window.open_session(orphan));
  EXPECT_TRUE(window.run_panel()->checkpoint().isEmpty());
  EXPECT_TRUE(window.run_panel()->status().contains("not on this machine")) << window.run_panel()->status().toStdString();
  EXPECT_TRUE(window.run_panel()->locate_button()->isVisible()) << "the window offers to locate the model";
  EXPECT_TRUE(window.run_panel()->locate_button()->text().contains("copied-model"));
  if (const QByteArray shots = qgetenv("ATTNSCOPE_SCREENSHOT_DIR"); !shots.isEmpty())
    window.grab().save(QString::fromUtf8(shots) + "/model-missing.png");
  EXPECT_TRUE(window.run_panel()->prompt().startsWith("Pairs: river 3"));

  // Live again: ablate, change the mode (undoable), then quit.
  window.run_panel()->set_checkpoint(kDemo);
  EXPECT_FALSE(window.run_panel()->locate_button()->isVisible());
  window.run_panel()->set_prompt(kPrompt);
  ASSERT_TRUE(run_and_wait(window));
  window.open_head(1, 3);
  QSignalSpy ablated(&window, &MainWindow::ablation_done);
  window.toggle_ablation(0, 3);
  ASSERT_TRUE(ablated.wait(60000));
  EXPECT_TRUE(window.has_unsaved_changes());
  QAction* by_mean = nullptr;
  for (auto* a : window.findChildren<QAction*>())
    if (a->text() == "Ablate by mean") by_mean = a;
  ASSERT_NE(by_mean, nullptr);
  by_mean->trigger();
  EXPECT_EQ(window.ablation_mode(), "mean");
  ASSERT_TRUE(ablated.wait(60000)) << "the mean ablation runs";
  EXPECT_EQ(window.exploration().undo_text(), "Ablate by mean");
  window.exploration().undo();
  EXPECT_EQ(window.ablation_mode(), "zero");
  window.exploration().redo();
  EXPECT_EQ(window.ablation_mode(), "mean");

  QString asked;
  QTimer::singleShot(200, [&] {
    auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
    ASSERT_NE(box, nullptr);
    asked = box->text();
    if (const QByteArray shots = qgetenv("ATTNSCOPE_SCREENSHOT_DIR"); !shots.isEmpty())
      box->grab().save(QString::fromUtf8(shots) + "/unsaved-changes.png");
    box->button(QMessageBox::Cancel)->click();
  });
  EXPECT_FALSE(window.close()) << "Cancel keeps the window";
  EXPECT_TRUE(asked.contains("not saved")) << asked.toStdString();
  EXPECT_TRUE(window.isVisible());
  ASSERT_TRUE(window.save_session(dir.filePath("after.h5")));
  EXPECT_FALSE(window.has_unsaved_changes());
  EXPECT_TRUE(window.close()) << "nothing unsaved: no question";
}

// A target typed in the outputs panel: any token (in the top-k or not, by
// text or #id) is what ablations, sweeps and saved sessions measure; its log p
// matches the core's; undo restores the previous one; bad targets are refused.
TEST(MainWindow, TargetTokenFieldMeasuresAnyTokenAndIsUndoable) {
  MainWindow window;
  ASSERT_NO_FATAL_FAILURE(run_demo(window));
  const auto loaded = load_for_running(kDemo.toStdString(), LoadOptions{});
  const auto ids = prompt_from_text(*loaded, kPrompt.toStdString()).ids;
  const qint64 top1 = window.target();
  const auto& top = window.session()->outputs().top;
  const qint64 second = top.at(1).id;

  // A token of the top-k by its text, as typed into the field.
  window.outputs()->target_field()->setText(QString::fromStdString(top.at(1).token));
  QTest::keyClick(window.outputs()->target_field(), Qt::Key_Return);
  ASSERT_EQ(window.target(), second);
  EXPECT_TRUE(window.outputs()->findChild<QLabel*>()->text().contains(QString::number(core_logprob(*loaded, ids, second, {}), 'f', 4)));
  // A token far outside the top-k, by id; with a head ablated, the change is the core's.
  const qint64 rare = 7;
  ASSERT_TRUE(window.set_target("#7"));
  QSignalSpy ablated(&window, &MainWindow::ablation_done);
  window.toggle_ablation(1, 3);
  ASSERT_TRUE(ablated.wait(60000));
  const double before = core_logprob(*loaded, ids, rare, {}), after = core_logprob(*loaded, ids, rare, {{1, 3, AblationMode::Zero}});
  const QString delta = window.outputs()->delta_text();
  EXPECT_TRUE(delta.contains(QString::number(before, 'f', 4))) << delta.toStdString();
  EXPECT_TRUE(delta.contains(QString::number(after, 'f', 4))) << delta.toStdString();
  // Every probability cell is filled: tokens only one run ranks read the other run's distribution.
  const auto* table = window.outputs()->table();
  for (int r = 0; r < table->rowCount(); ++r)
    for (int c = 1; c <= 2; ++c) EXPECT_FALSE(table->item(r, c)->text().isEmpty()) << "row " << r << " column " << c;

  window.exploration().undo();  // the ablation
  window.exploration().undo();  // the target
  EXPECT_EQ(window.target(), second);
  window.exploration().undo();
  EXPECT_EQ(window.target(), top1);
  window.exploration().redo();
  EXPECT_EQ(window.target(), second);

  EXPECT_FALSE(window.set_target("#99999999"));
  EXPECT_TRUE(window.run_panel()->status().contains("not a token id")) << window.run_panel()->status().toStdString();
  EXPECT_FALSE(window.set_target("river stone lamp"));
  EXPECT_TRUE(window.run_panel()->status().contains("tokens")) << window.run_panel()->status().toStdString();
  EXPECT_EQ(window.target(), second) << "a refused target changes nothing";

  // A token only the tokenizer knows, typed as the window shows tokens ('·' for a space).
  const auto seven = loaded->tokenizer->encode_ids(" 7");
  if (seven.size() == 1) {
    ASSERT_TRUE(window.set_target("·7")) << window.run_panel()->status().toStdString();
    EXPECT_EQ(window.target(), seven.front());
    EXPECT_EQ(window.token_text(window.target()), "·7");
    window.exploration().undo();
  }

  // A sweep measures the chosen target.
  QSignalSpy swept(&window, &MainWindow::sweep_done);
  window.start_sweep();
  ASSERT_TRUE(swept.wait(120000));
  EXPECT_EQ(window.last_sweep()->target, second);

  // Saved and reopened, the session keeps the target (with no ablation on show too).
  ASSERT_FALSE(window.last_ablation() != nullptr) << "the ablation was undone above";
  QTemporaryDir dir;
  ASSERT_TRUE(window.save_session(dir.filePath("target.h5")));
  MainWindow reopened;
  ASSERT_TRUE(reopened.open_session(dir.filePath("target.h5")));
  EXPECT_EQ(reopened.target(), second);
}

// A run is an undoable step: undoing it shows the run before, with its prompt
// and what was explored on it (the ablation from the cache); heads of that
// earlier run are not ablated again (the runner holds the newer one); redo
// returns to the newer run, live again.
TEST(MainWindow, RunsAreUndoableStepsWithWhatWasExploredOnThem) {
  MainWindow window;
  ASSERT_NO_FATAL_FAILURE(run_demo(window));
  QSignalSpy ablated(&window, &MainWindow::ablation_done);
  window.toggle_ablation(1, 3);
  ASSERT_TRUE(ablated.wait(60000));
  const QString shown = window.outputs()->delta_text();
  const QString other = "Pairs: river 3 apple 7 stone 1. Queries: apple";
  window.run_panel()->set_prompt(other);
  ASSERT_TRUE(run_and_wait(window)) << "only ablations, kept in the history: Run does not ask";
  EXPECT_EQ(QString::fromStdString(window.session()->prompt().text), other);
  EXPECT_TRUE(window.exploration().state().ablated.empty());
  EXPECT_FALSE(window.has_unsaved_changes());

  ASSERT_EQ(window.exploration().undo_text(), "Run");
  window.exploration().undo();
  EXPECT_EQ(QString::fromStdString(window.session()->prompt().text), kPrompt);
  EXPECT_EQ(window.run_panel()->prompt(), kPrompt);
  EXPECT_TRUE(window.grid()->is_ablated(1, 3));
  EXPECT_EQ(window.outputs()->delta_text(), shown) << "the earlier run's ablation shows from the cache";
  window.toggle_ablation(0, 1);
  EXPECT_TRUE(window.run_panel()->status().contains("earlier run")) << window.run_panel()->status().toStdString();
  EXPECT_FALSE(window.grid()->is_ablated(0, 1));

  window.exploration().redo();
  EXPECT_EQ(QString::fromStdString(window.session()->prompt().text), other);
  EXPECT_FALSE(window.grid()->is_ablated(1, 3));
  window.toggle_ablation(0, 1);
  ASSERT_TRUE(ablated.wait(60000)) << "the last run is live again";
  EXPECT_TRUE(window.grid()->is_ablated(0, 1));
}

// The bundled demo's vocabulary: a random model that borrows its tokenizer needs it.
static int64_t demo_vocab_size() {
  return io::read_json_file(fs::path(kDemo.toStdString()) / "config.json").at("vocab_size").get<int64_t>();
}

TEST(MainWindow, EventLoopKeepsTurningDuringARunAndCancelStopsItWithinASecond) {
  // A deep random model on a long prompt: a run takes seconds here.
  QTemporaryDir dir;
  const fs::path checkpoint = dir.filePath("deep").toStdString();
  test_support::write_random_checkpoint(
      {{"model_type", "llama"}, {"vocab_size", demo_vocab_size()}, {"hidden_size", 128}, {"intermediate_size", 512},
       {"num_hidden_layers", 96}, {"num_attention_heads", 4}, {"num_key_value_heads", 4}, {"head_dim", 32},
       {"max_position_embeddings", 1024}, {"rms_norm_eps", 1e-5}, {"tie_word_embeddings", true}},
      checkpoint);
  fs::copy_file(fs::path(kDemo.toStdString()) / "tokenizer.json", checkpoint / "tokenizer.json");
  QString prompt;
  for (int i = 0; i < 60; ++i) prompt += "Pairs: tiger 3 river 7 ";

  MainWindow window;
  window.run_panel()->set_checkpoint(QString::fromStdString(checkpoint.string()));
  window.run_panel()->set_prompt(prompt);
  window.show();

  // The GUI thread must stay responsive: a 5 ms timer keeps firing while the
  // worker runs, with no long gap.
  QElapsedTimer clock;
  qint64 last = 0, longest_gap = 0;
  int ticks = 0;
  QTimer ticker;
  QObject::connect(&ticker, &QTimer::timeout, [&] {
    if (!window.busy()) return;
    const qint64 now = clock.elapsed();
    if (ticks++ > 0) longest_gap = std::max(longest_gap, now - last);
    last = now;
  });
  clock.start();
  ticker.start(5);
  ASSERT_TRUE(run_and_wait(window)) << window.run_panel()->status().toStdString();
  const qint64 run_ms = clock.elapsed();
  ticker.stop();
  EXPECT_GE(run_ms, 1500) << "the run must last long enough to cancel it";
  EXPECT_GE(ticks, 20);
  EXPECT_LT(longest_gap, 250) << "the GUI thread was blocked for " << longest_gap << " ms";

  // Second run (model already loaded): Cancel once a few layers are done.
  QSignalSpy finished(&window, &MainWindow::run_done);
  QSignalSpy stopped(&window, &MainWindow::run_failed);
  QTest::mouseClick(window.run_panel()->run_button(), Qt::LeftButton);
  QProgressBar* bar = window.run_panel()->progress_bar();
  QElapsedTimer wait;
  wait.start();
  while (bar->value() < 3 && wait.elapsed() < 60000 && finished.isEmpty()) QTest::qWait(1);
  ASSERT_TRUE(finished.isEmpty()) << "the run finished before it could be cancelled";
  ASSERT_TRUE(window.run_panel()->cancel_button()->isEnabled());
  QElapsedTimer cancel_clock;
  cancel_clock.start();
  QTest::mouseClick(window.run_panel()->cancel_button(), Qt::LeftButton);
  ASSERT_TRUE(stopped.wait(5000));
  EXPECT_LT(cancel_clock.elapsed(), 1000);
  EXPECT_EQ(stopped[0][0].toString(), "cancelled");
  EXPECT_TRUE(finished.isEmpty());
  EXPECT_FALSE(window.busy());
  EXPECT_TRUE(window.run_panel()->run_button()->isEnabled());
  // The previous session is still shown, intact.
  ASSERT_NE(window.session(), nullptr);
  EXPECT_EQ(window.session()->rows_with_maps().size(), 96u);
}

TEST(MainWindow, HelpHasAQuickTourAndAboutStatesTheVersions) {
  MainWindow window;
  const QString about = window.about_text();
  for (const QString& part : {QString(qVersion()), QString("LibTorch"), QString("HDF5"), QString("Device")})
    EXPECT_TRUE(about.contains(part)) << about.toStdString();
  gui::QuickTour tour(&window);
  EXPECT_EQ(tour.page_count(), 4);
  tour.show_page(3);
  EXPECT_EQ(tour.current_page(), 3);
  tour.show_page(4);  // past the end: stays
  EXPECT_EQ(tour.current_page(), 3);
}

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QStandardPaths::setTestModeEnabled(true);  // recent-checkpoint lists stay out of the user's settings
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// Falcon-H1 runs attention and a Mamba-2 mixer side by side in every layer:
// the grid has a row for each, labelled by kind; ablating an attention head
// names its mixer (0.attn.1) and matches the core, and the diff captures that
// mixer's maps of the ablated run.
TEST(MainWindow, LayersWithTwoMixersShowARowEachAndAblateByName) {
  const QString checkpoint = QString(ATTNSCOPE_FIXTURES_DIR) + "/falcon_h1-tiny";
  MainWindow window;
  window.run_panel()->set_checkpoint(checkpoint);
  window.run_panel()->set_prompt("Which option? A. x B. y Answer:");
  window.show();
  ASSERT_TRUE(run_and_wait(window)) << window.run_panel()->status().toStdString();
  const auto& model = window.session()->model();
  ASSERT_EQ(window.grid()->row_count(), 4);  // layers 0 and 1, ssm and attn each
  const int attn_row = model.find_row(0, "attn");
  ASSERT_GE(attn_row, 0);
  EXPECT_EQ(model.row_label(attn_row), "0.attn");
  EXPECT_EQ(window.grid()->head_count(attn_row), 4);

  window.open_head(attn_row, 1);
  EXPECT_EQ(window.current_row_label(), "0.attn");
  QSignalSpy ablated(&window, &MainWindow::ablation_done);
  window.toggle_ablation(attn_row, 1);
  ASSERT_TRUE(ablated.wait(60000));
  ASSERT_TRUE(window.last_ablation() != nullptr);
  EXPECT_EQ(window.last_ablation()->spec(), "0.attn.1:zero");
  EXPECT_EQ(window.session()->mixer(window.last_ablation()->map_row).name, "attn");

  const auto loaded = load_for_running(checkpoint.toStdString(), LoadOptions{});
  const auto ids = prompt_from_text(*loaded, "Which option? A. x B. y Answer:").ids;
  const int64_t target = window.session()->outputs().target;
  EXPECT_NEAR(window.last_ablation()->logprob_after,
              core_logprob(*loaded, ids, target, {{0, 1, AblationMode::Zero, "attn"}}), 1e-4);
}

// The sweep (Analysis > Sweep Heads, Ctrl+Shift+A) on a model with two mixers
// per layer: each grid cell is the change in log p(target) of that head
// ablated alone, as a plain ablated forward gives it, painted in the colour
// the legend's scale gives it; Ctrl+Shift+3 shows the KL, Ctrl+Shift+1 the
// maps again; a saved session reopens with its sweep, without the model.
TEST(MainWindow, SweepColoursTheGridByEachHeadsEffectAndIsSavedWithTheSession) {
  const QString checkpoint = QString(ATTNSCOPE_FIXTURES_DIR) + "/falcon_h1-tiny";
  const QString prompt = "Which option? A. x B. y Answer:";
  MainWindow window;
  window.run_panel()->set_checkpoint(checkpoint);
  window.run_panel()->set_prompt(prompt);
  window.show();
  window.start_sweep();  // nothing run yet: refused with a message
  EXPECT_FALSE(window.busy());
  EXPECT_NE(window.run_panel()->status().indexOf("Run the model first"), -1) << window.run_panel()->status().toStdString();
  ASSERT_TRUE(run_and_wait(window)) << window.run_panel()->status().toStdString();

  QSignalSpy swept(&window, &MainWindow::sweep_done);
  QTest::keyClick(&window, Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
  ASSERT_TRUE(swept.wait(120000)) << window.run_panel()->status().toStdString();
  auto* grid = window.grid();
  EXPECT_EQ(window.grid_shows(), "delta");
  EXPECT_TRUE(grid->showing_values());

  const auto loaded = load_for_running(checkpoint.toStdString(), LoadOptions{});
  const auto ids = prompt_from_text(*loaded, prompt.toStdString()).ids;
  const int64_t target = window.session()->outputs().target;
  const double intact = core_logprob(*loaded, ids, target, {});
  const auto& model = window.session()->model();
  double worst = 0;
  int worst_row = -1, worst_head = -1;
  for (int row = 0; row < grid->row_count(); ++row) {
    const auto& mixer = model.mixers[row];
    for (int head = 0; head < grid->head_count(row); ++head) {
      const double expected =
          core_logprob(*loaded, ids, target, {{mixer.layer, head, AblationMode::Zero, mixer.name}}) - intact;
      EXPECT_NEAR(grid->value(row, head), expected, 1e-4) << model.row_label(row) << "." << head;
      if (grid->value(row, head) < worst) worst = grid->value(row, head), worst_row = row, worst_head = head;
    }
  }
  ASSERT_GE(worst_row, 0);
  // The most harmful head is painted in the scale's full colour (a corner of its cell: the number is in the middle).
  const int pitch = grid->cell_centre(0, 1).x() - grid->cell_centre(0, 0).x();
  const QImage image = grid->grab().toImage();
  const QPoint corner = grid->cell_centre(worst_row, worst_head) - QPoint(pitch / 2 - 6, pitch / 2 - 6);
  EXPECT_EQ(image.pixelColor(corner).name(), grid->value_colour(worst).name());
  EXPECT_EQ(grid->value_colour(worst).name(), QColor(178, 24, 43).name());

  QTest::keyClick(&window, Qt::Key_3, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_EQ(window.grid_shows(), "kl");
  EXPECT_GE(grid->value(worst_row, worst_head), 0.0);
  QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_EQ(window.grid_shows(), "maps");
  EXPECT_FALSE(grid->showing_values());

  // Exported as the CLI's CSV: the rows the core's sweep gives, in its order.
  QTemporaryDir dir;
  ASSERT_EQ(window.export_results_csv(dir.filePath("sweep.csv"), "sweep"), "");
  const std::string exported = files::read_file(dir.filePath("sweep.csv").toStdString(), 1 << 20);
  const std::string expected = sweep_csv(run_head_sweep(
      *loaded->model, at::tensor(at::ArrayRef<int64_t>(ids), at::TensorOptions().dtype(at::kLong)), target, {}));
  const QStringList got = QString::fromStdString(exported).split('\n'), want = QString::fromStdString(expected).split('\n');
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(got.front(), "layer,head,delta_logprob,kl");
  for (int i = 1; i + 1 < got.size(); ++i) {
    EXPECT_EQ(got[i].section(',', 0, 1), want[i].section(',', 0, 1));
    EXPECT_NEAR(got[i].section(',', 2, 2).toDouble(), want[i].section(',', 2, 2).toDouble(), 1e-6) << got[i].toStdString();
    EXPECT_NEAR(got[i].section(',', 3, 3).toDouble(), want[i].section(',', 3, 3).toDouble(), 1e-6) << got[i].toStdString();
  }
  EXPECT_NE(window.export_results_csv(dir.filePath("patch.csv"), "patch"), "") << "no patching was run";

  const QString saved = dir.filePath("swept.h5");
  ASSERT_TRUE(window.save_session(saved)) << window.run_panel()->status().toStdString();
  MainWindow reopened;
  ASSERT_TRUE(reopened.open_session(saved));
  ASSERT_TRUE(reopened.last_sweep().has_value());
  EXPECT_EQ(reopened.grid_shows(), "delta");
  EXPECT_EQ(reopened.last_sweep()->target, target);
  EXPECT_EQ(reopened.last_sweep()->mode, "zero");
  EXPECT_NEAR(reopened.grid()->value(worst_row, worst_head), worst, 1e-5);
}

// Activation patching from the window (Analysis > Patch Heads…): the dialog
// starts from the shown prompt, Shuffle Options moves each option's text one
// letter on; each grid cell is the recovered fraction the core gives for
// that head patched alone; the result is saved with the session.
TEST(MainWindow, PatchingColoursTheGridByTheRecoveredFractionAndIsSaved) {
  EXPECT_EQ(gui::shuffle_options("Q?\nA. x y\nB. z\nC. w\nAnswer:"), "Q?\nA. w\nB. x y\nC. z\nAnswer:");
  EXPECT_EQ(gui::shuffle_options("no options here"), "no options here");

  MainWindow window;
  ASSERT_NO_FATAL_FAILURE(run_demo(window));

  // The dialog: shown from the menu's shortcut, shuffled, accepted.
  QSignalSpy patched(&window, &MainWindow::patch_done);
  QString seen_corrupted;
  QTimer::singleShot(200, [&] {
    auto* dialog = QApplication::activeModalWidget();
    ASSERT_NE(dialog, nullptr);
    if (const QByteArray dir = qgetenv("ATTNSCOPE_SCREENSHOT_DIR"); !dir.isEmpty())
      dialog->grab().save(QString::fromUtf8(dir) + "/patch-dialog.png");
    auto* corrupted = dialog->findChild<QPlainTextEdit*>("corrupted_prompt");
    ASSERT_NE(corrupted, nullptr);
    EXPECT_EQ(corrupted->toPlainText(), kPrompt);
    for (auto* b : dialog->findChildren<QPushButton*>())
      if (b->text().contains("Shuffle")) QTest::mouseClick(b, Qt::LeftButton);
    seen_corrupted = corrupted->toPlainText();
    for (auto* b : dialog->findChildren<QPushButton*>())
      if (b->text().contains("Patch")) QTest::mouseClick(b, Qt::LeftButton);
  });
  QTest::keyClick(&window, Qt::Key_P, Qt::ControlModifier | Qt::ShiftModifier);
  ASSERT_TRUE(patched.wait(120000)) << window.run_panel()->status().toStdString();
  EXPECT_EQ(seen_corrupted, gui::shuffle_options(kPrompt));
  ASSERT_TRUE(window.last_patch().has_value());
  EXPECT_EQ(window.grid_shows(), "patch");

  // Every cell against the core, with the shuffled prompt as the corrupted one.
  const auto loaded = load_for_running(kDemo.toStdString(), LoadOptions{});
  const auto as_tensor = [](const std::vector<int64_t>& ids) {
    return at::tensor(at::ArrayRef<int64_t>(ids), at::TensorOptions().dtype(at::kLong));
  };
  const ActivationPatcher patcher(*loaded->model, as_tensor(prompt_from_text(*loaded, kPrompt.toStdString()).ids),
                                  as_tensor(prompt_from_text(*loaded, seen_corrupted.toStdString()).ids),
                                  window.session()->outputs().target, -1, PatchDirection::CleanIntoCorrupted);
  auto* grid = window.grid();
  for (int row = 0; row < grid->row_count(); ++row)
    for (int head = 0; head < grid->head_count(row); ++head) {
      const double ld = patcher.logit_diff(patcher.patched_logits({{row, 0, head, {}}}));
      EXPECT_NEAR(grid->value(row, head), patcher.recovered(ld), 1e-5) << row << "." << head;
    }

  // The shown head along the positions (Ctrl+Shift+L): a table row per
  // position with the core's recovered fraction for that position alone.
  window.open_head(0, 3);
  QSignalSpy along(&window, &MainWindow::patch_done);
  QApplication::setActiveWindow(&window);  // back from the modal dialog: shortcuts go to the active window
  QTest::keyClick(&window, Qt::Key_L, Qt::ControlModifier | Qt::ShiftModifier);
  ASSERT_TRUE(along.wait(60000)) << window.run_panel()->status().toStdString();
  ASSERT_TRUE(window.last_position_patch().has_value());
  EXPECT_EQ(window.last_position_patch()->head_name, "0.3");
  auto* view = window.findChild<gui::PositionPatchView*>("position_patch_view");
  ASSERT_NE(view, nullptr);
  if (const QByteArray shots = qgetenv("ATTNSCOPE_SCREENSHOT_DIR"); !shots.isEmpty())
    view->grab().save(QString::fromUtf8(shots) + "/position-patch.png");
  const auto positions = patcher.sweep_positions(0, 0, 3);
  ASSERT_EQ(view->table()->rowCount(), static_cast<int>(positions.size()));
  for (int i = 0; i < view->table()->rowCount(); ++i) {
    EXPECT_EQ(view->table()->item(i, 1)->text(), QString::fromStdString(window.session()->prompt().tokens[i]));
    EXPECT_NEAR(window.last_position_patch()->recovered_at[i], positions[i].recovered, 1e-5) << i;
  }
  EXPECT_TRUE(window.last_patch().has_value()) << "the head patching stays on the grid";

  // Exported as the CLI's CSV, logit differences included.
  QTemporaryDir dir;
  ASSERT_EQ(window.export_results_csv(dir.filePath("patch.csv"), "patch"), "");
  const QStringList lines = QString::fromStdString(files::read_file(dir.filePath("patch.csv").toStdString(), 1 << 20))
                                .split('\n', Qt::SkipEmptyParts);
  ASSERT_EQ(lines.size(), 1 + 8);
  EXPECT_EQ(lines.front(), "layer,head,logit_diff,recovered");
  EXPECT_EQ(lines[4].section(',', 0, 1), "0,3");
  EXPECT_NEAR(lines[4].section(',', 2, 2).toDouble(), patcher.logit_diff(patcher.patched_logits({{0, 0, 3, {}}})), 1e-4);

  ASSERT_TRUE(window.save_session(dir.filePath("patched.h5")));
  MainWindow reopened;
  ASSERT_TRUE(reopened.open_session(dir.filePath("patched.h5")));
  ASSERT_TRUE(reopened.last_patch().has_value());
  EXPECT_EQ(reopened.grid_shows(), "patch");
  EXPECT_EQ(reopened.last_patch()->corrupted_prompt, seen_corrupted);
  EXPECT_EQ(reopened.last_patch()->foil_token, window.last_patch()->foil_token);
  EXPECT_NEAR(reopened.last_patch()->clean_logit_diff, window.last_patch()->clean_logit_diff, 1e-6);
  EXPECT_NEAR(reopened.grid()->value(0, 3), grid->value(0, 3), 1e-6);
}

TEST(MainWindow, ReplaceShownHeadWithAttentionTrainsANewCheckpointAndOffersIt) {
  const QString mamba2 = QString(ATTNSCOPE_SOURCE_DIR) + "/resources/models/mamba2";
  MainWindow window;
  window.run_panel()->set_checkpoint(mamba2);
  window.run_panel()->set_prompt("Pairs: river 3 apple 7 stone 1. Queries: apple");
  window.show();
  ASSERT_TRUE(run_and_wait(window)) << window.run_panel()->status().toStdString();
  // Each head's before/after scale is its own, not stretched by heads shown earlier (both orders;
  // SSD maps are unbounded, so their ranges differ).
  const auto own_range = [&] {
    const auto& d = window.heatmap()->data();
    return widgets::prepare_display({d.values.data(), d.rows, d.cols, true}, {}).range;  // signed: centred on 0
  };
  window.open_head(0, 0);
  const auto range_00 = own_range();
  window.open_head(0, 2);
  const auto range_02 = own_range();
  ASSERT_TRUE(range_00.high != range_02.high || range_00.low != range_02.low) << "the heads' ranges must differ for this to mean anything";
  for (const int head : {0, 2}) {
    window.open_head(0, 2 - head);
    window.open_head(0, head);
    const auto own = head == 0 ? range_00 : range_02;
    EXPECT_EQ(window.before_view()->current_range().high, own.high) << "head 0." << head;
    EXPECT_EQ(window.before_view()->current_range().low, own.low) << "head 0." << head;
  }
  window.open_head(2, 3);

  // The dialog from the shortcut: a few steps into a folder of this test's.
  QTemporaryDir dir;
  const QString out = dir.filePath("grafted");
  QSignalSpy grafted(&window, &MainWindow::graft_done);
  QString default_folder;
  QTimer::singleShot(200, [&] {
    auto* dialog = QApplication::activeModalWidget();
    ASSERT_NE(dialog, nullptr);
    if (const QByteArray shots = qgetenv("ATTNSCOPE_SCREENSHOT_DIR"); !shots.isEmpty())
      dialog->grab().save(QString::fromUtf8(shots) + "/graft-dialog.png");
    auto* folder = dialog->findChild<QLineEdit*>("graft_folder");
    auto* steps = dialog->findChild<QSpinBox*>("graft_steps");
    auto* size = dialog->findChild<QSpinBox*>("graft_task_size");
    ASSERT_TRUE(folder && steps && size);
    default_folder = folder->text();
    folder->setText(out);
    steps->setValue(3);
    size->setValue(6);
    for (auto* b : dialog->findChildren<QPushButton*>())
      if (b->text().contains("Train")) QTest::mouseClick(b, Qt::LeftButton);
  });
  QApplication::setActiveWindow(&window);
  QTest::keyClick(&window, Qt::Key_G, Qt::ControlModifier | Qt::ShiftModifier);
  ASSERT_TRUE(grafted.wait(240000)) << window.run_panel()->status().toStdString();
  EXPECT_TRUE(default_folder.endsWith("mamba2-grafted-2.3")) << default_folder.toStdString();
  ASSERT_TRUE(window.last_graft().has_value());
  EXPECT_EQ(window.last_graft()->head_name, "2.3");
  EXPECT_TRUE(window.last_graft()->summary.startsWith("mqar:6: ")) << window.last_graft()->summary.toStdString();
  const auto loaded = load_for_running(out.toStdString(), LoadOptions{});
  EXPECT_EQ(loaded->model->info().layers[2].mixers[0].description, "mamba2 (SSD; head 3 softmax attention)");
  EXPECT_TRUE(window.run_panel()->status().contains(out)) << window.run_panel()->status().toStdString();

  // The offer to open it (not modal): the next run loads the new model.
  QMessageBox* box = nullptr;
  for (auto* b : window.findChildren<QMessageBox*>()) box = b;
  ASSERT_NE(box, nullptr);
  if (const QByteArray shots = qgetenv("ATTNSCOPE_SCREENSHOT_DIR"); !shots.isEmpty())
    box->grab().save(QString::fromUtf8(shots) + "/graft-done.png");
  for (auto* b : box->findChildren<QPushButton*>())
    if (b->text().contains("Open")) QTest::mouseClick(b, Qt::LeftButton);
  EXPECT_EQ(window.run_panel()->checkpoint(), out);
  ASSERT_TRUE(run_and_wait(window)) << window.run_panel()->status().toStdString();
  EXPECT_EQ(QString::fromStdString(window.session()->mixer(2).description), "mamba2 (SSD; head 3 softmax attention)");
  window.open_head(2, 3);
  EXPECT_EQ(window.heatmap()->data().title, "layer 2, head 3 (softmax_attention in mamba2_ssd)");
  window.open_head(2, 4);
  EXPECT_EQ(window.heatmap()->data().title, "layer 2, head 4 (mamba2_ssd)");

  // An attention head cannot be replaced: one clear message, nothing trained.
  window.run_panel()->set_checkpoint(QString(ATTNSCOPE_SOURCE_DIR) + "/resources/models/transformer");
  ASSERT_TRUE(run_and_wait(window));
  window.open_head(0, 0);
  QApplication::setActiveWindow(&window);
  QTest::keyClick(&window, Qt::Key_G, Qt::ControlModifier | Qt::ShiftModifier);
  EXPECT_TRUE(window.run_panel()->status().contains("only a head of a Mamba-2 layer")) << window.run_panel()->status().toStdString();
  EXPECT_EQ(QApplication::activeModalWidget(), nullptr) << "no dialog for a head that cannot be replaced";
}
