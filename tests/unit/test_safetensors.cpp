// The safetensors reader against hand-built files: valid ones load, and each
// kind of damage gives one clear attnscope::Error naming the file.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/io/json_file.h"
#include "core/io/safetensors.h"
#include "core/io/safetensors_writer.h"
#include "core/models/weights.h"
#include "core/util/error.h"

namespace fs = std::filesystem;
using attnscope::Error;
using namespace attnscope::io;

namespace {

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(n >> (8 * i));
  return s;
}

// A file from a raw header text and data bytes.
std::string raw_file(const std::string& header, const std::string& data) { return le64(header.size()) + header + data; }

class SafetensorsTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("attnscope-st-" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }
  fs::path write(const std::string& name, const std::string& bytes) {
    auto p = dir / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  // Expects an Error whose message names the file and contains `fragment`.
  void expect_error(const std::string& bytes, const std::string& fragment) {
    auto p = write("bad.safetensors", bytes);
    try {
      SafetensorsFile f(p);
      FAIL() << "accepted a bad file; expected: " << fragment;
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find("bad.safetensors"), std::string::npos) << msg;
      EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    }
  }
};

std::string floats(std::vector<float> v) { return std::string(reinterpret_cast<char*>(v.data()), v.size() * 4); }

}  // namespace

TEST_F(SafetensorsTest, ReadsTensorsAndMetadata) {
  SafetensorsWriter w;
  std::vector<float> a = {1, 2, 3, 4, 5, 6};
  std::vector<int64_t> b = {7, -8};
  w.add("a", DType::F32, {2, 3}, a.data(), a.size() * 4);
  w.add("b", DType::I64, {2}, b.data(), b.size() * 8);
  w.set_metadata("format", "pt");
  w.write(dir / "ok.safetensors");
  SafetensorsFile f(dir / "ok.safetensors");
  ASSERT_EQ(f.tensors().size(), 2u);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  auto v = f.view("a");
  EXPECT_EQ(v.entry->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(std::memcmp(v.data, a.data(), 24), 0);
  at::Tensor t = attnscope::tensor_from_view(f.view("b"), at::kLong);
  EXPECT_EQ(t[1].item<int64_t>(), -8);
}

TEST_F(SafetensorsTest, UnalignedDataIsCopiedAndConverted) {
  // Header of odd length: the F32 data starts at an address that is not 4-aligned.
  std::string header = R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}})";
  while ((8 + header.size()) % 4 != 1) header += ' ';  // trailing spaces are allowed in the header
  auto p = write("unaligned.safetensors", raw_file(header, floats({1.5f, -2.f, 3.25f})));
  SafetensorsFile f(p);
  at::Tensor t = attnscope::tensor_from_view(f.view("x"), at::kDouble);
  EXPECT_EQ(t.scalar_type(), at::kDouble);
  EXPECT_DOUBLE_EQ(t[0].item<double>(), 1.5);
  EXPECT_DOUBLE_EQ(t[2].item<double>(), 3.25);
}

TEST_F(SafetensorsTest, ConvertsHalfAndBFloat16) {
  SafetensorsWriter w;
  uint16_t half[2] = {0x3C00, 0xC000};  // 1.0, -2.0
  uint16_t bf16[2] = {0x3F80, 0x4040};  // 1.0, 3.0
  w.add("h", DType::F16, {2}, half, 4);
  w.add("b", DType::BF16, {2}, bf16, 4);
  w.write(dir / "half.safetensors");
  SafetensorsFile f(dir / "half.safetensors");
  at::Tensor h = attnscope::tensor_from_view(f.view("h"), at::kFloat);
  at::Tensor b = attnscope::tensor_from_view(f.view("b"), at::kFloat);
  EXPECT_FLOAT_EQ(h[1].item<float>(), -2.f);
  EXPECT_FLOAT_EQ(b[1].item<float>(), 3.f);
}

TEST_F(SafetensorsTest, EmptyTensorsAndEmptyFileOfTensors) {
  auto p = write("empty.safetensors", raw_file(R"({"e":{"dtype":"F32","shape":[0,4],"data_offsets":[0,0]}})", ""));
  SafetensorsFile f(p);
  EXPECT_EQ(f.view("e").nbytes, 0u);
  auto q = write("none.safetensors", raw_file("{}", ""));
  EXPECT_TRUE(SafetensorsFile(q).tensors().empty());
}

