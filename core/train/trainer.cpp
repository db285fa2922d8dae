#include "core/train/trainer.h"

#include <torch/optim/adamw.h>


#include <algorithm>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <random>
#include <set>
#include <sstream>

#include "core/io/checkpoint.h"
#include "core/io/safetensors_writer.h"
#include "core/io/tokenizer.h"
#include "core/models/registry.h"
#include "core/tasks/scoring.h"
#include "core/train/bpe_trainer.h"
#include "core/train/demo_configs.h"
#include "core/train/head_sparsity.h"
#include "core/train/model_card.h"
#include "core/train/output_folder.h"
#include "core/train/training_steps.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"
#include "core/util/input_file.h"

namespace attnscope::train {
namespace fs = std::filesystem;
namespace {

constexpr const char* kEndOfText = "<|endoftext|>";

std::string read_text(const fs::path& path) { return files::read_file(path); }

void write_text(const fs::path& path, const std::string& text) { files::write_file_atomically(path, text); }

std::string joined(const tasks::TaskExample& e) {
  std::string text;
  for (const auto& p : e.pieces) text += p.text;
  return text;
}

// [layer] the heads `keep` prunes; their output-projection columns are zeroed
// here, and stay zero (the heads' outputs are zeroed at every step, so those
// columns get no gradient, and weight decay keeps zero at zero).
// The attention mixer of a layer whose only mixer is softmax attention (the
// demo models' attention layers), or null.
const MixerInfo* attention_of(const LayerInfo& layer) {
  return layer.mixers.size() == 1 && layer.mixers[0].kind == MixerKind::SoftmaxAttention ? &layer.mixers[0] : nullptr;
}

std::vector<std::vector<int>> pruned_heads(const Model& model, const std::vector<std::pair<std::string, at::Tensor>>& named,
                                           const std::vector<KeepSet>& keep) {
  const auto& layers = model.info().layers;
  std::vector<std::vector<int>> pruned(layers.size());
  for (const auto& k : keep) {
    if (k.layer < 0 || k.layer >= static_cast<int>(layers.size()))
      throw Error("--keep-heads: the model has no layer " + std::to_string(k.layer));
    const MixerInfo* attention = attention_of(layers[k.layer]);
    if (!attention) throw Error("--keep-heads: layer " + std::to_string(k.layer) + " is not attention");
    const MixerInfo& layer = *attention;
    for (int h : k.heads)
      if (h >= layer.heads) throw Error("--keep-heads: layer " + std::to_string(k.layer) + " has no head " + std::to_string(h));
    const auto projections = head_output_projections(named, layer.heads, {k.layer});
    if (projections.size() != 1) throw Error("--keep-heads: no output projection found for layer " + std::to_string(k.layer));
    const at::Tensor& w = projections.front().weight;
    const int64_t head_dim = w.size(1) / layer.heads;
    at::NoGradGuard no_grad;
    for (int h = 0; h < layer.heads; ++h)
      if (std::find(k.heads.begin(), k.heads.end(), h) == k.heads.end()) {
        pruned[k.layer].push_back(h);
        w.narrow(1, h * head_dim, head_dim).zero_();
      }
  }
  return pruned;
}

// The heads --head-dropout-spare names, per layer; each must be an attention
// head of a layer head dropout applies to, or sparing it would mean nothing.
std::vector<std::set<int>> spared_heads(const Model& model, const std::vector<KeepSet>& spare, const std::vector<int>& dropout_layers) {
  const auto& layers = model.info().layers;
  std::vector<std::set<int>> spared(layers.size());
  for (const auto& k : spare) {
    if (std::find(dropout_layers.begin(), dropout_layers.end(), k.layer) == dropout_layers.end())
      throw Error("--head-dropout-spare: head dropout does not apply to layer " + std::to_string(k.layer) +
                  (dropout_layers.empty() ? " (give --head-dropout)" : ""));
    for (int h : k.heads) {
      if (h >= attention_of(layers[k.layer])->heads) throw Error("--head-dropout-spare: layer " + std::to_string(k.layer) + " has no head " + std::to_string(h));
      spared[k.layer].insert(h);
    }
  }
  return spared;
}

}  // namespace

TrainReport train_demo_model(const TrainOptions& o) {
  if (o.tasks.empty()) throw Error("train: give at least one task");
  const auto start = std::chrono::steady_clock::now();
  at::manual_seed(o.seed);
  TrainReport report;
  OutputFolder output(o.out_dir, {"config.json", "model.safetensors", "tokenizer.json", "README.md"}, "train");
  const fs::path& work = output.work();

  const bool continuing = !o.init_from.empty();
  if (continuing) {
    // A later curriculum stage: the earlier stage's tokenizer, config and weights.
    for (const char* file : {"tokenizer.json", "config.json", "model.safetensors"})
      if (!fs::exists(o.init_from / file))
        throw Error("--init-from " + o.init_from.string() + ": no " + file + " (give a folder written by attnscope train)");
    const auto earlier = nlohmann::json::parse(read_text(o.init_from / "config.json"), nullptr, false);
    const auto expected = demo_config(o.architecture, 8);
    if (earlier.is_discarded() || earlier.value("model_type", "") != expected.value("model_type", ""))
      throw Error("--init-from " + o.init_from.string() + ": not a " + o.architecture + " demo checkpoint");
    if (o.layers > 0 || o.heads > 0 || o.head_dim > 0 || o.tokenizer_from_trained_tasks)
      throw Error("--layers, --heads, --head-dim and --tokenizer-from-trained-tasks do not apply with --init-from: "
                  "the shape and tokenizer are the earlier stage's");
    for (const char* file : {"tokenizer.json", "config.json", "model.safetensors"})
      fs::copy_file(o.init_from / file, work / file);
  } else {
    // Tokenizer learnt from the text of every task (not only those trained
    // now), so a later stage can add tasks and every task's candidates are
    // single tokens.
    std::vector<tasks::TaskSpec> all_tasks;
    for (const auto& name : tasks::task_names()) all_tasks.push_back({name, 0});
    std::vector<std::string> corpus;
    for (const auto& e : mixed_examples(o.tokenizer_from_trained_tasks ? o.tasks : all_tasks, 4000, o.seed + 1))
      corpus.push_back(joined(e));
    BpeTrainingOptions bpe;
    bpe.max_merges = 500;
    bpe.special_tokens = {kEndOfText};
    write_text(work / "tokenizer.json", train_byte_level_bpe(corpus, bpe).dump(1));
  }
  const auto tokenizer = io::Tokenizer::from_file(work / "tokenizer.json");
  // Fail now, not after training, when a task cannot be scored with this tokenizer.
  for (const auto& spec : o.tasks) {
    try {
      tasks::choice_ids(*tokenizer, tasks::generate(spec, 1, o.seed).front());
    } catch (const Error& e) {
      throw Error("task " + spec.name + " cannot be scored with " +
                  (continuing ? o.init_from.string() + "'s tokenizer" : std::string("this tokenizer")) + ": " + e.what());
    }
  }
  report.vocab_size = (tokenizer->vocab_size() + 7) / 8 * 8;
  const int64_t pad = *tokenizer->token_id(kEndOfText);

  nlohmann::ordered_json config;
  if (continuing) {
    config = nlohmann::ordered_json::parse(read_text(work / "config.json"));
  } else {
    config = demo_config(o.architecture, report.vocab_size);
    if (o.layers > 0) {
      if (config.contains("layer_types")) throw Error("--layers does not apply to the hybrid: its layer_types fix the depth");
      config["num_hidden_layers"] = o.layers;
    }
    if (o.heads > 0 || o.head_dim > 0) {
      if (!config.contains("num_attention_heads"))
        throw Error("--heads and --head-dim apply to attention layers; " + o.architecture + " has none");
      const int64_t hidden = config["hidden_size"];
      const int64_t heads = o.heads > 0 ? o.heads : config["num_attention_heads"].get<int64_t>();
      // Without --head-dim the heads split the hidden size, as in most checkpoints.
      if (o.head_dim == 0 && hidden % heads != 0)
        throw Error("--heads must divide the hidden size " + std::to_string(hidden) + " (or give --head-dim); got " +
                    std::to_string(heads));
      config["num_attention_heads"] = heads;
      config["num_key_value_heads"] = heads;
      config["head_dim"] = o.head_dim > 0 ? o.head_dim : hidden / heads;
    }
    config["eos_token_id"] = pad;
    config["bos_token_id"] = pad;
    write_text(work / "config.json", config.dump(2));
    io::SafetensorsWriter().write(work / "model.safetensors");  // no tensors yet: the model is born from config.json
  }

  // The inference family itself, with fresh trainable parameters.
  LoadOptions init;
  init.parameters = std::make_shared<ParameterSink>();
  init.parameters->initialise = !continuing;  // continuing: the earlier stage's weights, trainable
  init.parameters->vocab = tokenizer->vocab_size();
  std::unique_ptr<Model> model;
  {
    const auto ck = io::Checkpoint::open(work);
    model = load_model(ck, init);
  }
  std::vector<at::Tensor> params;
  for (const auto& [name, t] : init.parameters->named)
    if (t.requires_grad()) params.push_back(t), report.parameters += t.numel();

  const int num_layers = model->info().num_layers;
  for (const auto* list : {&o.head_sparsity_layers, &o.head_dropout_layers})
    for (int l : *list)
      if (l < 0 || l >= num_layers)
        throw Error("layer " + std::to_string(l) + " is not in this model (layers 0 to " + std::to_string(num_layers - 1) + ")");

  std::vector<HeadOutputProjection> sparse_heads;
  if (o.head_sparsity > 0) {
    if (config.contains("num_attention_heads"))
      sparse_heads = head_output_projections(init.parameters->named, config["num_attention_heads"].get<int64_t>(),
                                             o.head_sparsity_layers);
    if (sparse_heads.empty())
      throw Error("--head-sparsity applies to attention heads; this " + o.architecture + " model has none" +
                  (o.head_sparsity_layers.empty() ? "" : " in the layers given"));
  }
  // The attention layers head dropout applies to.
  std::vector<int> dropout_layers;
  if (o.head_dropout > 0) {
    for (int l = 0; l < num_layers; ++l) {
      const bool chosen = o.head_dropout_layers.empty() ||
                          std::find(o.head_dropout_layers.begin(), o.head_dropout_layers.end(), l) != o.head_dropout_layers.end();
      if (chosen && attention_of(model->info().layers[l])) dropout_layers.push_back(l);
    }
    if (dropout_layers.empty())
      throw Error("--head-dropout applies to attention layers; this " + o.architecture + " model has none" +
                  (o.head_dropout_layers.empty() ? "" : " among the layers given"));
  }
  const auto spared = spared_heads(*model, o.head_dropout_spared, dropout_layers);
  std::mt19937 dropout_rng(o.seed + 7u);
  const auto pruned = pruned_heads(*model, init.parameters->named, o.keep_heads);

  torch::optim::AdamW optimiser(params, torch::optim::AdamWOptions(o.learning_rate).betas({0.9, 0.98}).weight_decay(0.01));
  for (int step = 0; step < o.steps; ++step) {
    const double lr = scheduled_learning_rate(o.learning_rate, step, o.steps);
    static_cast<torch::optim::AdamWOptions&>(optimiser.param_groups()[0].options()).lr(lr);

    const Batch b = make_batch(*tokenizer, mixed_examples(o.tasks, o.batch, o.seed * 1000003u + static_cast<unsigned>(step)), pad);
    const at::Tensor logits = training_logits(*model, b.ids, [&](int l, LayerCall& call) {
      for (int h : pruned[l]) call.mixers.at(0).ablate.emplace_back(h, AblationMode::Zero);
      if (std::find(dropout_layers.begin(), dropout_layers.end(), l) != dropout_layers.end())
        for (int h = 0; h < attention_of(model->info().layers[l])->heads; ++h) {
          // Draw for spared heads too, so sparing one leaves the others' draws as they were.
          const bool dropped = std::bernoulli_distribution(o.head_dropout)(dropout_rng);
          if (dropped && !spared[l].count(h)) call.mixers.at(0).ablate.emplace_back(h, AblationMode::Zero);
        }
    });
    const at::Tensor examples_loss = task_loss(logits, b);
    at::Tensor loss = examples_loss;
    if (!sparse_heads.empty()) loss = loss + o.head_sparsity * head_group_norm(sparse_heads);
    optimiser.zero_grad();
    loss.backward();
    clip_gradients(params, 1.0);
    optimiser.step();
    report.final_loss = examples_loss.item<double>();
    if (!std::isfinite(report.final_loss)) throw Error("train: the loss became " + std::to_string(report.final_loss));
    if (o.on_progress) o.on_progress(step + 1, o.steps, report.final_loss);
  }

  init.parameters->write(work / "model.safetensors");
  model.reset();

  // Held-out accuracy through the ordinary loader and forward pass.
  const auto ck = io::Checkpoint::open(work);
  const auto trained = load_model(ck, LoadOptions{});
  for (const auto& spec : o.tasks) {
    // A task trained at several sizes is reported per size ("letters:2").
    const bool repeated = std::count_if(o.tasks.begin(), o.tasks.end(), [&](const auto& t) { return t.name == spec.name; }) > 1;
    const std::string label = repeated ? spec.name + ":" + std::to_string(spec.pairs) : spec.name;
    report.accuracy[label] = tasks::accuracy(*trained, *tokenizer, tasks::generate(spec, o.eval_examples, o.seed + 99991u));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_text(work / "README.md", model_card(o, report, config));

  output.publish();
  return report;
}

}  // namespace attnscope::train
