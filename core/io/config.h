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

  // Validated reads: every family reads its sizes and constants through
  // these, so a config with a zero head count, a NaN epsilon or a 10^12
  // dimension is refused with the key named, before anything is allocated.
  // Sizes: integers in [1, max] (a model dimension beyond 2^24 is not a model).
  static constexpr int64_t kMaxSize = int64_t(1) << 24;
  int64_t get_size(const std::string& key, int64_t max = kMaxSize) const;
  int64_t get_size(const std::string& key, int64_t fallback, int64_t max) const;
  int64_t get_size_any(std::initializer_list<const char*> keys, int64_t max = kMaxSize) const;
  // Integers in [lo, hi] (layer indices, offsets, limits that may be 0).
  int64_t get_int_in(const std::string& key, int64_t fallback, int64_t lo, int64_t hi) const;
  // Finite numbers > 0 (epsilons, RoPE bases, scaling factors).
  double get_positive(const std::string& key, double fallback) const;
  // Finite numbers in [lo, hi].
  double get_double_in(const std::string& key, double fallback, double lo, double hi) const;
  // A nested object (mamba_ssm's ssm_cfg) as a Config of its own, whose errors
  // name "<file> ssm_cfg"; empty when absent or null, an error when not an object.
  Config section(const std::string& key) const;

  // model_type, required: "config.json has no model_type".
  std::string model_type() const;

 private:
  [[noreturn]] void fail_key(const std::string& key, const std::string& problem) const;
  nlohmann::json json_;
  std::filesystem::path origin_;
};

}  // namespace attnscope::io
