#include "core/train/distill_checkpoint.h"

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>

#include "core/io/safetensors_writer.h"
#include "core/models/config/hybrid_config.h"
#include "core/models/weights.h"
#include "core/train/graft_checkpoint.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"

namespace attnscope::train {
namespace fs = std::filesystem;
void check_distill_source(const io::Checkpoint& ck) {
  const std::string type = ck.model_type();
  const io::Config& c = ck.config();
  if (type == "attnscope_hybrid") {
    const HybridConfig h = read_hybrid_config(c);
    for (size_t l = 0; l < h.layer_types.size(); ++l)
      if (h.layer_types[l] != "attention" || h.layer_mixers[l] != "standard")
        throw Error("distill: layer " + std::to_string(l) + " of " + ck.dir().string() +
                    " is not standard attention; distillation starts from a Transformer");
    return;
  }
  if (type != "llama")
    throw Error("distill: " + ck.dir().string() + " is a " + type +
                " checkpoint; distillation takes a Llama-layout Transformer (model_type llama)");
  if (c.has("rope_scaling"))
    throw Error("distill: " + ck.dir().string() + " scales RoPE (rope_scaling), which the attnscope_hybrid format does not carry");
}

void write_student_checkpoint(const io::Checkpoint& ck, const std::vector<std::pair<int, int>>& recurrent, const fs::path& dir) {
  check_distill_source(ck);
  nlohmann::ordered_json config = nlohmann::ordered_json::parse(ck.config().json().dump());
  if (ck.model_type() == "llama") {
    const int64_t layers = config.at("num_hidden_layers").get<int64_t>();
    config["tie_word_embeddings"] = ck.config().get_bool("tie_word_embeddings", false);  // llama's default, not the hybrid's
    config["model_type"] = "attnscope_hybrid";
    config.erase("architectures");
    config["layer_types"] = std::vector<std::string>(layers, "attention");
    config["attention_mixer"] = "standard";
  }
  std::map<int, std::vector<int>> by_layer;
  for (const auto& [layer, head] : recurrent) by_layer[layer].push_back(head);
  nlohmann::ordered_json heads = nlohmann::ordered_json::object();
  for (const auto& [layer, list] : by_layer) heads[std::to_string(layer)] = list;
  if (!by_layer.empty()) config["attention_ssm_heads"] = heads;
  else config.erase("attention_ssm_heads");
  const HybridConfig h = read_hybrid_config(io::Config(nlohmann::json::parse(config.dump()), ck.config().origin()));

  io::SafetensorsWriter writer;
  writer.set_metadata("format", "pt");
  add_checkpoint_tensors(ck, writer, [](const std::string& name) {
    return name.find(".self_attn.ssm_heads.") != std::string::npos ? std::string() : name;  // a student's own: rewritten below
  });
  const double dt = 0.1;  // a memory of about ten tokens to start from
  for (const auto& [layer, head] : recurrent) {
    const std::string r = "model.layers." + std::to_string(layer) + ".self_attn.ssm_heads." + std::to_string(head) + ".";
    add_tensor(writer, r + "dt_proj.weight", at::zeros({1, h.ssm.d_model}));
    add_tensor(writer, r + "dt_bias", at::full({1}, std::log(std::expm1(dt))));
    add_tensor(writer, r + "A_log", at::zeros({1}));
    add_tensor(writer, r + "D", at::zeros({1}));
  }
  writer.write(dir / "model.safetensors");
  files::write_file_atomically(dir / "config.json", config.dump(2) + "\n");
  copy_tokenizer_files(ck, dir);
}

}  // namespace attnscope::train
