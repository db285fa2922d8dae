#pragma once
// Helpers for the parity tests against ../shared/fixtures: read the
// reference.safetensors of a fixture and compare tensors with a relative bound.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/io/safetensors.h"
#include "core/io/safetensors_writer.h"
#include "core/models/forward.h"
#include "core/models/weights.h"

namespace attnscope::testing {

inline std::filesystem::path fixture_dir(const std::string& name) {
  return std::filesystem::path(ATTNSCOPE_FIXTURES_DIR) / name;
}

struct Reference {
  std::map<std::string, at::Tensor> tensors;  // float32 / int64 as stored
  std::map<int, std::vector<int>> ablated_heads;  // metadata ablated_heads: layer -> heads

  bool has(const std::string& name) const { return tensors.count(name) != 0; }
  const at::Tensor& at(const std::string& name) const { return tensors.at(name); }
};

inline Reference load_reference(const std::string& fixture) {
  io::SafetensorsFile file(fixture_dir(fixture) / "reference.safetensors");
  Reference ref;
  for (const auto& t : file.tensors()) {
    auto view = file.view(t.name);
    ref.tensors[t.name] = tensor_from_view(view, to_scalar_type(t.dtype));
  }
  auto it = file.metadata().find("ablated_heads");
  if (it != file.metadata().end() && !it->second.empty()) {
    auto j = nlohmann::json::parse(it->second);
    for (auto e = j.begin(); e != j.end(); ++e)
      for (const auto& h : *e) ref.ablated_heads[std::stoi(e.key())].push_back(h.get<int>());
  }
  return ref;
}

// max |a - b| relative to max |b|: the "1e-4 relative" of the issues.
inline double relative_error(const at::Tensor& actual, const at::Tensor& expected) {
  at::Tensor a = actual.to(at::kDouble).cpu(), b = expected.to(at::kDouble).cpu();
  EXPECT_EQ(a.sizes(), b.sizes());
  if (a.sizes() != b.sizes()) return INFINITY;
  const double scale = std::max(b.abs().max().item<double>(), 1e-30);
  return (a - b).abs().max().item<double>() / scale;
}

// A fixture's config.json, as text.
inline std::string fixture_config(const std::string& fixture) {
  std::ifstream in(fixture_dir(fixture) / "config.json");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A fixture's weights re-saved under other names with another config.json,
// in a fresh temp folder (the caller removes it); `add` may append tensors.
inline std::filesystem::path rewrite_fixture(const std::string& fixture, const std::string& tag, const std::string& config,
                                             const std::function<std::string(const std::string&)>& rename,
                                             const std::function<void(io::SafetensorsWriter&)>& add = {}) {
  namespace fs = std::filesystem;
  const fs::path dst = fs::temp_directory_path() / ("attnscope-" + tag + "-" + std::to_string(::getpid()));
  fs::remove_all(dst);
  fs::create_directories(dst);
  std::ofstream(dst / "config.json") << config;
  io::SafetensorsFile file(fixture_dir(fixture) / "model.safetensors");
  io::SafetensorsWriter w;
  for (const auto& t : file.tensors()) {
    auto v = file.view(t.name);
    w.add(rename(t.name), t.dtype, t.shape, v.data, v.nbytes);
  }
  if (add) add(w);
  w.write(dst / "model.safetensors");
  return dst;
}

inline ForwardOptions every_position() {
  ForwardOptions o;
  o.logits_at_every_position = true;
  return o;
}

// One forward pass with every layer's maps captured (cloned: the driver reuses buffers).
struct Captured {
  ForwardResult result;
  std::map<int, at::Tensor> maps;
};

inline Captured run_capturing(const Model& model, const at::Tensor& ids, std::vector<HeadAblation> ablations = {},
                              MixingView view = MixingView::Direct, int channel_group = 1) {
  Captured c;
  ForwardOptions o = every_position();
  o.ablations = std::move(ablations);
  o.view = view;
  o.channel_group = channel_group;
  o.capture_layer = [](int) { return true; };
  o.on_mixing = [&](int layer, const at::Tensor& m) { c.maps[layer] = m.clone(); };
  c.result = run_forward(model, ids, o);
  return c;
}

// Logits, every mixing.<layer> and the zero-ablated logits of a fixture to 1e-4 relative.
inline void expect_matches_reference(const Model& model, const std::string& fixture) {
  const auto ref = load_reference(fixture);
  const at::Tensor ids = ref.at("input_ids")[0];
  const Captured intact = run_capturing(model, ids);
  EXPECT_LT(relative_error(intact.result.logits.unsqueeze(0), ref.at("logits")), 1e-4);
  ASSERT_EQ(static_cast<int>(intact.maps.size()), model.info().num_layers);
  for (const auto& [layer, map] : intact.maps)
    EXPECT_LT(relative_error(map, ref.at("mixing." + std::to_string(layer))), 1e-4) << "layer " << layer;

  std::vector<HeadAblation> ablations;
  for (const auto& [layer, heads] : ref.ablated_heads)
    for (int h : heads) ablations.push_back({layer, h, AblationMode::Zero});
  ASSERT_FALSE(ablations.empty());
  const Captured ablated = run_capturing(model, ids, ablations);
  EXPECT_LT(relative_error(ablated.result.logits.unsqueeze(0), ref.at("ablated.logits")), 1e-4);
  EXPECT_GT((ablated.result.logits - intact.result.logits).abs().max().item<double>(), 1e-4)
      << "ablating a head must change the logits";
}

}  // namespace attnscope::testing
