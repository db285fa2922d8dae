#pragma once
// Helpers for the parity tests against the float64 references in
// tests/fixtures (made by tests/reference) and, when present, the extra
// fixture folders CMake found (ATTNSCOPE_EXTRA_FIXTURE_DIRS): read a
// fixture's reference.safetensors and compare tensors with a relative bound.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/safetensors.h"
#include "core/io/safetensors_writer.h"
#include "core/models/forward.h"
#include "core/models/weights.h"
#include "core/runtime/map_factors_of.h"
#include "core/session/map_factors.h"

namespace attnscope::testing {

// A fixture of the repository's own set, by name.
inline std::filesystem::path fixture_dir(const std::string& name) {
  return std::filesystem::path(ATTNSCOPE_FIXTURES_DIR) / name;
}

// Every fixture folder (one holding reference.safetensors) under `root`, sorted.
inline std::vector<std::filesystem::path> fixtures_under(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec))
    if (std::filesystem::is_regular_file(entry.path() / "reference.safetensors")) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Fixture folders made by other hands, as CMake found them (a :-list, may be empty).
inline std::vector<std::filesystem::path> extra_fixture_roots() {
  std::vector<std::filesystem::path> out;
  std::stringstream list(ATTNSCOPE_EXTRA_FIXTURE_DIRS);
  for (std::string dir; std::getline(list, dir, ':');)
    if (!dir.empty() && std::filesystem::is_directory(dir)) out.emplace_back(dir);
  return out;
}

struct Reference {
  std::map<std::string, at::Tensor> tensors;      // float32 / int64 as stored
  // metadata ablated_heads: "<layer>" or "<layer>.<mixer>" -> heads
  std::map<std::string, std::vector<int>> ablated_heads;
  std::map<std::string, std::string> metadata;

  bool has(const std::string& name) const { return tensors.count(name) != 0; }
  const at::Tensor& at(const std::string& name) const { return tensors.at(name); }
};

inline Reference load_reference_at(const std::filesystem::path& dir) {
  io::SafetensorsFile file(dir / "reference.safetensors");
  Reference ref;
  for (const auto& t : file.tensors()) {
    auto view = file.view(t.name);
    ref.tensors[t.name] = tensor_from_view(view, to_scalar_type(t.dtype));
  }
  ref.metadata = file.metadata();
  auto it = ref.metadata.find("ablated_heads");
  if (it != ref.metadata.end() && !it->second.empty()) {
    auto j = nlohmann::json::parse(it->second);
    for (auto e = j.begin(); e != j.end(); ++e)
      for (const auto& h : *e) ref.ablated_heads[e.key()].push_back(h.get<int>());
  }
  return ref;
}

inline Reference load_reference(const std::string& fixture) { return load_reference_at(fixture_dir(fixture)); }

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

// One forward pass with every mixer's maps captured (cloned: the driver
// reuses buffers), by tensor name: mixing.<L>, mixing.<L>.attn.
struct Captured {
  ForwardResult result;
  std::map<std::string, at::Tensor> maps;
};

// The reference's ablation keys: "<L>" names the layer's only mixer, or its
// SSM where it has several; "<L>.<mixer>" names one of several.
inline std::vector<HeadAblation> reference_ablations(const ModelInfo& info, const Reference& ref) {
  std::vector<HeadAblation> out;
  for (const auto& [key, heads] : ref.ablated_heads) {
    const auto dot = key.find('.');
    const int layer = std::stoi(key.substr(0, dot));
    std::string mixer = dot == std::string::npos ? "" : key.substr(dot + 1);
    if (mixer.empty() && layer < static_cast<int>(info.layers.size()) && info.layers[layer].mixers.size() > 1)
      mixer = "ssm";
    for (int h : heads) out.push_back({layer, h, AblationMode::Zero, mixer});
  }
  return out;
}

inline Captured run_capturing(const Model& model, const at::Tensor& ids, std::vector<HeadAblation> ablations = {},
                              MixingView view = MixingView::Direct, int channel_group = 1) {
  Captured c;
  ForwardOptions o = every_position();
  o.ablations = std::move(ablations);
  o.view = view;
  o.channel_group = channel_group;
  o.capture_layer = [](int) { return true; };
  o.on_mixing = [&](int layer, int mixer, const at::Tensor& m) {
    c.maps[mixing_tensor_name(model.info(), layer, mixer)] = m.clone();
  };
  c.result = run_forward(model, ids, o);
  return c;
}

