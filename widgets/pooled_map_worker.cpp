#include "widgets/pooled_map_worker.h"

#include <QMetaObject>
#include <exception>

namespace attnscope::widgets {

PooledMapWorker::PooledMapWorker(Done done, Failed failed, QObject* parent)
    : QObject(parent), done_(std::move(done)), failed_(std::move(failed)) {}

PooledMapWorker::~PooledMapWorker() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    quit_ = true;
    whole_.reset(), region_.reset();
    if (cancel_running_) cancel_running_->store(true);
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PooledMapWorker::start_thread() {
  if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
}

void PooledMapWorker::request(std::shared_ptr<const MapSource> source, const PooledRequest& request, uint64_t ticket) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    Job job{std::move(source), request, ticket};
    if (request.whole_map) {
      whole_ = std::move(job);
    } else {
      region_ = std::move(job);
      if (running_ && !running_whole_ && cancel_running_) cancel_running_->store(true);  // the newer region wins
    }
    start_thread();
  }
  wake_.notify_all();
}

void PooledMapWorker::cancel_all() {
  const std::lock_guard<std::mutex> lock(mutex_);
  whole_.reset(), region_.reset();
  if (cancel_running_) cancel_running_->store(true);
}

bool PooledMapWorker::busy() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return running_ || undelivered_ > 0 || whole_ || region_;
}

void PooledMapWorker::loop() {
  for (;;) {
    Job job;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return quit_ || whole_ || region_; });
      if (quit_) return;
      running_whole_ = whole_.has_value();
      job = running_whole_ ? std::move(*whole_) : std::move(*region_);
      (running_whole_ ? whole_ : region_).reset();
      running_ = true;
      cancel_running_ = cancel;
    }
    PooledMap map;
    QString error;
    try {
      map = job.source->pooled(job.request, cancel.get());
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    {
      // Until the window has the result, the worker counts as busy (a caller polling busy() would
      // otherwise see it idle with the old image on show).
      const std::lock_guard<std::mutex> lock(mutex_);
      running_ = false;
      if (!cancel->load()) ++undelivered_;
    }
    if (cancel->load()) continue;
    // Handed over on this object's thread; the destructor joins this thread first, so `this` outlives the call.
    QMetaObject::invokeMethod(
        this,
        [this, cancel, ticket = job.ticket, map = std::move(map), error]() mutable {
          {
            const std::lock_guard<std::mutex> lock(mutex_);
            --undelivered_;
          }
          if (cancel->load()) return;
          if (error.isEmpty()) done_(ticket, std::move(map));
          else failed_(ticket, error);
        },
        Qt::QueuedConnection);
  }
}

}  // namespace attnscope::widgets
