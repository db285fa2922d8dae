#pragma once
// What a session holds besides the maps, as plain structs (no LibTorch, no
// HDF5), so the GUI and the CLI can fill and show them. Schema: docs/session-format.md.
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::session {

constexpr const char* kFormatName = "attnscope-session";
constexpr int64_t kSchemaVersion = 1;

struct LayerRecord {
  std::string kind;         // mixer_kind_name: softmax_attention, mamba2_ssd, ...
  int heads = 0;
  std::string description;  // e.g. "mamba1 channels, mean over groups of 16"
  int channels_per_head = 1;  // Mamba-1: each map is the mean over this many contiguous channels
  std::string view = "direct";  // "direct" (M) or "effective" (SSMs: conv and gate folded in)
};

struct ModelRecord {
  std::string family;
  std::string source;       // checkpoint path as given
  std::string config_json;  // config.json as read
  std::string dtype;
  std::string device;
  std::vector<LayerRecord> layers;
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
  std::string spec;  // "3.5:zero,7.1:mean"
  OutputRecord outputs;
  double target_logprob_delta = 0;
  std::vector<int> map_layers;  // layers whose ablated maps were saved
};

// Per layer x head figures (metrics issue); NaN where a layer has fewer heads.
struct MetricRecord {
  std::string name;
  int layers = 0, max_heads = 0;
  std::vector<float> values;  // [layers * max_heads]
};

struct SessionHeader {
  std::string format = kFormatName;
  int64_t schema_version = kSchemaVersion;
  std::string app_version;
  std::string created;  // ISO 8601 UTC
};

}  // namespace attnscope::session
