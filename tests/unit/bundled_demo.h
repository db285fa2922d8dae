#pragma once
// A bundled demo model (resources/models/<name>) loaded with its tokenizer,
// for the tests that run scans and sweeps on them.
#include <memory>
#include <string>

#include "core/io/checkpoint.h"
#include "core/io/tokenizer.h"
#include "core/models/registry.h"
#include "core/runtime/resources.h"

namespace attnscope::test_support {

struct Demo {
  io::Checkpoint checkpoint;
  std::unique_ptr<Model> model;
  std::unique_ptr<io::Tokenizer> tokenizer;
};

inline Demo bundled_demo(const std::string& name) {
  auto ck = io::Checkpoint::open(resource_dir() / "models" / name);
  auto model = load_model(ck, LoadOptions{});
  auto tok = io::Tokenizer::from_file(resource_dir() / "models" / name / "tokenizer.json");
  return {std::move(ck), std::move(model), std::move(tok)};
}

}  // namespace attnscope::test_support
