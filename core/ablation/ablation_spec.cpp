#include "core/ablation/ablation_spec.h"

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/util/error.h"
#include "core/util/numbers.h"

namespace attnscope {
namespace {
int parse_index(const std::string& text, const std::string& item) {
  if (const auto v = parse_int(text); v && *v >= 0) return *v;
  throw Error("ablation '" + item + "': expected layer.head (or layer.mixer.head) with non-negative integers, e.g. 3.5 or 3.attn.5");
}

bool is_mixer_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
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
    // layer.head, or layer.mixer.head for layers with several mixers (3.attn.5, 3.ssm.1).
    const auto dot = head_part.find('.'), last = head_part.rfind('.');
    if (dot == std::string::npos)
      throw Error("ablation '" + item + "': expected layer.head (or layer.mixer.head), e.g. 3.5 or 3.attn.5");
    a.layer = parse_index(head_part.substr(0, dot), item);
    a.head = parse_index(head_part.substr(last + 1), item);
    if (last != dot) {
      a.mixer = head_part.substr(dot + 1, last - dot - 1);
      if (!is_mixer_name(a.mixer)) throw Error("ablation '" + item + "': '" + a.mixer + "' is not a mixer name (attn, ssm)");
    }
    for (const auto& b : out)
      if (b.layer == a.layer && b.head == a.head && b.mixer == a.mixer) throw Error("ablation '" + item + "' is listed twice");
    out.push_back(a);
  }
  return out;
}

std::string format_ablation_list(const std::vector<HeadAblation>& ablations) {
  std::string s;
  for (const auto& a : ablations) {
    if (!s.empty()) s += ",";
    s += std::to_string(a.layer) + "." + (a.mixer.empty() ? "" : a.mixer + ".") + std::to_string(a.head) + ":" +
         ablation_mode_name(a.mode);
  }
  return s;
}

std::string ablation_heads_json(const std::vector<HeadAblation>& ablations) {
  std::map<std::string, std::vector<int>> by_layer;
  for (const auto& a : ablations)
    by_layer[std::to_string(a.layer) + (a.mixer.empty() ? "" : "." + a.mixer)].push_back(a.head);
  return nlohmann::json(by_layer).dump();
}

}  // namespace attnscope
