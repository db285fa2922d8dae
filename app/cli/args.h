#pragma once
// A small command-line parser: positionals, --key value, --flag. Each command
// declares its options so a typo gives one clear message instead of being ignored.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace attnscope::cli {

class Args {
 public:
  // `with_value`: options that take a value; `flags`: options that do not.
  Args(const std::vector<std::string>& argv, const std::set<std::string>& with_value,
       const std::set<std::string>& flags);  // throws attnscope::Error

  const std::vector<std::string>& positional() const { return positional_; }
  std::string positional_at(size_t i, const std::string& what) const;  // throws "missing <what>"
  bool flag(const std::string& name) const { return flags_.count(name) != 0; }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::string value_or(const std::string& name, const std::string& fallback) const;
  int int_or(const std::string& name, int fallback) const;       // throws on non-integers
  double double_or(const std::string& name, double fallback) const;
  // The same, refusing values outside [lo, hi] (and NaN) with the range in the message.
  int int_in(const std::string& name, int fallback, int lo, int hi) const;
  double double_in(const std::string& name, double fallback, double lo, double hi) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
};

}  // namespace attnscope::cli
