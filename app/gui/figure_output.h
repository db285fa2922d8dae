#pragma once
// Figures are written like every other output (core/util/atomic_output.h):
// rendered into a temp file beside the target, checked to be complete (a
// full disk gives Qt's PDF and SVG writers no way to report it, so the file
// must end in its format's trailer), and only then renamed over the target.
// An existing figure is never replaced by a broken one.
#include <QString>

#include <functional>

namespace attnscope::gui {

// `render` writes the figure to the path it is given (same extension as the
// target) and returns an error message or an empty string. Returns the
// error, naming the target, or an empty string on success.
QString write_figure(const QString& target, const std::function<QString(const QString& temp)>& render);

}  // namespace attnscope::gui
