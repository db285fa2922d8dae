#include "app/gui/head_loader.h"

#include "core/mixing/head_metrics.h"
#include "core/util/error.h"

#include <QMetaObject>

#include <exception>
#include <optional>
#include <string>
#include <system_error>

namespace attnscope::gui {

void HeadLoader::stop() {
  if (cancel_) cancel_->store(true);
  if (worker_.joinable()) worker_.join();
  pending_ = false;
}

void HeadLoader::load(const session::SessionReader& session, int row, int head,
                      std::function<void(std::vector<float> map, SharpCells sharp)> shown) {
  stop();  // the newest request wins
  std::optional<session::FactorHead> recipe;
  if (session.length() >= kOffThreadFrom) recipe = session.factor_head(row, head);
  if (!recipe) {
    std::vector<float> map = session.read_head(row, head);
    SharpCells sharp = mixing::sharp_cells({map.data(), session.length()});
    return shown(std::move(map), std::move(sharp));
  }
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  // The result comes back as a queued call on this object: the destructor
  // joins the worker first, so the call never outlives the loader.
  auto work = [this, cancel, recipe = std::move(*recipe), shown = std::move(shown)] {
    std::vector<float> map;
    SharpCells sharp;
    std::string error;
    try {
      map = recipe.compute(cancel.get());
      if (!map.empty()) sharp = mixing::sharp_cells({map.data(), recipe.factors->length});
    } catch (const std::exception& e) {
      error = e.what();  // out of memory mid-way: nothing is shown, the older view stays
    }
    if (cancel->load()) return;
    QMetaObject::invokeMethod(
        this,
        [this, cancel, map = std::move(map), sharp = std::move(sharp), error, shown]() mutable {
          if (cancel->load()) return;  // a newer request came first
          pending_ = false;
          if (error.empty()) shown(std::move(map), std::move(sharp));
          else emit failed(QString::fromStdString(error));
          emit finished();
        },
        Qt::QueuedConnection);
  };
  try {
    worker_ = std::thread(std::move(work));
  } catch (const std::system_error& e) {
    throw Error(std::string("cannot start a thread to compute the head: ") + e.what());
  }
  cancel_ = std::move(cancel);
  pending_ = true;
}

}  // namespace attnscope::gui
