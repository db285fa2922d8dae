#include "core/io/tokenizer.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/io/byte_level.h"
#include "core/io/json_file.h"
#include "core/util/error.h"
#include "core/util/input_file.h"

namespace attnscope::io {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Merges come as "a b" strings or ["a", "b"] pairs.
std::vector<std::pair<std::string, std::string>> read_merges(const json& merges, const std::string& origin) {
  if (!merges.is_array()) throw Error(origin + ": model.merges is missing or not a list: cannot read the merges");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& m : merges) {
    if (m.is_string()) {
      const std::string s = m.get<std::string>();
      const auto space = s.find(' ');
      if (space == std::string::npos || space == 0 || space + 1 >= s.size() || s.find(' ', space + 1) != std::string::npos)
        throw Error(origin + ": merge '" + s + "' is not two tokens separated by one space");
      out.emplace_back(s.substr(0, space), s.substr(space + 1));
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      out.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    } else {
      throw Error(origin + ": a merge is neither \"a b\" nor [\"a\", \"b\"]: cannot read the merges");
    }
  }
  return out;
}

std::unordered_map<std::string, int64_t> read_vocab(const json& vocab, const std::string& origin) {
  if (!vocab.is_object() || vocab.empty()) throw Error(origin + ": the vocabulary is missing or empty");
  std::unordered_map<std::string, int64_t> out;
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it->is_number_integer()) throw Error(origin + ": vocabulary entry '" + it.key() + "' has no integer id");
    out[it.key()] = it->get<int64_t>();
  }
  return out;
}

}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::from_json_text(std::string_view text, const std::string& origin) {
  json j;
  try {
    j = parse_json_text(text, origin);
  } catch (const Error&) {
    throw;
  }
  std::unique_ptr<Tokenizer> t(new Tokenizer);
  try {
    if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
      throw Error(origin + ": has no \"model\": not a tokenizer.json");
    const json& model = j["model"];
    const std::string type = model.value("type", std::string("BPE"));
    if (type != "BPE")
      throw Error(origin + ": model type " + type + " is not supported (AttnScope reads byte-level BPE)");
    if (model.value("byte_fallback", false))
      throw Error(origin + ": byte_fallback BPE (SentencePiece style) is not supported (AttnScope reads byte-level BPE)");
    const bool ignore_merges = model.value("ignore_merges", false);
    t->model_ = std::make_unique<BpeModel>(read_vocab(model.value("vocab", json()), origin),
                                           read_merges(model.value("merges", json()), origin), ignore_merges, origin);
    t->pre_ = make_pretokenizer(j.value("pre_tokenizer", json()), t->add_prefix_space_, origin);
    if (j.contains("added_tokens") && j["added_tokens"].is_array())
      for (const auto& a : j["added_tokens"]) {
        if (!a.is_object() || !a.contains("content") || !a.contains("id")) continue;
        AddedToken added{a["content"].get<std::string>(), a["id"].get<int64_t>()};
        if (added.content.empty()) continue;
        t->added_.push_back(added);
        if (!t->model_->id_of(ByteLevel::instance().encode(added.content)) || t->model_->spelling(added.id).empty())
          t->model_->add_token(ByteLevel::instance().encode(added.content), added.id);
      }
    std::stable_sort(t->added_.begin(), t->added_.end(),
                     [](const AddedToken& a, const AddedToken& b) { return a.content.size() > b.content.size(); });
    t->description_ = "byte-level BPE, " + std::to_string(t->vocab_size()) + " tokens" +
                      (ignore_merges ? ", ignore_merges" : "") +
                      (t->added_.empty() ? "" : ", " + std::to_string(t->added_.size()) + " added");
  } catch (const json::exception& e) {
    throw Error(origin + ": unexpected structure (" + std::string(e.what()) + ")");
  }
  return t;
}

std::unique_ptr<Tokenizer> Tokenizer::from_vocab_merges(const fs::path& vocab_json, const fs::path& merges_txt) {
  const std::string origin = vocab_json.string();
  std::unique_ptr<Tokenizer> t(new Tokenizer);
  std::vector<std::pair<std::string, std::string>> merges;
  std::istringstream lines(files::read_file(merges_txt));
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.rfind("#version", 0) == 0) continue;
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 >= line.size())
      fail_file(merges_txt, "line " + std::to_string(number) + " is not two tokens separated by a space");
    merges.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
  if (merges.empty()) fail_file(merges_txt, "holds no merges");
  try {
    t->model_ = std::make_unique<BpeModel>(read_vocab(read_json_file(vocab_json), origin), merges, false,
                                           merges_txt.string());
  } catch (const json::exception& e) {
    fail_file(vocab_json, std::string("unexpected structure (") + e.what() + ")");
  }
  t->pre_ = make_regex_split(kGpt2Pattern, "Isolated", false, origin);
  t->description_ = "byte-level BPE (vocab.json + merges.txt), " + std::to_string(t->vocab_size()) + " tokens";
  return t;
}

