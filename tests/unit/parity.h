#pragma once
// Helpers for the parity tests against ../shared/fixtures: read the
// reference.safetensors of a fixture and compare tensors with a relative bound.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/io/safetensors.h"
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

}  // namespace attnscope::testing
