// Every fixture of tests/fixtures (made by the float64 reference in
// tests/reference) against the engine: logits, every map and the ablated
// logits of each mode to 1e-4 relative. The same check runs on fixture
// folders made by other hands when CMake found them beside the checkout, and
// on CUDA when this LibTorch has a GPU (float32 at 1e-4; bfloat16 compute at
// 3e-2: bf16 keeps 8 significant bits, a unit roundoff of 2^-9 = 2e-3 per
// operation, and two layers of norms, projections and softmax compound a
// handful of those; docs/gpu.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/io/checkpoint.h"
#include "core/models/describe.h"
#include "core/models/registry.h"
#include "parity.h"

namespace fs = std::filesystem;
using namespace attnscope;

namespace {

struct Run {
  const char* name;
  at::DeviceType device;
  at::ScalarType dtype;
  double tolerance;
};
const Run kRuns[] = {{"cpu", at::kCPU, at::kFloat, 1e-4},
                     {"cuda", at::kCUDA, at::kFloat, 1e-4},
                     {"cuda_bf16", at::kCUDA, at::kBFloat16, 3e-2}};

struct Case {
  fs::path dir;
  const Run* run;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.dir.string() << " on " << c.run->name; }

// CUDA runs exist only where this LibTorch sees a GPU (CudaParity below says so otherwise).
std::vector<Case> cases(const std::vector<fs::path>& roots) {
  std::vector<Case> out;
  for (const auto& root : roots)
    for (const auto& dir : attnscope::testing::fixtures_under(root))
      for (const Run& run : kRuns)
        if (run.device == at::kCPU || at::hasCUDA()) out.push_back({dir, &run});
  return out;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.dir.parent_path().filename().string() + "_" + info.param.dir.filename().string() + "_" +
                     info.param.run->name;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

class FixtureParity : public ::testing::TestWithParam<Case> {};

}  // namespace

TEST_P(FixtureParity, LogitsMapsAndAblationMatchReference) {
  const Case& c = GetParam();
  const auto ck = io::Checkpoint::open(c.dir);
  if (!is_known_model_type(ck.model_type()))
    GTEST_SKIP() << "model_type '" << ck.model_type() << "' of " << c.dir << " is not supported yet";
  LoadOptions options;
  options.device = at::Device(c.run->device);
  options.dtype = c.run->dtype;
  const auto model = load_model(ck, options);
  attnscope::testing::expect_matches_reference_at(*model, c.dir, c.run->tolerance);
  const int from_factors = attnscope::testing::expect_factor_maps_match_reference_at(*model, c.dir, c.run->tolerance);
  // Every softmax attention, SSD (Mamba-2, Llamba) and Mamba-1 mixer gives its
  // map as factors, unless some heads are of another kind (head replacement).
  int with_factors = 0;
  for (const auto& layer : model->info().layers)
    for (const auto& m : layer.mixers)
      with_factors += map_has_factors(m);
  EXPECT_EQ(from_factors, with_factors) << "attention, SSD and Mamba-1 mixers hand over factors";

  // The config-only description (inspect) agrees with the loaded model.
  const ModelInfo described = describe_from_config(ck);
  ASSERT_EQ(described.layers.size(), model->info().layers.size());
  for (size_t l = 0; l < described.layers.size(); ++l) {
    const auto& want = model->info().layers[l].mixers;
    const auto& got = described.layers[l].mixers;
    ASSERT_EQ(got.size(), want.size()) << "layer " << l;
    for (size_t m = 0; m < got.size(); ++m) {
      EXPECT_EQ(got[m].name, want[m].name) << "layer " << l;
      EXPECT_EQ(got[m].kind, want[m].kind) << "layer " << l << " " << got[m].name;
      EXPECT_EQ(got[m].heads, want[m].heads) << "layer " << l << " " << got[m].name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Repository, FixtureParity, ::testing::ValuesIn(cases({ATTNSCOPE_FIXTURES_DIR})), case_name);
// Made by other hands; empty (no tests) when CMake found none.
INSTANTIATE_TEST_SUITE_P(Extra, FixtureParity, ::testing::ValuesIn(cases(attnscope::testing::extra_fixture_roots())),
                         case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(FixtureParity);

TEST(CudaParity, RunsWhereAGpuIs) {
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device in this LibTorch or machine: parity ran on the CPU only";
  EXPECT_GT(at::getNumGPUs(), 0u);
}

TEST(FixtureSet, CoversEveryFamilyAndStorageType) {
  std::set<std::string> families, dtypes;
  for (const auto& dir : attnscope::testing::fixtures_under(ATTNSCOPE_FIXTURES_DIR)) {
    const auto ck = io::Checkpoint::open(dir);
    families.insert(ck.model_type());
    const auto ref = attnscope::testing::load_reference_at(dir);
    dtypes.insert(ref.metadata.at("weights_dtype"));
  }
  for (const auto& type : known_model_types()) EXPECT_TRUE(families.count(type)) << type << " has no fixture";
  EXPECT_EQ(dtypes, (std::set<std::string>{"BF16", "F16", "F32"}));
}
