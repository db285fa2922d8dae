// A bf16 checkpoint run in float32 keeps its matrices in the memory map, in
// bf16, and widens each as it is used (Weights::get_matrix, blocks::dense):
// the logits equal those of the same values stored as float32 and widened on
// load, for every family whose layers differ in how they hold matrices
// (GPT-2's transposed Conv1D, Llama's grouped attention and tied head,
// Mamba-1 and Mamba-2 projections); loading touches none of those bytes, and
// the memory check counts them at their stored size.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/io/checkpoint.h"
#include "core/io/safetensors_writer.h"
#include "core/models/forward.h"
#include "core/runtime/loaded_model.h"
#include "support/random_models.h"

namespace fs = std::filesystem;
using namespace attnscope;

namespace {

double rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024;
  return 0;
}

// Copies a float32 checkpoint's tensors as `dtype` (bf16 rounding either way).
void rewrite(const fs::path& from, const fs::path& to, bool as_bf16) {
  fs::create_directories(to);
  fs::copy_file(from / "config.json", to / "config.json", fs::copy_options::overwrite_existing);
  const auto ck = io::Checkpoint::open(from);
  io::SafetensorsWriter w;
  for (const auto& name : ck.tensor_names()) {
    const io::TensorView v = ck.tensor(name);
    at::Tensor t = tensor_from_view(v, to_scalar_type(v.entry->dtype));
    if (at::isFloatingType(t.scalar_type())) {
      t = t.to(at::kBFloat16);
      if (!as_bf16) t = t.to(at::kFloat);
    }
    t = t.contiguous();
    const io::DType dtype = t.scalar_type() == at::kBFloat16 ? io::DType::BF16
                            : t.scalar_type() == at::kFloat  ? io::DType::F32
                                                             : io::DType::I64;
    w.add(name, dtype, t.sizes().vec(), t.data_ptr(), t.nbytes());
  }
  w.write(to / "model.safetensors");
}

class StoredDtypeWeights : public ::testing::TestWithParam<std::string> {};

nlohmann::json config_of(const std::string& family) {
  if (family == "gpt2")
    return {{"model_type", "gpt2"}, {"vocab_size", 300}, {"n_embd", 64}, {"n_layer", 2}, {"n_head", 4},
            {"n_positions", 128}, {"layer_norm_epsilon", 1e-5}, {"activation_function", "gelu_new"}};
  if (family == "llama")
    return {{"model_type", "llama"}, {"vocab_size", 300}, {"hidden_size", 64}, {"intermediate_size", 128},
            {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"num_key_value_heads", 2},
            {"max_position_embeddings", 128}, {"rms_norm_eps", 1e-5}, {"tie_word_embeddings", true}};
  if (family == "mamba")
    return {{"model_type", "mamba"}, {"vocab_size", 300}, {"hidden_size", 64}, {"num_hidden_layers", 2},
            {"state_size", 8}, {"expand", 2}, {"conv_kernel", 4}, {"intermediate_size", 128}, {"time_step_rank", 4}};
  return {{"model_type", "mamba2"}, {"vocab_size", 300}, {"hidden_size", 64}, {"num_hidden_layers", 2},
          {"num_heads", 8}, {"head_dim", 16}, {"state_size", 16}, {"n_groups", 1}, {"expand", 2}, {"conv_kernel", 4}};
}

}  // namespace