std::unique_ptr<Tokenizer> Tokenizer::from_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) fail_file(file, "no such tokenizer file");
  if (file.filename() == "vocab.json" || file.extension() == ".bpe" || file.filename() == "merges.txt") {
    const fs::path dir = file.parent_path();
    fs::path vocab = dir / "vocab.json", merges = dir / "merges.txt";
    if (!fs::exists(vocab) && fs::exists(dir / "encoder.json")) vocab = dir / "encoder.json";
    if (!fs::exists(merges) && fs::exists(dir / "vocab.bpe")) merges = dir / "vocab.bpe";
    if (!fs::exists(merges)) fail_file(vocab, "has no merges.txt beside it: cannot build the tokenizer");
    return from_vocab_merges(vocab, merges);
  }
  if (file.filename() == "encoder.json") return from_vocab_merges(file, file.parent_path() / "vocab.bpe");
  return from_json_text(files::read_file(file), file.string());
}

std::optional<fs::path> Tokenizer::find_in(const fs::path& dir) {
  for (const char* name : {"tokenizer.json", "vocab.json"}) {
    std::error_code ec;  // a loop or dangling link is found here and refused when opened
    if (fs::exists(fs::symlink_status(dir / name, ec))) return dir / name;
  }
  return std::nullopt;
}

void Tokenizer::encode_span(std::string_view text, size_t begin, size_t end, std::vector<Token>& out) const {
  if (begin >= end) return;
  const auto& bytes_table = ByteLevel::instance();
  for (const auto& piece : pre_->split(text, {{begin, end}})) {
    std::string raw(text.substr(piece.begin, piece.end - piece.begin));
    size_t cursor = piece.begin;
    for (int64_t id : model_->encode(bytes_table.encode(raw))) {
      const std::string b = token_bytes(id);
      Token t{id, b, cursor, std::min(cursor + b.size(), piece.end)};
      cursor = t.byte_end;
      out.push_back(std::move(t));
    }
  }
}

std::vector<Token> Tokenizer::encode(std::string_view input) const {
  // A prefix space (ByteLevel add_prefix_space) is part of the first token
  // but not of the prompt: spans are clamped to the prompt's bytes.
  std::string owned;
  std::string_view text = input;
  size_t shift = 0;
  if (add_prefix_space_ && !input.empty() && input[0] != ' ') {
    owned = " " + std::string(input);
    text = owned;
    shift = 1;
  }
  std::vector<Token> out;
  size_t start = 0;
  // Added (special) tokens are matched whole before anything else.
  for (size_t i = 0; i < text.size();) {
    const AddedToken* hit = nullptr;
    for (const auto& a : added_)
      if (text.compare(i, a.content.size(), a.content) == 0) {
        hit = &a;
        break;
      }
    if (!hit) {
      ++i;
      continue;
    }
    encode_span(text, start, i, out);
    out.push_back({hit->id, hit->content, i, i + hit->content.size()});
    i += hit->content.size();
    start = i;
  }
  encode_span(text, start, text.size(), out);
  if (shift)
    for (auto& t : out) t.byte_begin = t.byte_begin ? t.byte_begin - 1 : 0, t.byte_end = t.byte_end ? t.byte_end - 1 : 0;
  return out;
}

std::vector<int64_t> Tokenizer::encode_ids(std::string_view text) const {
  std::vector<int64_t> ids;
  for (const auto& t : encode(text)) ids.push_back(t.id);
  return ids;
}

std::string Tokenizer::token_bytes(int64_t id) const {
  const std::string& spelled = model_->spelling(id);
  for (const auto& a : added_)
    if (a.id == id) return a.content;
  std::string bytes;
  if (!ByteLevel::instance().decode(spelled, bytes)) return spelled;  // not byte-level spelled: show as is
  return bytes;
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  for (int64_t id : ids) out += token_bytes(id);
  return out;
}

std::optional<int64_t> Tokenizer::token_id(const std::string& bytes) const {
  for (const auto& a : added_)
    if (a.content == bytes) return a.id;
  return model_->id_of(ByteLevel::instance().encode(bytes));
}

std::string visible_text(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size();) {
    const char c = bytes[i];
    if (c == ' ') out += "\xC2\xB7", ++i;           // ·
    else if (c == '\n') out += "\xE2\x86\xB5", ++i;  // ↵
    else if (c == '\t') out += "\xE2\x86\x92", ++i;  // →
    else if (c == '\r') out += "\\r", ++i;
    else {
      const size_t start = i;
      uint32_t cp = 0;
      if (next_utf8(bytes, i, cp) && cp >= 0x20) {
        out.append(bytes.substr(start, i - start));
      } else {
        i = start + 1;
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<uint8_t>(bytes[start]));
        out += buf;
      }
    }
  }
  return out;
}

std::string Tokenizer::display(int64_t id) const { return visible_text(token_bytes(id)); }

}  // namespace attnscope::io