// The reference's ablated logits, by the mode that made them.
inline const std::vector<std::pair<std::string, AblationMode>>& ablated_logits_keys() {
  static const std::vector<std::pair<std::string, AblationMode>> keys = {
      {"ablated.logits", AblationMode::Zero},
      {"ablated_mean.logits", AblationMode::Mean},
      {"ablated_uniform.logits", AblationMode::Uniform}};
  return keys;
}

// Logits, every mixing.<layer>[.<mixer>] and the ablated logits of every mode the
// reference holds, to `tolerance` relative; ablation must change the logits.
inline void expect_matches_reference_at(const Model& model, const std::filesystem::path& dir, double tolerance = 1e-4) {
  const auto ref = load_reference_at(dir);
  const at::Tensor ids = ref.at("input_ids")[0];
  double worst = 0;
  std::string worst_name;
  auto compare = [&](const at::Tensor& actual, const std::string& name) {
    const double e = relative_error(actual, ref.at(name));
    if (e >= worst) worst = e, worst_name = name;
    return e;
  };
  const Captured intact = run_capturing(model, ids);
  EXPECT_LT(compare(intact.result.logits.unsqueeze(0), "logits"), tolerance);
  int reference_maps = 0;
  for (const auto& [name, tensor] : ref.tensors) {
    if (name.rfind("mixing.", 0) != 0) continue;
    ++reference_maps;
    const auto it = intact.maps.find(name);
    if (it == intact.maps.end()) {
      ADD_FAILURE() << "the model yields no map for the reference's " << name;
      continue;
    }
    EXPECT_LT(compare(it->second, name), tolerance) << name;
  }
  EXPECT_EQ(reference_maps, static_cast<int>(intact.maps.size())) << "maps the reference does not have";

  std::vector<HeadAblation> ablations = reference_ablations(model.info(), ref);
  ASSERT_FALSE(ablations.empty());
  int modes = 0;
  for (const auto& [key, mode] : ablated_logits_keys()) {
    if (!ref.has(key)) continue;
    ++modes;
    for (auto& a : ablations) a.mode = mode;
    const Captured ablated = run_capturing(model, ids, ablations);
    EXPECT_LT(compare(ablated.result.logits.unsqueeze(0), key), tolerance) << key;
    EXPECT_GT((ablated.result.logits - intact.result.logits).abs().max().item<double>(), 1e-4)
        << key << ": ablating a head must change the logits";
  }
  EXPECT_GE(modes, 1) << "the reference holds no ablated logits";
  std::cout << "worst relative error " << worst << " (" << worst_name << ")\n";
}

// Every map a mixer hands over as factors (softmax attention, SSD), recomputed
// from them as a session without maps does (core/session/map_factors.h: no
// model, no LibTorch), against the reference's map to `tolerance` relative.
// A forward with factors only: no L x L map is made for those mixers.
// Returns how many maps were checked.
inline int expect_factor_maps_match_reference_at(const Model& model, const std::filesystem::path& dir,
                                                 double tolerance = 1e-4) {
  const auto ref = load_reference_at(dir);
  ForwardOptions o;
  o.factor_layer = [](int) { return true; };
  int checked = 0;
  o.on_factors = [&](int layer, int mixer, const MixingFactors& mixing_factors) {
    const session::MapFactors f = map_factors_of(mixing_factors);
    const std::string name = mixing_tensor_name(model.info(), layer, mixer);
    if (!ref.has(name)) return ADD_FAILURE() << "the reference has no " << name;
    std::vector<at::Tensor> heads;
    for (int h = 0; h < f.heads; ++h)
      heads.push_back(at::tensor(session::compute_head(f, h)).view({f.length, f.length}));
    EXPECT_LT(relative_error(at::stack(heads), ref.at(name)), tolerance) << name << " from its factors";
    ++checked;
  };
  run_forward(model, ref.at("input_ids")[0], o);
  return checked;
}

inline void expect_matches_reference(const Model& model, const std::string& fixture) {
  expect_matches_reference_at(model, fixture_dir(fixture));
}

}  // namespace attnscope::testing
