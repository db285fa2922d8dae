#include "app/gui/figure_output.h"

#include <QFile>
#include <QFileInfo>

#include "core/util/atomic_output.h"
#include "core/util/error.h"

namespace attnscope::gui {
namespace {

// The last bytes every complete file of the format ends with (within the tail).
bool complete(const QString& path, const QString& suffix) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly) || f.size() == 0) return false;
  f.seek(std::max<qint64>(0, f.size() - 1024));
  const QByteArray tail = f.readAll();
  if (suffix == "pdf") return tail.contains("%%EOF");
  if (suffix == "svg") return tail.contains("</svg>");
  if (suffix == "png") return tail.endsWith(QByteArray::fromHex("0000000049454e44ae426082"));  // the IEND chunk
  return true;
}

}  // namespace

QString write_figure(const QString& target, const std::function<QString(const QString& temp)>& render) {
  try {
    files::AtomicOutput output(target.toStdString(), /*keep_extension=*/true);
    const QString temp = QString::fromStdString(output.temp().string());
    // The folder was checked writable above: a writer that fails now ran out of space.
    const QString error = render(temp);
    // A figure the renderer refuses (format, size) is the user's to fix; a failed write is the disk's.
    if (!error.isEmpty() && !error.contains("cannot write")) return QString(error).replace(temp, target);
    if (!error.isEmpty() || !complete(temp, QFileInfo(target).suffix().toLower()))
      return target + ": write failed (disk full?); nothing was changed";
    output.commit();
    return {};
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
}

}  // namespace attnscope::gui
