#pragma once
// Computes a MapSource's pooled regions on a thread of its own. The whole
// map's pass (colour range, sharp cells, first image) comes first and is only
// cancelled by a newer source; a region request replaces any waiting one and
// cancels the one under way, so zooming and panning never stack up work.
#include <QObject>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "widgets/map_source.h"

namespace attnscope::widgets {

class PooledMapWorker : public QObject {
  Q_OBJECT
 public:
  // Called on this object's thread with the request's ticket and its map.
  using Done = std::function<void(uint64_t ticket, PooledMap map)>;
  using Failed = std::function<void(uint64_t ticket, const QString& message)>;

  PooledMapWorker(Done done, Failed failed, QObject* parent = nullptr);
  ~PooledMapWorker() override;  // cancels what is under way and waits for the thread

  void request(std::shared_ptr<const MapSource> source, const PooledRequest& request, uint64_t ticket);
  // Drops waiting work and cancels what is under way (a new source, or none).
  void cancel_all();
  bool busy() const;

 private:
  struct Job {
    std::shared_ptr<const MapSource> source;
    PooledRequest request;
    uint64_t ticket = 0;
  };
  void loop();
  void start_thread();

  Done done_;
  Failed failed_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Job> whole_, region_;  // waiting
  bool running_whole_ = false, running_ = false, quit_ = false;
  int undelivered_ = 0;  // results posted to the window's thread, not yet handed over
  std::shared_ptr<std::atomic<bool>> cancel_running_;
  std::thread thread_;
};

}  // namespace attnscope::widgets
