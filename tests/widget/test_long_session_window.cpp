// A long prompt's session keeps factors, not maps: the window computes a
// head's map off its thread (HeadLoader) and shows exactly what the session
// reader computes; opening another head before the first is done shows only
// the second.
// LibTorch headers before Qt's (Qt's `slots` macro breaks them).
#include "core/runtime/loaded_model.h"
#include "core/runtime/session_run.h"
#include "core/session/session_writer.h"
#include "support/random_models.h"
// Qt after torch.
#include <gtest/gtest.h>
#include <unistd.h>

#include <QApplication>
#include <QSignalSpy>
#include <QTest>
#include <filesystem>

#include "app/gui/main_window.h"
#include "core/session/session_reader.h"
#include "widgets/heatmap_view.h"

using namespace attnscope;
using attnscope::gui::HeadLoader;
using attnscope::gui::MainWindow;
namespace fs = std::filesystem;

namespace {

// A tiny GPT-2 on HeadLoader::kOffThreadFrom + 52 tokens, factors only.
fs::path long_session(const fs::path& dir) {
  const int64_t length = HeadLoader::kOffThreadFrom + 52;
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

void expect_shows(const MainWindow& window, const session::SessionReader& reader, int row, int head) {
  const auto expected = reader.read_head(row, head);
  const auto& shown = window.heatmap()->data();
  ASSERT_EQ(shown.values.size(), expected.size());
  double worst = 0;
  for (size_t k = 0; k < expected.size(); ++k) worst = std::max(worst, std::abs(double(shown.values[k]) - expected[k]));
  EXPECT_LT(worst, 1e-6) << "row " << row << " head " << head;
  EXPECT_FALSE(shown.title.contains("computing")) << shown.title.toStdString();
  EXPECT_TRUE(shown.title.contains(QString("head %1").arg(head))) << shown.title.toStdString();
}

}  // namespace

TEST(LongSessionWindow, HeadsAreComputedOffTheWindowsThreadAndOnlyTheLastAskedIsShown) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-long-window-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const fs::path path = long_session(dir);
  const session::SessionReader reader(path);
  ASSERT_FALSE(reader.maps_stored(0));
  ASSERT_TRUE(reader.has_factors(0));

  MainWindow window;
  window.show();
  QSignalSpy shown(&window, &MainWindow::head_shown);
  ASSERT_TRUE(window.open_session(QString::fromStdString(path.string())));
  // Opening shows the last layer's head 0, computed off the thread: a placeholder first.
  EXPECT_TRUE(window.head_pending());
  EXPECT_TRUE(window.heatmap()->data().values.empty());
  ASSERT_TRUE(wait_for(shown, 1));
  EXPECT_FALSE(window.head_pending());
  expect_shows(window, reader, window.current_row(), 0);

  // Two heads asked one after the other: the first's result is dropped.
  window.open_head(0, 0);
  window.open_head(0, 1);
  ASSERT_TRUE(wait_for(shown, 2));
  QTest::qWait(300);  // a stale result would arrive by now
  EXPECT_EQ(shown.count(), 2);
  EXPECT_EQ(window.current_row(), 0);
  EXPECT_EQ(window.current_head(), 1);
  expect_shows(window, reader, 0, 1);
  fs::remove_all(dir);
}

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
