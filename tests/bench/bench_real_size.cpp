// Real-size checkpoints stored in bf16 on a CPU: Llama-3.2-1B's shape at
// L = 4096 and Llama-3.1-8B's at L = 2048 (random weights, written here in
// the Hugging Face layout, bf16 safetensors). Matrices stay in the memory map
// in bf16 and are widened one at a time as they are used (Weights::
// get_matrix), so the process holds the file's pages, not a float32 copy.
// Prints load, forward and session time, peak memory against the machine's
// 24 GB goal, and the matmul rate the forward reaches, all in one run.
// Arguments: any of "1b" and "8b" (default: both); "forward" skips sessions.
#include <ATen/ATen.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/io/safetensors_writer.h"
#include "core/models/forward.h"
#include "session_timing.h"

namespace fs = std::filesystem;
using namespace attnscope;

namespace {

struct LlamaShape {
  std::string name;
  int64_t layers, hidden, inner, heads, kv_heads, vocab;
  bool tied;
  int64_t length;  // the prompt length the goal names
  double parameters() const {
    const double hd = static_cast<double>(hidden) / heads;
    const double attention = hidden * hd * (2.0 * heads + 2.0 * kv_heads);
    return layers * (attention + 3.0 * hidden * inner + 2.0 * hidden) + vocab * hidden * (tied ? 1.0 : 2.0) + hidden;
  }
};

// Llama's layout in bf16: matrices from one buffer of N(0, 0.02) values
// (reused, so the file can exceed memory), norms of ones.
void write_bf16_llama(const LlamaShape& s, const fs::path& dir) {
  fs::create_directories(dir);
  const int64_t hd = s.hidden / s.heads;
  nlohmann::json config = {{"model_type", "llama"}, {"vocab_size", s.vocab}, {"hidden_size", s.hidden},
                           {"intermediate_size", s.inner}, {"num_hidden_layers", s.layers},
                           {"num_attention_heads", s.heads}, {"num_key_value_heads", s.kv_heads},
                           {"max_position_embeddings", 131072}, {"rms_norm_eps", 1e-5}, {"rope_theta", 500000.0},
                           {"tie_word_embeddings", s.tied}, {"torch_dtype", "bfloat16"}, {"hidden_act", "silu"}};
  std::ofstream(dir / "config.json") << config.dump(2);
  const int64_t largest = s.vocab * s.hidden;
  const at::Tensor values = (at::randn({largest}) * 0.02).to(at::kBFloat16).contiguous();
  const at::Tensor ones = at::ones({std::max(s.hidden, hd)}, at::kBFloat16);
  io::SafetensorsWriter w;
  auto matrix = [&](const std::string& name, int64_t rows, int64_t cols) {
    w.add_borrowed(name, io::DType::BF16, {rows, cols}, values.data_ptr(), static_cast<size_t>(rows * cols) * 2);
  };
  auto norm = [&](const std::string& name) {
    w.add_borrowed(name, io::DType::BF16, {s.hidden}, ones.data_ptr(), static_cast<size_t>(s.hidden) * 2);
  };
  matrix("model.embed_tokens.weight", s.vocab, s.hidden);
  for (int64_t l = 0; l < s.layers; ++l) {
    const std::string b = "model.layers." + std::to_string(l) + ".";
    norm(b + "input_layernorm.weight");
    matrix(b + "self_attn.q_proj.weight", s.heads * hd, s.hidden);
    matrix(b + "self_attn.k_proj.weight", s.kv_heads * hd, s.hidden);
    matrix(b + "self_attn.v_proj.weight", s.kv_heads * hd, s.hidden);
    matrix(b + "self_attn.o_proj.weight", s.hidden, s.heads * hd);
    norm(b + "post_attention_layernorm.weight");
    matrix(b + "mlp.gate_proj.weight", s.inner, s.hidden);
    matrix(b + "mlp.up_proj.weight", s.inner, s.hidden);
    matrix(b + "mlp.down_proj.weight", s.hidden, s.inner);
  }
  norm("model.norm.weight");
  if (!s.tied) matrix("lm_head.weight", s.vocab, s.hidden);
  w.write(dir / "model.safetensors");
}

void run_shape(const LlamaShape& s, const fs::path& root, bool sessions, double peak_gflops) {
  const fs::path dir = root / s.name;
  const double written = bench::seconds_of([&] { write_bf16_llama(s, dir); });
  const double gb = static_cast<double>(fs::file_size(dir / "model.safetensors")) / 1e9;
  const std::string tag = s.name + " L=" + std::to_string(s.length);
  bench::print_row(s.name + " checkpoint (bf16) written", gb, "GB", written, "seconds");

  bench::reset_peak_rss();
  std::unique_ptr<LoadedModel> loaded;
  const double load = bench::seconds_of([&] { loaded = load_for_running(dir, LoadOptions{}); });
  bench::print_row(s.name + " load (float32 run, bf16 kept in the map)", load, "s");
  bench::print_row(s.name + " RSS after load", bench::current_rss_mb(), "MB", bench::current_rss_mb() / 1e3 / gb,
                   "of the file");

  std::vector<int64_t> ids(static_cast<size_t>(s.length));
  for (int64_t i = 0; i < s.length; ++i) ids[i] = (i * 7919) % s.vocab;
  const Prompt prompt = prompt_from_ids(*loaded, ids);
  bench::reset_peak_rss();
  ForwardResult result;
  const double forward = bench::seconds_of([&] { result = run_forward(*loaded->model, prompt.ids_tensor(), ForwardOptions{}); });
  const double forward_peak = bench::peak_rss_mb();
  const bool finite = result.logits.isfinite().all().item<bool>();
  result = ForwardResult{};
  // Dense layers and the head: 2 flops per parameter per token; attention: 2 L^2 d per layer (causal half, q.k and p.v).
  const double flops = 2.0 * s.parameters() * s.length + 2.0 * s.layers * double(s.length) * s.length * s.hidden;
  bench::print_row(tag + " forward", forward, "s", flops / forward / 1e9 / peak_gflops, "of the matmul rate");
  bench::print_row(tag + " forward peak RSS", forward_peak, "MB", forward_peak / 24e3, "of 24 GB (goal <= 1)");
  bench::print_row(tag + " logits finite", finite ? 1 : 0, "");
  if (!sessions) return;
  const fs::path path = root / (s.name + "-session.h5");
  const bench::RecordedSession session = bench::record_session(*loaded, prompt, path);
  bench::print_row(tag + " session (every map viewable)", session.seconds, "s", session.seconds / forward, "of the forward");
  bench::print_row(tag + " session on disk", session.file_mb, "MB");
  bench::print_row(tag + " session peak RSS", session.peak_rss_mb, "MB", session.peak_rss_mb / 24e3, "of 24 GB (goal <= 1)");
  fs::remove(path);
}

}  // namespace

int main(int argc, char** argv) {
  bool one = false, eight = false, sessions = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    one |= a == "1b", eight |= a == "8b", sessions &= a != "forward";
  }
  if (!one && !eight) one = eight = true;
  bench::set_threads_to_cores();
  const fs::path root = fs::temp_directory_path() / "attnscope-bench-real-size";
  fs::remove_all(root);
  fs::create_directories(root);
  const double peak = bench::matmul_gflops();
  bench::print_header("Real-size bf16 checkpoints on the CPU (random weights)");
  bench::print_row("matmul fp32", peak, "GFLOP/s");
  bench::print_row("memory bandwidth", bench::memory_bandwidth_gbs(), "GB/s");
  bench::print_row("disk write", bench::disk_write_mbs(root), "MB/s");
  if (one) run_shape({"llama-3.2-1b", 16, 2048, 8192, 32, 8, 128256, true, 4096}, root, sessions, peak);
  if (eight) run_shape({"llama-3.1-8b", 32, 4096, 14336, 32, 8, 128256, false, 2048}, root, sessions, peak);
  fs::remove_all(root);
  return 0;
}
