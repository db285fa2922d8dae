#include "core/io/text/post_processor.h"

#include "core/util/error.h"

namespace attnscope::io {
namespace {
using nlohmann::json;

std::vector<int64_t> template_ids(const json& special_tokens, const std::string& name, const std::string& origin) {
  if (!special_tokens.is_object() || !special_tokens.contains(name) || !special_tokens.at(name).contains("ids"))
    throw Error(origin + ": post_processor template names the special token '" + name + "' but lists no ids for it");
  return special_tokens.at(name).at("ids").get<std::vector<int64_t>>();
}

// ["</s>", 2] as BERT and RoBERTa processors write their tokens.
int64_t pair_id(const json& spec, const char* key, const std::string& origin) {
  if (!spec.contains(key) || !spec.at(key).is_array() || spec.at(key).size() != 2)
    throw Error(origin + ": post_processor has no [token, id] '" + key + "'");
  return spec.at(key).at(1).get<int64_t>();
}

}  // namespace

SpecialTokensAround read_post_processor(const json& spec, const std::string& origin) {
  SpecialTokensAround out;
  if (spec.is_null()) return out;
  if (!spec.is_object() || !spec.contains("type")) throw Error(origin + ": post_processor has no type");
  const std::string type = spec.at("type").get<std::string>();
  if (type == "ByteLevel") return out;  // offsets only
  if (type == "TemplateProcessing") {
    bool sequence_seen = false;
    for (const auto& item : spec.at("single")) {
      if (item.contains("Sequence")) {
        sequence_seen = true;
        continue;
      }
      if (!item.contains("SpecialToken")) throw Error(origin + ": post_processor template item is neither Sequence nor SpecialToken");
      auto ids = template_ids(spec.value("special_tokens", json()), item.at("SpecialToken").at("id").get<std::string>(), origin);
      auto& side = sequence_seen ? out.after : out.before;
      side.insert(side.end(), ids.begin(), ids.end());
    }
    return out;
  }
  if (type == "RobertaProcessing" || type == "BertProcessing") {
    out.before = {pair_id(spec, "cls", origin)};
    out.after = {pair_id(spec, "sep", origin)};
    return out;
  }
  if (type == "Sequence") {
    for (const auto& p : spec.at("processors")) {
      const auto part = read_post_processor(p, origin);
      out.before.insert(out.before.end(), part.before.begin(), part.before.end());
      out.after.insert(out.after.end(), part.after.begin(), part.after.end());
    }
    return out;
  }
  throw Error(origin + ": post_processor type '" + type + "' is not supported");
}

}  // namespace attnscope::io
