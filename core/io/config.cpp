#include "core/io/config.h"

#include <cmath>
#include <cstdio>

#include "core/io/json_file.h"
#include "core/util/error.h"

namespace attnscope::io {

Config::Config(nlohmann::json json, std::filesystem::path origin)
    : json_(std::move(json)), origin_(std::move(origin)) {
  if (!json_.is_object()) fail_file(origin_, "is not a JSON object");
}

Config Config::read(const std::filesystem::path& path) { return Config(read_json_file(path), path); }

void Config::fail_key(const std::string& key, const std::string& problem) const {
  fail_file(origin_, "'" + key + "' " + problem);
}

bool Config::has(const std::string& key) const {
  auto it = json_.find(key);
  return it != json_.end() && !it->is_null();
}

std::optional<std::string> Config::first_present(std::initializer_list<const char*> keys) const {
  for (const char* k : keys)
    if (has(k)) return std::string(k);
  return std::nullopt;
}

int64_t Config::get_int(const std::string& key) const {
  if (!has(key)) fail_key(key, "is missing");
  const auto& v = json_.at(key);
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) fail_key(key, "is too large");
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    // In range before the cast: casting 1e300 to int64 is undefined.
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18) return static_cast<int64_t>(d);
  }
  fail_key(key, "must be an integer");
}

int64_t Config::get_int(const std::string& key, int64_t fallback) const {
  return has(key) ? get_int(key) : fallback;
}

double Config::get_double(const std::string& key) const {
  if (!has(key)) fail_key(key, "is missing");
  const auto& v = json_.at(key);
  if (!v.is_number()) fail_key(key, "must be a number");
  return v.get<double>();
}

double Config::get_double(const std::string& key, double fallback) const {
  return has(key) ? get_double(key) : fallback;
}

bool Config::get_bool(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  const auto& v = json_.at(key);
  if (!v.is_boolean()) fail_key(key, "must be true or false");
  return v.get<bool>();
}

std::string Config::get_string(const std::string& key) const {
  if (!has(key)) fail_key(key, "is missing");
  const auto& v = json_.at(key);
  if (!v.is_string()) fail_key(key, "must be a string");
  return v.get<std::string>();
}

std::string Config::get_string(const std::string& key, const std::string& fallback) const {
  return has(key) ? get_string(key) : fallback;
}

int64_t Config::get_int_any(std::initializer_list<const char*> keys) const {
  if (auto k = first_present(keys)) return get_int(*k);
  std::string names;
  for (const char* k : keys) names += std::string(names.empty() ? "" : " / ") + k;
  fail_file(origin_, "none of " + names + " is set");
}

namespace {
// Values as a user would write them: NaN and Infinity, not JSON's null.
std::string number_text(const nlohmann::json& v) {
  if (!v.is_number_float()) return v.dump();
  const double d = v.get<double>();
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", d);
  return buf;
}
}  // namespace

int64_t Config::get_size(const std::string& key, int64_t max) const {
  if (!has(key)) fail_key(key, "is missing");
  const auto& v = json_.at(key);
  const bool integral = v.is_number_integer() ||
                        (v.is_number_float() && std::isfinite(v.get<double>()) && v.get<double>() == std::floor(v.get<double>()));
  if (!integral) fail_key(key, "must be a positive integer, not " + number_text(v));
  const double value = v.is_number_unsigned() ? static_cast<double>(v.get<uint64_t>()) : v.get<double>();
  if (value < 1) fail_key(key, "must be a positive integer, not " + number_text(v));
  if (value > static_cast<double>(max))
    fail_key(key, "is " + number_text(v) + ", more than the " + std::to_string(max) + " AttnScope accepts");
  return static_cast<int64_t>(value);
}

int64_t Config::get_size(const std::string& key, int64_t fallback, int64_t max) const {
  return has(key) ? get_size(key, max) : fallback;
}

int64_t Config::get_size_any(std::initializer_list<const char*> keys, int64_t max) const {
  if (auto k = first_present(keys)) return get_size(*k, max);
  std::string names;
  for (const char* k : keys) names += std::string(names.empty() ? "" : " / ") + k;
  fail_file(origin_, "none of " + names + " is set");
}

int64_t Config::get_int_in(const std::string& key, int64_t fallback, int64_t lo, int64_t hi) const {
  if (!has(key)) return fallback;
  const auto& v = json_.at(key);
  const bool integral = v.is_number_integer() ||
                        (v.is_number_float() && std::isfinite(v.get<double>()) && v.get<double>() == std::floor(v.get<double>()));
  const double value = !v.is_number() ? 0 : v.is_number_unsigned() ? static_cast<double>(v.get<uint64_t>()) : v.get<double>();
  if (!integral || value < static_cast<double>(lo) || value > static_cast<double>(hi))
    fail_key(key, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", not " + number_text(v));
  return static_cast<int64_t>(value);
}

double Config::get_positive(const std::string& key, double fallback) const {
  if (!has(key)) return fallback;
  const double v = get_double(key);
  if (!std::isfinite(v) || v <= 0) fail_key(key, "must be a finite number above 0, not " + number_text(json_.at(key)));
  return v;
}

double Config::get_double_in(const std::string& key, double fallback, double lo, double hi) const {
  if (!has(key)) return fallback;
  const double v = get_double(key);
  if (!std::isfinite(v) || v < lo || v > hi)
    fail_key(key, "must be a number from " + number_text(lo) + " to " + number_text(hi) +
                      ", not " + number_text(json_.at(key)));
  return v;
}

Config Config::section(const std::string& key) const {
  if (!has(key)) return Config(nlohmann::json::object(), origin_.string() + " " + key);
  const auto& v = json_.at(key);
  if (!v.is_object()) fail_key(key, "must be an object");
  return Config(v, origin_.string() + " " + key);
}

std::string Config::model_type() const {
  // mamba_ssm's own checkpoints (state-spaces/*) carry no model_type; their
  // d_model + n_layer + ssm_cfg shape is unmistakable.
  if (!has("model_type") && has("d_model") && has("n_layer") && has("ssm_cfg")) {
    const auto& cfg = json_["ssm_cfg"];
    // Cartesia's Llamba configs: DiscreteMamba2 sizes (n_v_heads, n_qk_heads) in ssm_cfg.
    if (cfg.is_object() && (cfg.contains("n_v_heads") || cfg.contains("n_qk_heads"))) return "llamba";
    const bool v2 = cfg.is_object() && cfg.contains("layer") && cfg["layer"] == "Mamba2";
    return v2 ? "mamba2" : "mamba";
  }
  if (!has("model_type")) fail_file(origin_, "has no model_type: cannot tell which architecture this is");
  return get_string("model_type");
}

}  // namespace attnscope::io