TEST_F(SafetensorsTest, RejectsDamage) {
  const std::string ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  expect_error("abc", "too short");
  expect_error(le64(1000) + "{}", "past the end");
  expect_error(le64(200'000'000) + std::string(16, ' '), "100 MB");
  expect_error(raw_file("[1]", ""), "start with '{'");
  expect_error(raw_file("{\"a\":", ""), "not valid JSON");
  expect_error(raw_file(ok, floats({1})), "truncated");
  expect_error(raw_file(ok, floats({1, 2, 3})), "data section holds 12");
  expect_error(raw_file(R"({"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}})", floats({1, 2})), "unknown dtype 'Q7'");
  expect_error(raw_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", floats({1, 2})), "does not match shape");
  expect_error(raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", floats({1, 2})), "end before");
  expect_error(raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                        R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", floats({1, 2, 3})),
               "overlaps");
  expect_error(raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                        R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", floats({1, 2, 3})),
               "gap");
  expect_error(raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                        R"("a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", floats({1, 2})),
               "listed twice");
  expect_error(raw_file(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", floats({1})), "non-negative");
  expect_error(raw_file(R"({"a":{"dtype":"F32","shape":[4611686018427387904,8],"data_offsets":[0,4]}})", floats({1})),
               "too large");
  expect_error(raw_file(R"({"__metadata__":{"k":1}})", ""), "not a string");
}

TEST_F(SafetensorsTest, ConfigAcceptsPythonNonFiniteNumbers) {
  auto j = parse_json_text(R"({"a": [0.0, Infinity], "b": -Infinity, "c": NaN, "d": "NaN Infinity"})", "config.json");
  EXPECT_TRUE(std::isinf(j["a"][1].get<double>()));
  EXPECT_LT(j["b"].get<double>(), 0);
  EXPECT_TRUE(std::isnan(j["c"].get<double>()));
  EXPECT_EQ(j["d"], "NaN Infinity");  // strings untouched
  EXPECT_THROW(parse_json_text("{\"a\": Inf}", "config.json"), Error);
}

TEST_F(SafetensorsTest, ShardedCheckpointThroughIndex) {
  std::vector<float> a = {1, 2}, b = {3, 4, 5};
  SafetensorsWriter s1, s2;
  s1.add("w.a", DType::F32, {2}, a.data(), 8);
  s2.add("w.b", DType::F32, {3}, b.data(), 12);
  s1.write(dir / "model-00001-of-00002.safetensors");
  s2.write(dir / "model-00002-of-00002.safetensors");
  write("config.json", R"({"model_type": "gpt2"})");
  write("model.safetensors.index.json",
        R"({"metadata": {}, "weight_map": {"w.a": "model-00001-of-00002.safetensors", "w.b": "model-00002-of-00002.safetensors"}})");
  auto ck = Checkpoint::open(dir);
  EXPECT_EQ(ck.files().size(), 2u);
  EXPECT_EQ(ck.parameter_count(), 5);
  EXPECT_EQ(ck.tensor("w.b").entry->shape[0], 3);
  EXPECT_EQ(ck.model_type(), "gpt2");

  fs::remove(dir / "model-00002-of-00002.safetensors");
  try {
    Checkpoint::open(dir);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("shard 'model-00002-of-00002.safetensors' is missing"), std::string::npos)
        << e.what();
  }
}

TEST_F(SafetensorsTest, CheckpointErrorsNameTheProblem) {
  auto expect_msg = [&](const std::string& fragment) {
    try {
      auto ck = Checkpoint::open(dir);
      (void)ck.model_type();
      FAIL() << fragment;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_msg("no config.json");
  write("config.json", R"({"hidden_size": 4})");
  expect_msg("no model.safetensors");
  SafetensorsWriter w;
  w.write(dir / "model.safetensors");
  expect_msg("has no model_type");
  write("config.json", R"({"hidden_size": 4,)");
  expect_msg("malformed JSON");
}

TEST(Fixtures, EveryFixtureOpens) {
  for (const auto& entry : fs::directory_iterator(ATTNSCOPE_FIXTURES_DIR)) {
    if (!entry.is_directory()) continue;
    auto ck = Checkpoint::open(entry.path());
    EXPECT_GT(ck.parameter_count(), 0) << entry.path();
    EXPECT_FALSE(ck.model_type().empty());
  }
}
