#pragma once
// Plain values passed between the window and the runner thread (queued
// signals copy them), free of LibTorch so widgets-side code can use them.
#include <QMetaType>
#include <QString>
#include <QVector>

#include "core/session/ablation_cache.h"

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

// One head of one mixer: `mixer` is its name in the layer ("attn", "ssm").
struct HeadRef {
  int layer = 0, head = 0;
  QString mixer;
  bool operator==(const HeadRef& o) const { return layer == o.layer && head == o.head && mixer == o.mixer; }
  bool operator<(const HeadRef& o) const {
    if (layer != o.layer) return layer < o.layer;
    return mixer != o.mixer ? mixer < o.mixer : head < o.head;
  }
};

struct AblationRequest {
  QVector<HeadRef> heads;
  QString mode = "zero";
  // Also capture this mixer's maps of the ablated run (for the diff view); layer -1: none.
  int capture_layer = -1;
  QString capture_mixer;
  int capture_row = -1;  // the session's row of that mixer (the result's map_row)
  int top_k = 10;
};

// Every head of every mixer ablated alone on the current prompt (core/ablation/head_sweep.h).
struct SweepRequest {
  QString mode = "zero";
  qint64 target = -1;  // the token whose log p is measured; -1: the intact run's top-1
};

// values[row][head] per session mixer row (NaN past a row's heads).
struct SweepOutcome {
  QString mode;
  qint64 target = -1;
  QString target_token;
  double intact_logprob = 0;
  QVector<QVector<double>> delta_logprob, kl;
};

// Activation patching of every head: the shown run is the clean one
// (core/ablation/activation_patching.h).
struct PatchRequest {
  QString corrupted_prompt;
  // With a head (layer >= 0): that head patched at one position at a time
  // instead of every head whole.
  int layer = -1, head = -1;
  QString mixer;  // its name where the layer has several mixers
  qint64 target = -1;  // the clean answer whose logit difference is patched; -1: the intact top-1
};

struct PatchOutcome {
  QString corrupted_prompt;
  QString target_token, foil_token;  // logit difference = logit[target] - logit[foil]
  double clean_logit_diff = 0, corrupted_logit_diff = 0;
  QVector<QVector<double>> recovered;  // [row][head]: clean head patched into the corrupted run
  // For a position patch: the head ("0.3") and the recovered fraction per position.
  QString head_name;
  QVector<double> recovered_at;
};

// Head replacement (core/train/graft.h) of the loaded checkpoint's head:
// trains a new checkpoint in `out_dir`; the shown session is left as it is.
struct GraftRequest {
  int layer = -1, head = -1;
  bool attention = true;  // false: fine-tune the SSM head itself (the control)
  QString task = "mqar:16";
  int steps = 300;
  QString out_dir;
};

struct GraftOutcome {
  QString out_dir, head_name;  // "1.0"
  bool attention = true;
  QString summary;  // the accuracy table, one task per line
};

}  // namespace attnscope::gui

Q_DECLARE_METATYPE(attnscope::gui::GraftRequest)
Q_DECLARE_METATYPE(attnscope::gui::GraftOutcome)
Q_DECLARE_METATYPE(attnscope::gui::PatchRequest)
Q_DECLARE_METATYPE(attnscope::gui::PatchOutcome)
Q_DECLARE_METATYPE(attnscope::gui::SweepRequest)
Q_DECLARE_METATYPE(attnscope::gui::SweepOutcome)
Q_DECLARE_METATYPE(attnscope::gui::RunRequest)
Q_DECLARE_METATYPE(attnscope::gui::RunResult)
Q_DECLARE_METATYPE(attnscope::gui::AblationRequest)
// An ablated run's result (core/session/ablation_cache.h).
Q_DECLARE_METATYPE(attnscope::session::AblatedRun)
