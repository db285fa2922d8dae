#include "core/io/text/tokenizer_json.h"

#include <simdjson.h>

#include "core/io/json_file.h"
#include "core/util/error.h"

namespace attnscope::io {
namespace {
namespace dom = simdjson::dom;
using nlohmann::json;

// The DOM API: simdjson picks the fastest kernels this CPU has at run time.

// A small part of the file as an nlohmann document (depth-limited, as every file AttnScope reads).
json as_nlohmann(dom::element value, const std::string& origin, const std::string& where) {
  return parse_json_text(simdjson::minify(value), origin + " (" + where + ")");
}

void read_vocab(dom::element value, TokenizerJson& out, const std::string& origin) {
  if (!value.is_object()) throw Error(origin + ": model.vocab is not an object of token ids");
  const dom::object vocab = value.get_object();
  out.vocab.reserve(vocab.size());
  for (const auto field : vocab) {
    if (!field.value.is_int64()) throw Error(origin + ": vocabulary entry '" + std::string(field.key) + "' has no integer id");
    out.vocab.emplace_back(std::string(field.key), field.value.get_int64().value());
  }
}

// Merges come as "a b" strings or ["a", "b"] pairs.
void read_merges(dom::element value, TokenizerJson& out, const std::string& origin) {
  if (!value.is_array()) throw Error(origin + ": model.merges is missing or not a list: cannot read the merges");
  const dom::array merges = value.get_array();
  out.merges.reserve(merges.size());
  const std::string not_a_merge = origin + ": a merge is neither \"a b\" nor [\"a\", \"b\"]: cannot read the merges";
  for (const dom::element m : merges) {
    if (m.is_string()) {
      const std::string_view s = m.get_string();
      const auto space = s.find(' ');
      if (space == std::string_view::npos || space == 0 || space + 1 >= s.size() ||
          s.find(' ', space + 1) != std::string_view::npos)
        throw Error(origin + ": merge '" + std::string(s) + "' is not two tokens separated by one space");
      out.merges.emplace_back(std::string(s.substr(0, space)), std::string(s.substr(space + 1)));
      continue;
    }
    if (!m.is_array()) throw Error(not_a_merge);
    const dom::array pair = m.get_array();
    if (pair.size() != 2 || !pair.at(0).is_string() || !pair.at(1).is_string()) throw Error(not_a_merge);
    out.merges.emplace_back(std::string(pair.at(0).get_string().value()), std::string(pair.at(1).get_string().value()));
  }
}

void read_model(dom::element value, TokenizerJson& out, const std::string& origin) {
  if (!value.is_object()) throw Error(origin + ": has no \"model\": not a tokenizer.json");
  out.model = json::object();
  for (const auto field : value.get_object()) {
    const std::string key(field.key);
    if (key == "vocab") {
      read_vocab(field.value, out, origin);
      out.has_vocab = true;
    } else if (key == "merges") {
      read_merges(field.value, out, origin);
      out.has_merges = true;
    } else {
      out.model[key] = as_nlohmann(field.value, origin, "model." + key);
    }
  }
}

}  // namespace

TokenizerJson read_tokenizer_json(std::string_view text, const std::string& origin) {
  TokenizerJson out;
  bool has_model = false;
  try {
    dom::parser parser;
    const simdjson::padded_string padded(text);
    const dom::element doc = parser.parse(padded);
    if (!doc.is_object()) throw Error(origin + ": has no \"model\": not a tokenizer.json");
    for (const auto field : doc.get_object()) {
      const std::string key(field.key);
      if (key == "model") {
        read_model(field.value, out, origin);
        has_model = true;
      } else if (key == "normalizer") {
        out.normalizer = as_nlohmann(field.value, origin, key);
      } else if (key == "pre_tokenizer") {
        out.pre_tokenizer = as_nlohmann(field.value, origin, key);
      } else if (key == "post_processor") {
        out.post_processor = as_nlohmann(field.value, origin, key);
      } else if (key == "decoder") {
        out.decoder = as_nlohmann(field.value, origin, key);
      } else if (key == "added_tokens") {
        out.added_tokens = as_nlohmann(field.value, origin, key);
      }  // version, truncation, padding: nothing to tokenize with
    }
  } catch (const simdjson::simdjson_error& e) {
    if (e.error() == simdjson::DEPTH_ERROR)
      throw Error(origin + ": nests deeper than " + std::to_string(simdjson::DEFAULT_MAX_DEPTH) + " levels");
    throw Error(origin + ": malformed JSON (" + e.what() + ")");
  }
  if (!has_model) throw Error(origin + ": has no \"model\": not a tokenizer.json");
  return out;
}

}  // namespace attnscope::io
