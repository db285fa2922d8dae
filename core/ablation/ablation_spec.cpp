#include "core/ablation/ablation_spec.h"

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/util/error.h"
#include "core/util/numbers.h"

namespace attnscope {
namespace {
int parse_index(const std::string& text, const std::string& item) {
  if (const auto v = parse_int(text); v && *v >= 0) return *v;
  throw Error("ablation '" + item + "': expected layer.head with non-negative integers, e.g. 3.5");
}
}  // namespace

std::vector<HeadAblation> parse_ablation_list(const std::string& text, AblationMode default_mode) {
  std::vector<HeadAblation> out;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item.empty()) continue;
    HeadAblation a;
    a.mode = default_mode;
    std::string head_part = item;
    if (auto colon = item.find(':'); colon != std::string::npos) {
      a.mode = parse_ablation_mode(item.substr(colon + 1));
      head_part = item.substr(0, colon);
    }
    const auto dot = head_part.find('.');
    if (dot == std::string::npos)
      throw Error("ablation '" + item + "': expected layer.head, e.g. 3.5");
    a.layer = parse_index(head_part.substr(0, dot), item);
    a.head = parse_index(head_part.substr(dot + 1), item);
    for (const auto& b : out)
      if (b.layer == a.layer && b.head == a.head) throw Error("ablation '" + item + "' is listed twice");
    out.push_back(a);
  }
  return out;
}

std::string format_ablation_list(const std::vector<HeadAblation>& ablations) {
  std::string s;
  for (const auto& a : ablations) {
    if (!s.empty()) s += ",";
    s += std::to_string(a.layer) + "." + std::to_string(a.head) + ":" + ablation_mode_name(a.mode);
  }
  return s;
}

std::string ablation_heads_json(const std::vector<HeadAblation>& ablations) {
  std::map<std::string, std::vector<int>> by_layer;
  for (const auto& a : ablations) by_layer[std::to_string(a.layer)].push_back(a.head);
  return nlohmann::json(by_layer).dump();
}

}  // namespace attnscope
