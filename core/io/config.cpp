#include "core/io/config.h"

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
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>())))
    return static_cast<int64_t>(v.get<double>());
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

std::string Config::model_type() const {
  // mamba_ssm's own checkpoints (state-spaces/*) carry no model_type; their
  // d_model + n_layer + ssm_cfg shape is unmistakable.
  if (!has("model_type") && has("d_model") && has("n_layer") && has("ssm_cfg")) {
    const auto& cfg = json_["ssm_cfg"];
    const bool v2 = cfg.is_object() && cfg.contains("layer") && cfg["layer"] == "Mamba2";
    return v2 ? "mamba2" : "mamba";
  }
  if (!has("model_type")) fail_file(origin_, "has no model_type: cannot tell which architecture this is");
  return get_string("model_type");
}

}  // namespace attnscope::io
