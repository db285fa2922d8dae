#include "core/train/graft_checkpoint.h"

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/io/safetensors_writer.h"
#include "core/models/config/hybrid_config.h"
#include "core/models/config/ssm_config.h"
#include "core/models/describe.h"
#include "core/models/weights.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"
#include "core/util/input_file.h"

namespace attnscope::train {
namespace fs = std::filesystem;
namespace {

const std::vector<std::string> kTokenizerFiles = {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                                                  "vocab.json",     "merges.txt",            "tokenizer.model",
                                                  "generation_config.json"};

bool is_hybrid(const io::Checkpoint& ck) { return ck.model_type() == "attnscope_hybrid"; }

void require_graftable(const io::Checkpoint& ck) {
  const std::string family = describe_from_config(ck).family;
  if (family != "mamba2" && family != "attnscope_hybrid")
    throw Error("graft: " + ck.dir().string() + " is a " + family +
                " checkpoint; head replacement takes a Mamba-2 (mamba2) or attnscope_hybrid checkpoint");
}

// A Mamba-2 config in the hybrid dialect's keys (every layer mamba2).
nlohmann::ordered_json hybrid_from_mamba2(const io::Config& c) {
  const ssm::SsmConfig s = ssm::read_mamba2_config(c);
  nlohmann::ordered_json j = {{"model_type", "attnscope_hybrid"},
                              {"vocab_size", s.vocab},
                              {"hidden_size", s.d_model},
                              {"num_hidden_layers", s.layers},
                              {"layer_types", std::vector<std::string>(s.layers, "mamba2")},
                              {"rms_norm_eps", s.eps},
                              {"tie_word_embeddings", s.tied},
                              {"ssm_state_size", s.d_state},
                              {"ssm_num_heads", s.heads},
                              {"ssm_head_dim", s.head_dim},
                              {"ssm_n_groups", s.groups},
                              {"ssm_conv_kernel", s.d_conv},
                              {"ssm_use_conv_bias", s.conv_bias},
                              {"ssm_use_bias", s.proj_bias},
                              {"ssm_norm_before_gate", s.norm_before_gate},
                              {"ssm_gate_eps", s.gate_eps}};
  if (s.dt_min > 0 || s.dt_max > 0)
    j["ssm_time_step_limit"] = {s.dt_min, s.dt_max > 0 ? nlohmann::json(s.dt_max) : nlohmann::json(nullptr)};
  for (const char* key : {"bos_token_id", "eos_token_id", "pad_token_id"})
    if (c.has(key)) j[key] = c.json()[key];
  return j;
}

// Mamba-2's tensor names in the hybrid dialect's.
std::string hybrid_name(const std::string& name) {
  const std::pair<const char*, const char*> renames[] = {{"backbone.embeddings.", "model.embed_tokens."},
                                                         {"backbone.embedding.", "model.embed_tokens."},
                                                         {"backbone.layers.", "model.layers."},
                                                         {"backbone.norm_f.", "model.norm."}};
  for (const auto& [from, to] : renames)
    if (name.rfind(from, 0) == 0) return to + name.substr(std::strlen(from));
  return name;
}

// The source's config in the hybrid dialect.
nlohmann::ordered_json hybrid_config_json(const io::Checkpoint& ck) {
  return is_hybrid(ck) ? nlohmann::ordered_json::parse(ck.config().json().dump()) : hybrid_from_mamba2(ck.config());
}

HybridConfig read_hybrid(const nlohmann::ordered_json& config, const io::Checkpoint& ck) {
  return read_hybrid_config(io::Config(nlohmann::json::parse(config.dump()), ck.config().origin()));
}

}  // namespace

const std::set<std::string>& grafted_checkpoint_files() {
  static const std::set<std::string> files = [] {
    std::set<std::string> f(kTokenizerFiles.begin(), kTokenizerFiles.end());
    f.insert({"config.json", "model.safetensors", "README.md"});
    return f;
  }();
  return files;
}

namespace {

// The source's config (in the hybrid dialect), checked to take the graft `g`.
HybridConfig checked_hybrid(const io::Checkpoint& ck, const HeadToGraft& g, const nlohmann::ordered_json& config) {
  require_graftable(ck);
  const HybridConfig h = read_hybrid(config, ck);
  const int layers = static_cast<int>(h.layer_types.size());
  if (g.layer < 0 || g.layer >= layers)
    throw Error("graft: the model has no layer " + std::to_string(g.layer) + " (layers 0 to " + std::to_string(layers - 1) + ")");
  if (h.layer_types[g.layer] != "mamba2") throw Error("graft: layer " + std::to_string(g.layer) + " is attention already; choose a Mamba-2 layer");
  if (g.head < 0 || g.head >= h.ssm.heads)
    throw Error("graft: layer " + std::to_string(g.layer) + " has no head " + std::to_string(g.head) + " (heads 0 to " +
                std::to_string(h.ssm.heads - 1) + ")");
  const auto& already = h.ssm_attention_heads[g.layer];
  if (std::find(already.begin(), already.end(), g.head) != already.end())
    throw Error("graft: head " + std::to_string(g.layer) + "." + std::to_string(g.head) + " is attention already");
  return h;
}

}  // namespace

void check_graft_source(const io::Checkpoint& ck, const HeadToGraft& g) { (void)checked_hybrid(ck, g, hybrid_config_json(ck)); }

void write_grafted_checkpoint(const io::Checkpoint& ck, const HeadToGraft& g, const fs::path& dir) {
  nlohmann::ordered_json config = hybrid_config_json(ck);
  const HybridConfig h = checked_hybrid(ck, g, config);
  io::SafetensorsWriter writer;
  writer.set_metadata("format", "pt");
  add_checkpoint_tensors(ck, writer, [&](const std::string& name) { return is_hybrid(ck) ? name : hybrid_name(name); });
  if (g.attention) {
    const ssm::SsmConfig& s = h.ssm;
    const std::string mixer = "model.layers." + std::to_string(g.layer) + ".mixer.";
    // Heads grafted before fix the size of queries and keys; the C and B rows start them only at the state size.
    bool grafted_before = false;
    for (const auto& heads : h.ssm_attention_heads) grafted_before |= !heads.empty();
    const int64_t dk = grafted_before ? h.ssm_attention_head_dim : s.d_state;
    at::Tensor q, k;
    if (g.qk_init == HeadToGraft::QkInit::SsmProjections && dk == s.d_state) {
      // in_proj rows: [z | x | B | C | dt]; the head's group reads B and C rows group * N ... + N.
      const std::string in_proj = is_hybrid(ck) ? mixer + "in_proj.weight" : "backbone.layers." + std::to_string(g.layer) + ".mixer.in_proj.weight";
      const at::Tensor w = tensor_from_view(ck.tensor(in_proj), at::kFloat);
      const int64_t group = g.head / (s.heads / s.groups), GN = s.groups * s.d_state;
      k = w.narrow(0, 2 * s.d_inner + group * s.d_state, s.d_state).clone();
      q = w.narrow(0, 2 * s.d_inner + GN + group * s.d_state, s.d_state).clone();
    } else {
      at::manual_seed(g.seed);
      const double scale = 1.0 / std::sqrt(static_cast<double>(s.d_model));
      q = at::randn({dk, s.d_model}) * scale;
      k = at::randn({dk, s.d_model}) * scale;
    }
    const std::string head = mixer + "attention_heads." + std::to_string(g.head) + ".";
    add_tensor(writer, head + "q_proj.weight", q);
    add_tensor(writer, head + "k_proj.weight", k);
    add_tensor(writer, head + "log_gain", at::zeros({1}));
    auto& heads = config["ssm_attention_heads"][std::to_string(g.layer)];
    heads.push_back(g.head);
    config["ssm_attention_head_dim"] = dk;
  }
  writer.write(dir / "model.safetensors");
  files::write_file_atomically(dir / "config.json", config.dump(2) + "\n");
  copy_tokenizer_files(ck, dir);
}

void add_checkpoint_tensors(const io::Checkpoint& ck, io::SafetensorsWriter& writer,
                            const std::function<std::string(const std::string&)>& name_for) {
  for (const auto& name : ck.tensor_names()) {
    const std::string written = name_for(name);
    if (written.empty()) continue;
    const io::TensorView view = ck.tensor(name);
    const bool ids = !at::isFloatingType(to_scalar_type(view.entry->dtype));
    add_tensor(writer, written, tensor_from_view(view, ids ? at::kLong : at::kFloat));
  }
}

void copy_tokenizer_files(const io::Checkpoint& ck, const fs::path& dir) {
  for (const auto& name : kTokenizerFiles)
    if (fs::exists(ck.dir() / name)) fs::copy_file(ck.dir() / name, dir / name, fs::copy_options::overwrite_existing);
}

}  // namespace attnscope::train
