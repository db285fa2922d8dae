#include "app/cli/args.h"

#include <cstdio>

#include "core/util/error.h"
#include "core/util/numbers.h"

namespace attnscope::cli {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& with_value,
           const std::set<std::string>& flags) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), inline_value;
      const auto eq = name.find('=');
      const bool has_inline = eq != std::string::npos;
      if (has_inline) inline_value = name.substr(eq + 1), name = name.substr(0, eq);
      if (with_value.count(name)) {
        if (has_inline) values_[name] = inline_value;
        else if (i + 1 < argv.size()) values_[name] = argv[++i];
        else throw Error("option --" + name + " needs a value");
      } else if (flags.count(name) && !has_inline) {
        flags_.insert(name);
      } else {
        throw Error("unknown option --" + name);
      }
    } else {
      positional_.push_back(a);
    }
  }
}

std::string Args::positional_at(size_t i, const std::string& what) const {
  if (i >= positional_.size()) throw Error("missing " + what);
  return positional_[i];
}

std::optional<std::string> Args::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::value_or(const std::string& name, const std::string& fallback) const {
  return value(name).value_or(fallback);
}

int Args::int_or(const std::string& name, int fallback) const {
  auto v = value(name);
  if (!v) return fallback;
  if (const auto n = parse_int(*v)) return *n;
  throw Error("--" + name + " " + *v + ": not an integer");
}

int Args::int_in(const std::string& name, int fallback, int lo, int hi) const {
  const int v = int_or(name, fallback);
  if (v < lo || v > hi)
    throw Error("--" + name + " " + std::to_string(v) + ": must be from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

double Args::double_in(const std::string& name, double fallback, double lo, double hi) const {
  const double v = double_or(name, fallback);
  if (!(v >= lo && v <= hi)) {
    char range[64];
    std::snprintf(range, sizeof range, "%g to %g", lo, hi);
    throw Error("--" + name + " " + *value(name) + ": must be a number from " + range);
  }
  return v;
}

double Args::double_or(const std::string& name, double fallback) const {
  auto v = value(name);
  if (!v) return fallback;
  try {
    size_t used = 0;
    double d = std::stod(*v, &used);
    if (used == v->size()) return d;
  } catch (const std::exception&) {
  }
  throw Error("--" + name + " " + *v + ": not a number");
}

}  // namespace attnscope::cli
