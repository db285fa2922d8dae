#include "core/io/json_file.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "core/util/error.h"
#include "core/util/input_file.h"

namespace attnscope::io {
namespace {
using nlohmann::json;

// Markers real text does not hold: they start with the control character
// U+0001, written escaped into the JSON text ("\u0001...").
const std::string kNaN = "\x01" "attnscope:NaN";
const std::string kPosInf = "\x01" "attnscope:+Inf";
const std::string kNegInf = "\x01" "attnscope:-Inf";

std::string quoted(const std::string& marker) { return "\"\\u0001" + marker.substr(1) + "\""; }

bool starts_with_at(std::string_view text, size_t i, std::string_view word) {
  return text.substr(i, word.size()) == word;
}

// Real JSON files nest a few levels; walking the parsed value recurses once
// per level, so a hostile file nested a hundred thousand deep would overflow
// the stack. Deeper than this is refused.
constexpr int kMaxDepth = 512;

// Rewrites bare NaN/Infinity tokens (outside strings) as marker strings, and
// measures the nesting depth on the way.
std::string quote_non_finite(std::string_view text, int& max_depth) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  int depth = 0;
  max_depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) out += text[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
      out += c;
    } else if (c == ']' || c == '}') {
      --depth;
      out += c;
    } else if (starts_with_at(text, i, "NaN")) {
      out += quoted(kNaN);
      i += 2;
    } else if (starts_with_at(text, i, "-Infinity")) {
      out += quoted(kNegInf);
      i += 8;
    } else if (starts_with_at(text, i, "Infinity")) {
      out += quoted(kPosInf);
      i += 7;
    } else {
      out += c;
    }
  }
  return out;
}

void restore_non_finite(json& j) {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == kNaN) j = std::numeric_limits<double>::quiet_NaN();
    else if (s == kPosInf) j = std::numeric_limits<double>::infinity();
    else if (s == kNegInf) j = -std::numeric_limits<double>::infinity();
  } else if (j.is_structured()) {
    for (auto& child : j) restore_non_finite(child);
  }
}
}  // namespace

json parse_json_text(std::string_view text, const std::filesystem::path& origin) {
  int depth = 0;
  std::string quoted_text = quote_non_finite(text, depth);
  if (depth > kMaxDepth) fail_file(origin, "nests deeper than " + std::to_string(kMaxDepth) + " levels");
  json j;
  try {
    j = json::parse(quoted_text);
  } catch (const json::exception& e) {
    fail_file(origin, std::string("malformed JSON (") + e.what() + ")");
  }
  restore_non_finite(j);
  return j;
}

json read_json_file(const std::filesystem::path& path) {
  // 1 GB: far above any config or tokenizer (Gemma-3's is 33 MB).
  return parse_json_text(files::read_file(path, uint64_t(1) << 30), path);
}

}  // namespace attnscope::io
