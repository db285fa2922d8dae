// AttnScope's plain forward against PyTorch eager's on the same GPT-2-small-
// shaped checkpoint (12 layers, 12 heads, width 768, random weights), back
// to back at each length (issue 25's goal: at most PyTorch eager's time at
// every L from 512 to 8192). PyTorch runs tests/bench/pytorch_gpt2_forward.py
// (Hugging Face's eager attention written out in torch ops, the last
// position's logits, as AttnScope's plain forward takes), its large tensors
// in huge pages (below); it needs Debian's
// python3-torch (apt-get install python3-torch), and the bench says so and
// stops when it is missing. Lengths on the command line (default 512 1024
// 2048 4096 8192).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/models/forward.h"
#include "core/runtime/loaded_model.h"
#include "machine_limits.h"
#include "session_timing.h"
#include "support/random_models.h"

namespace fs = std::filesystem;
using namespace attnscope;

namespace {

struct EagerRun {
  bool ok = false;
  double seconds = 0, peak_rss_mb = 0;
};

// One length in a fresh Python process (its peak memory is that length's).
EagerRun pytorch_eager(const std::string& python, const fs::path& checkpoint, int threads, int64_t L) {
  // glibc's malloc gives PyTorch's large tensors huge pages, as AttnScope's
  // allocator does its own: without it, on this virtual machine, faulting in
  // each new tensor made PyTorch's q k^T 3x and its softmax 4x slower, and
  // the anchor would flatter AttnScope.
  const std::string command = "GLIBC_TUNABLES=glibc.malloc.hugetlb=1 " + python + " " + std::string(ATTNSCOPE_SOURCE_DIR) + "/tests/bench/pytorch_gpt2_forward.py '" +
                              checkpoint.string() + "' " + std::to_string(threads) + " " + std::to_string(L);
  EagerRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  char line[256];
  while (std::fgets(line, sizeof line, pipe)) {
    std::istringstream in(line);
    int64_t length = 0;
    if (in >> length >> run.seconds >> run.peak_rss_mb && length == L) run.ok = true;
  }
  if (pclose(pipe) != 0) run.ok = false;
  return run;
}

// A Python that has torch: the first on PATH, else Debian's own (a PATH
// may lead to another Python, a pyenv's, without python3-torch). Empty: none.
std::string python_with_torch() {
  for (const char* python : {"python3", "/usr/bin/python3"})
    if (std::system((std::string(python) + " -c 'import torch' > /dev/null 2>&1").c_str()) == 0) return python;
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int64_t> lengths;
  for (int i = 1; i < argc; ++i) lengths.push_back(std::stoll(argv[i]));
  if (lengths.empty()) lengths = {512, 1024, 2048, 4096, 8192};
  const bench::SessionBench setup =
      bench::start_session_bench("attnscope-bench-pytorch", "Plain forward against PyTorch eager, GPT-2-small shape");
  const std::string python = python_with_torch();
  if (python.empty()) {
    std::printf("PyTorch is not installed here (apt-get install python3-torch): nothing to compare with.\n");
    fs::remove_all(setup.dir);
    return 0;
  }
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int64_t vocab = 50257;
  const int64_t max_length = std::max<int64_t>(1024, *std::max_element(lengths.begin(), lengths.end()));
  const fs::path checkpoint = setup.dir / "model";
  test_support::write_random_checkpoint({{"model_type", "gpt2"}, {"vocab_size", vocab}, {"n_embd", 768}, {"n_layer", 12},
                                         {"n_head", 12}, {"n_positions", max_length}, {"layer_norm_epsilon", 1e-5},
                                         {"activation_function", "gelu_new"}},
                                        checkpoint);
  const auto loaded = load_for_running(checkpoint, LoadOptions{});
  std::printf("(PyTorch on %d threads; ratio: AttnScope's time / PyTorch eager's)\n", threads);
  bench::plain_forward(*loaded, bench::spread_prompt(*loaded, 16, vocab));  // warm, as the script warms PyTorch
  for (int64_t L : lengths) {
    const std::string tag = "L=" + std::to_string(L);
    const bench::TimedForward ours = bench::plain_forward(*loaded, bench::spread_prompt(*loaded, L, vocab));
    const EagerRun eager = pytorch_eager(python, checkpoint, threads, L);
    bench::print_row(tag + " AttnScope forward", ours.seconds, "s");
    if (!eager.ok) {
      std::printf("%s PyTorch eager: failed (out of memory?)\n", tag.c_str());
      continue;
    }
    bench::print_row(tag + " PyTorch eager forward", eager.seconds, "s", ours.seconds / eager.seconds, "<= 1");
    bench::print_row(tag + " peak RSS AttnScope / PyTorch", ours.peak_rss_mb, "MB", ours.peak_rss_mb / eager.peak_rss_mb,
                     "of PyTorch's " + std::to_string(int(eager.peak_rss_mb)) + " MB");
  }
  fs::remove_all(setup.dir);
  return 0;
}
