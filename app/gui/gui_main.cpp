#include "core/runtime/resources.h"
// Qt after core (core headers may pull in LibTorch).
#include <QApplication>
#include <QFileInfo>
#include <QTimer>

#include "app/gui/gui_main.h"
#include "app/gui/main_window.h"
#include "app/gui/run_panel.h"
#include "attnscope/version.h"

namespace attnscope::gui {

int run_gui(int argc, char** argv, const std::string& open, bool run_demo) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("AttnScope");
  QApplication::setOrganizationName("AttnScope");
  QApplication::setApplicationVersion(ATTNSCOPE_VERSION);
  MainWindow window;
  QStringList demos;
  for (const auto& d : demo_models()) demos << QString::fromStdString(d.string());
  window.set_demos(demos, QString::fromStdString(demo_prompt()));
  const QString target = QString::fromStdString(open);
  if (!target.isEmpty()) {
    if (QFileInfo(target).isDir()) window.run_panel()->set_checkpoint(target);
    else window.open_session(target);
  }
  window.show();
  // ATTNSCOPE_SCREENSHOT=file.png: grab the window once the demo run is done
  // (or at once when nothing runs) and quit — for the README and the e2e test.
  const QString shot = qEnvironmentVariable("ATTNSCOPE_SCREENSHOT");
  if (!shot.isEmpty()) {
    auto grab = [&window, shot] {
      QTimer::singleShot(300, &window, [&window, shot] {
        window.grab().save(shot);
        QApplication::quit();
      });
    };
    if (run_demo) {
      QObject::connect(&window, &MainWindow::run_done, &window, grab);
      QObject::connect(&window, &MainWindow::run_failed, &window, grab);
    } else {
      grab();
    }
  }
  if (run_demo) QTimer::singleShot(0, &window, [&window] { window.start_run(); });
  return app.exec();
}

}  // namespace attnscope::gui
