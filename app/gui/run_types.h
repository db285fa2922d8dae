#pragma once
// Plain values passed between the window and the runner thread (queued
// signals copy them), free of LibTorch so widgets-side code can use them.
#include <QMetaType>
#include <QString>
#include <QVector>

namespace attnscope::gui {

struct RunRequest {
  QString checkpoint;  // folder
  QString prompt;
  QString device = "auto";
  QString dtype = "float32";
  QString session_path;  // where the working session is written
  int top_k = 10;
};

struct TokenProbability {
  qint64 id = 0;
  QString token;
  double prob = 0;
};

struct RunResult {
  QString session_path;
  QString description;  // "gpt2 on cpu (2 threads), 12 tokens, 0.4 s"
};

struct HeadRef {
  int layer = 0, head = 0;
  bool operator==(const HeadRef& o) const { return layer == o.layer && head == o.head; }
  bool operator<(const HeadRef& o) const { return layer != o.layer ? layer < o.layer : head < o.head; }
};

struct AblationRequest {
  QVector<HeadRef> heads;
  QString mode = "zero";
  int capture_layer = -1;  // also capture this layer's maps of the ablated run (for the diff view)
  int top_k = 10;
};

struct AblationResult {
  QVector<HeadRef> heads;
  QString mode;
  QString spec;
  QVector<TokenProbability> top;
  qint64 target = -1;
  double logprob_before = 0, logprob_after = 0;
  int captured_layer = -1;
  int heads_in_layer = 0;
  QVector<float> captured_maps;  // [heads, L, L] of captured_layer, or empty
};

}  // namespace attnscope::gui

Q_DECLARE_METATYPE(attnscope::gui::RunRequest)
Q_DECLARE_METATYPE(attnscope::gui::RunResult)
Q_DECLARE_METATYPE(attnscope::gui::AblationRequest)
Q_DECLARE_METATYPE(attnscope::gui::AblationResult)