TEST_P(StoredDtypeWeights, Bf16MatricesWidenedAsUsedGiveTheLogitsOfWideningOnLoad) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-stored-dtype-" + GetParam() + "-" + std::to_string(::getpid()));
  at::manual_seed(11);
  test_support::write_random_checkpoint(config_of(GetParam()), dir / "f32");
  rewrite(dir / "f32", dir / "bf16", true);
  rewrite(dir / "f32", dir / "widened", false);
  const auto narrow = load_for_running(dir / "bf16", LoadOptions{});
  const auto wide = load_for_running(dir / "widened", LoadOptions{});
  const at::Tensor ids = at::randint(300, {40}, at::TensorOptions().dtype(at::kLong));
  ForwardOptions options;
  options.logits_at_every_position = true;
  const at::Tensor a = run_forward(*narrow->model, ids, options).logits, b = run_forward(*wide->model, ids, options).logits;
  EXPECT_EQ(a.scalar_type(), at::kFloat);
  EXPECT_LE((a - b).abs().max().item<double>(), 1e-5 * (1 + b.abs().max().item<double>())) << GetParam();
  // The memory check counts the matrices as stored (bf16) and the rest as float32.
  const double stored = loaded_weight_bytes(narrow->checkpoint, LoadOptions{});
  const double widened = loaded_weight_bytes(wide->checkpoint, LoadOptions{});
  EXPECT_LT(stored, 0.6 * widened);
  EXPECT_GT(stored, 0.45 * widened);
  // A forward's memory check counts the head matrix widened while it is used.
  EXPECT_EQ(narrow->model->widened_matrix_bytes(), 300.0 * 64 * 4);
  EXPECT_EQ(wide->model->widened_matrix_bytes(), 0.0);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Families, StoredDtypeWeights, ::testing::Values("gpt2", "llama", "mamba", "mamba2"));

TEST(StoredDtypeWeights, LoadingLeavesBf16MatricesInTheMap) {
  // 256 MB of float32 if widened on load; kept in the map, loading reads none of it.
  const fs::path dir = fs::temp_directory_path() / ("attnscope-stored-dtype-big-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const int64_t vocab = 32000, d = 1024, inner = 4 * d;
  std::ofstream(dir / "config.json") << nlohmann::json{{"model_type", "llama"}, {"vocab_size", vocab}, {"hidden_size", d},
                                                      {"intermediate_size", inner}, {"num_hidden_layers", 1},
                                                      {"num_attention_heads", 8}, {"num_key_value_heads", 8},
                                                      {"max_position_embeddings", 64}, {"rms_norm_eps", 1e-5},
                                                      {"tie_word_embeddings", false}}
                                              .dump();
  const at::Tensor values = (at::randn({vocab * d}) * 0.02).to(at::kBFloat16);
  const at::Tensor ones = at::ones({d}, at::kBFloat16);
  io::SafetensorsWriter w;
  const auto matrix = [&](const std::string& name, int64_t rows, int64_t cols) {
    w.add_borrowed(name, io::DType::BF16, {rows, cols}, values.data_ptr(), static_cast<size_t>(rows * cols) * 2);
  };
  matrix("model.embed_tokens.weight", vocab, d);
  matrix("lm_head.weight", vocab, d);
  for (const char* p : {"q_proj", "k_proj", "v_proj", "o_proj"}) matrix(std::string("model.layers.0.self_attn.") + p + ".weight", d, d);
  matrix("model.layers.0.mlp.gate_proj.weight", inner, d);
  matrix("model.layers.0.mlp.up_proj.weight", inner, d);
  matrix("model.layers.0.mlp.down_proj.weight", d, inner);
  for (const char* n : {"model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight", "model.norm.weight"})
    w.add_borrowed(n, io::DType::BF16, {d}, ones.data_ptr(), static_cast<size_t>(d) * 2);
  w.write(dir / "model.safetensors");
  const double widened_mb = 4.0 * (2 * vocab * d + 4 * d * d + 3 * d * inner) / 1e6;
  const double before = rss_mb();
  const auto loaded = load_for_running(dir, LoadOptions{});
  EXPECT_LT(rss_mb() - before, 0.1 * widened_mb) << "the matrices were copied on load";
  const auto result = run_forward(*loaded->model, at::arange(16, at::TensorOptions().dtype(at::kLong)), ForwardOptions{});
  EXPECT_TRUE(result.logits.isfinite().all().item<bool>());
  // Asked to run in bfloat16, the same file is also used as it is.
  LoadOptions bf16;
  bf16.dtype = at::kBFloat16;
  const auto same = load_for_running(dir, bf16);
  EXPECT_TRUE(run_forward(*same->model, at::arange(16, at::TensorOptions().dtype(at::kLong)), ForwardOptions{})
                  .logits.isfinite().all().item<bool>());
  fs::remove_all(dir);
}
