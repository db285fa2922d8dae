#pragma once
// What a session holds besides the maps, as plain structs (no LibTorch, no
// HDF5), so the GUI and the CLI can fill and show them. Schema: docs/session-format.md.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attnscope::session {

constexpr const char* kFormatName = "attnscope-session";
// 3: maps may be given by per-token factors (/factors, core/session/map_factors.h);
// 2: one map group per mixer (/mixing/layer_NNN/<mixer>) and a mixer table;
// 1: one map per layer (/mixing/layer_NNN), still read.
constexpr int64_t kSchemaVersion = 3;
// What a file without map factors says it is: readers of schema 2 open it.
constexpr int64_t kSchemaWithoutFactors = 2;

// One mixer of one layer: a row of the head grid and of metric tables.
struct MixerRecord {
  int layer = 0;
  std::string name = "attn";  // "attn" | "ssm": unique within its layer
  std::string kind;           // mixer_kind_name: softmax_attention, mamba2_ssd, ...
  int heads = 0;
  std::string description;    // e.g. "mamba1 channels, mean over groups of 16"
  int channels_per_head = 1;  // Mamba-1: each map is the mean over this many contiguous channels
  std::string view = "direct";  // "direct" (M) or "effective" (SSMs: conv and gate folded in)
  std::map<int, std::string> head_kinds;  // heads of another kind than the mixer's (head replacement)
};

// "softmax_attention in mamba2_ssd" for such a head, else the mixer's kind: what a head's title names.
inline std::string head_kind(const MixerRecord& mixer, int head) {
  const auto other = mixer.head_kinds.find(head);
  return other == mixer.head_kinds.end() ? mixer.kind : other->second + " in " + mixer.kind;
}

struct ModelRecord {
  std::string family;
  std::string source;       // checkpoint path as given
  std::string config_json;  // config.json as read
  std::string dtype;
  std::string device;
  std::vector<std::string> layer_descriptions;  // one per layer
  std::vector<MixerRecord> mixers;              // in layer order; a layer may have none or several

  // "3", or "3.attn" when layer 3 has several mixers (a note for rows that do not exist).
  std::string row_label(size_t row) const;
  // The row of (layer, name), or of the layer's only mixer when name is empty; -1 when none.
  int find_row(int layer, const std::string& name = "") const;
  int mixers_in_layer(int layer) const;
};

struct PromptRecord {
  std::string text;
  std::vector<int64_t> ids;
  std::vector<std::string> tokens;  // display strings
  std::vector<int64_t> byte_spans;  // [L * 2]: begin, end per token
};

struct TopToken {
  int64_t id = 0;
  std::string token;
  double prob = 0;
};

struct OutputRecord {
  std::vector<TopToken> top;
  int64_t target = -1;
  double target_logprob = 0;
  std::vector<float> final_logits;  // [vocab], may be empty
};

struct AblationRecord {
  std::string spec;  // "3.5:zero,7.attn.1:mean"
  OutputRecord outputs;
  double target_logprob_delta = 0;
  std::vector<int> map_rows;  // mixer rows whose ablated maps were saved
};

// Per mixer row x head figures; NaN where a row has fewer heads.
struct MetricRecord {
  std::string name;
  int rows = 0, max_heads = 0;
  std::vector<float> values;  // [rows * max_heads]
  std::string description;    // optional: what was measured and how ("target ·B (id 672), zero ablation, ...")
};

struct SessionHeader {
  std::string format = kFormatName;
  int64_t schema_version = kSchemaVersion;
  std::string app_version;
  std::string created;  // ISO 8601 UTC
};

}  // namespace attnscope::session
