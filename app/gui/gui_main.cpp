#include "core/runtime/resources.h"
// Qt after core (core headers may pull in LibTorch).
#include <QApplication>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>
#include <cstdio>
#include <memory>

#include "app/gui/gui_main.h"
#include "app/gui/gui_script.h"
#include "app/gui/main_window.h"
#include "app/gui/run_panel.h"
#include "attnscope/version.h"

namespace attnscope::gui {

int run_gui(int argc, char** argv, const GuiOptions& options) {
  bool run_demo = options.run_demo;
  QApplication app(argc, argv);
  QApplication::setApplicationName("AttnScope");
  QApplication::setOrganizationName("AttnScope");
  QApplication::setApplicationVersion(ATTNSCOPE_VERSION);
  MainWindow window;
  QStringList demos;
  for (const auto& d : demo_models()) demos << QString::fromStdString(d.string());
  window.set_demos(demos, QString::fromStdString(demo_prompt()));
  const QString target = QString::fromStdString(options.open);
  if (!target.isEmpty()) {
    if (QFileInfo(target).isDir()) window.run_panel()->set_checkpoint(target);
    else window.open_session(target);
  }
  // The first start with nothing to open runs the bundled demo, so the first
  // thing a user sees is a populated head grid.
  QSettings settings;
  if (options.open.empty() && options.script.empty() && !settings.value("first_run_done", false).toBool()) {
    run_demo = !demos.isEmpty();
    settings.setValue("first_run_done", true);
    window.run_panel()->set_status(QObject::tr("Welcome! Help > Quick Tour (F1) explains the window."));
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
  std::unique_ptr<GuiScript> script;
  if (!options.script.empty()) {
    try {
      script = std::make_unique<GuiScript>(&window, GuiScript::read(QString::fromStdString(options.script)));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "attnscope gui: %s\n", e.what());
      return 1;
    }
    script->start();
  }
  if (run_demo) QTimer::singleShot(0, &window, [&window] { window.start_run(); });
  return app.exec();
}

}  // namespace attnscope::gui
