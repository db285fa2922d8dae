#pragma once
// JSON as Python writes it: json.dump emits bare Infinity, -Infinity and NaN
// (real configs contain them, e.g. Mamba-2's time_step_limit), which strict
// JSON parsers refuse. We accept them as IEEE values.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>

namespace attnscope::io {

nlohmann::json parse_json_text(std::string_view text, const std::filesystem::path& origin);
nlohmann::json read_json_file(const std::filesystem::path& path);  // throws attnscope::Error

}  // namespace attnscope::io
