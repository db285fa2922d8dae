#pragma once
// Opens one head's map for the window without blocking it: a stored map (or
// a short prompt's, computed in milliseconds) is handed over at once; a long
// prompt's map computed from its factors is computed on one worker thread
// and handed over on the window's thread when done. Asking for another head
// cancels the computation under way (within a block of rows), so stepping
// through the grid never stacks up work or memory. The worker reads no file
// (HDF5 is not safe on two threads): the session reader gives it the factors first.
#include <QObject>
#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "core/session/session_reader.h"

namespace attnscope::gui {

class HeadLoader : public QObject {
  Q_OBJECT
 public:
  // From this many tokens on, a computed map is computed off the window's
  // thread (at 2048 tokens one head takes about 30-60 ms here; at 8192, 0.3-1.7 s).
  static constexpr int64_t kOffThreadFrom = 2048;
  using SharpCells = std::vector<std::pair<int64_t, int64_t>>;  // mixing::sharp_cells: (row, col)

  explicit HeadLoader(QObject* parent = nullptr) : QObject(parent) {}
  ~HeadLoader() override { stop(); }

  // Calls `shown(map, sharp)` with the head's [L * L] map and its sharp
  // cells: before returning, or later on this object's thread. Throws
  // attnscope::Error (nothing started) when the map cannot be had.
  void load(const session::SessionReader& session, int row, int head,
            std::function<void(std::vector<float> map, SharpCells sharp)> shown);
  bool pending() const { return pending_; }
  // Cancels a computation under way and waits for its thread (a few ms).
  void stop();

 signals:
  void failed(const QString& message);  // computing off the thread failed; nothing was shown
  void finished();  // a result computed off the thread was handed over (or failed)

 private:
  std::thread worker_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  bool pending_ = false;
};

}  // namespace attnscope::gui
