#pragma once
// config.json with typed look-ups whose errors name the file and the key.
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace attnscope::io {

class Config {
 public:
  Config() = default;
  Config(nlohmann::json json, std::filesystem::path origin);
  static Config read(const std::filesystem::path& path);  // throws attnscope::Error

  const nlohmann::json& json() const { return json_; }
  const std::filesystem::path& origin() const { return origin_; }
  // Present and not null.
  bool has(const std::string& key) const;
  // The first of several spellings that is present (configs differ by family).
  std::optional<std::string> first_present(std::initializer_list<const char*> keys) const;

  int64_t get_int(const std::string& key) const;  // throws if missing or not an integer
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_double(const std::string& key) const;
  double get_double(const std::string& key, double fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  std::string get_string(const std::string& key) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  // int from the first present of several spellings; throws naming all of them.
  int64_t get_int_any(std::initializer_list<const char*> keys) const;

  // model_type, required: "config.json has no model_type".
  std::string model_type() const;

 private:
  [[noreturn]] void fail_key(const std::string& key, const std::string& problem) const;
  nlohmann::json json_;
  std::filesystem::path origin_;
};

}  // namespace attnscope::io
