#pragma once
// Loading hand-written tokenizer.json texts in tests.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/io/tokenizer.h"
#include "core/util/error.h"

namespace attnscope::testing {

inline std::unique_ptr<io::Tokenizer> load_tokenizer(const nlohmann::json& spec) {
  return io::Tokenizer::from_json_text(spec.dump(), "test.json");
}

// The message of the attnscope::Error that loading throws ("" if none).
inline std::string tokenizer_error(const nlohmann::json& spec) {
  try {
    load_tokenizer(spec);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace attnscope::testing
