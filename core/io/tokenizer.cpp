#include "core/io/tokenizer.h"

#include <algorithm>
#include <sstream>

#include "core/io/json_file.h"
#include "core/io/text/byte_level.h"
#include "core/io/text/tokenizer_json.h"
#include "core/io/text/utf8.h"
#include "core/util/error.h"
#include "core/util/input_file.h"

namespace attnscope::io {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::optional<std::string> optional_string(const json& model, const char* key) {
  if (!model.contains(key) || model.at(key).is_null()) return std::nullopt;
  return model.at(key).get<std::string>();
}

BpeOptions bpe_options(const json& model, const std::string& origin) {
  BpeOptions o;
  o.byte_fallback = model.value("byte_fallback", false);
  o.fuse_unk = model.value("fuse_unk", false);
  o.ignore_merges = model.value("ignore_merges", false);
  o.unk_token = optional_string(model, "unk_token");
  o.continuing_subword_prefix = optional_string(model, "continuing_subword_prefix").value_or("");
  o.end_of_word_suffix = optional_string(model, "end_of_word_suffix").value_or("");
  if (model.contains("dropout") && !model.at("dropout").is_null() && model.at("dropout").get<double>() > 0)
    throw Error(origin + ": BPE dropout " + model.at("dropout").dump() +
                " makes tokenization random; set it to null to tokenize as the model was trained");
  return o;
}

std::vector<AddedToken> read_added_tokens(const json& list, const std::string& origin) {
  std::vector<AddedToken> out;
  if (list.is_null()) return out;
  if (!list.is_array()) throw Error(origin + ": added_tokens is not a list");
  for (const auto& a : list) {
    if (!a.is_object() || !a.contains("content") || !a.contains("id") || !a.at("content").is_string() ||
        !a.at("id").is_number_integer())
      throw Error(origin + ": an added token has no content or no integer id");
    AddedToken t;
    t.content = a.at("content").get<std::string>();
    t.id = a.at("id").get<int64_t>();
    t.special = a.value("special", true);
    t.single_word = a.value("single_word", false);
    t.lstrip = a.value("lstrip", false);
    t.rstrip = a.value("rstrip", false);
    t.normalized = a.value("normalized", !t.special);
    if (!t.content.empty()) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

Tokenizer::Tokenizer() = default;
Tokenizer::~Tokenizer() = default;

std::unique_ptr<Tokenizer> Tokenizer::from_json_text(std::string_view text, const std::string& origin) {
  TokenizerJson spec = read_tokenizer_json(text, origin);
  std::unique_ptr<Tokenizer> t(new Tokenizer);
  try {
    const std::string type = spec.model.value("type", std::string("BPE"));
    if (type != "BPE")
      throw Error(origin + ": model type " + type + " is not supported (AttnScope reads BPE tokenizers)");
    if (!spec.has_vocab || spec.vocab.empty()) throw Error(origin + ": the vocabulary is missing or empty");
    if (!spec.has_merges) throw Error(origin + ": model.merges is missing or not a list: cannot read the merges");
    t->model_ = std::make_unique<BpeModel>(std::move(spec.vocab), spec.merges, bpe_options(spec.model, origin), origin);
    t->normalizer_ = make_normalizer(spec.normalizer, origin);
    t->pre_ = make_pretokenizer(spec.pre_tokenizer, t->byte_level_, origin);
    t->decoder_ = make_decoder(spec.decoder, origin);
    t->around_ = read_post_processor(spec.post_processor, origin);
    t->set_added_tokens(read_added_tokens(spec.added_tokens, origin));
    for (int64_t id : t->around_.before)
      if (id < 0 || id > t->model_->max_id()) throw Error(origin + ": post_processor adds token " + std::to_string(id) + ", which is not in the vocabulary");
    for (int64_t id : t->around_.after)
      if (id < 0 || id > t->model_->max_id()) throw Error(origin + ": post_processor adds token " + std::to_string(id) + ", which is not in the vocabulary");
  } catch (const json::exception& e) {
    throw Error(origin + ": unexpected structure (" + std::string(e.what()) + ")");
  }
  const auto& m = spec.model;
  t->description_ = std::string(t->byte_level_ ? "byte-level BPE" : "BPE") +
                    (m.value("byte_fallback", false) ? " with byte fallback" : "") + ", " +
                    std::to_string(t->vocab_size()) + " tokens" +
                    (m.value("ignore_merges", false) ? ", ignore_merges" : "") +
                    (t->normalizer_ ? ", normalizer " + spec.normalizer.value("type", std::string()) : "") +
                    (t->added_.empty() ? "" : ", " + std::to_string(t->added_.size()) + " added");
  return t;
}

void Tokenizer::set_added_tokens(std::vector<AddedToken> tokens) {
  added_ = std::move(tokens);
  for (size_t k = 0; k < added_.size(); ++k) added_by_id_.emplace(added_[k].id, k);
  std::vector<AddedToken> raw, normal;
  std::vector<std::string> raw_patterns, normal_patterns;
  for (const auto& a : added_) {
    model_->add_token(byte_level_ ? ByteLevel::instance().encode(a.content) : a.content, a.id);
    if (a.normalized && normalizer_) {
      normal.push_back(a);
      normal_patterns.push_back(normalizer_->apply(AlignedText::original(a.content)).text);
    } else {
      raw.push_back(a);
      raw_patterns.push_back(a.content);
    }
  }
  raw_matcher_ = AddedTokenMatcher(raw, raw_patterns);
  normalized_matcher_ = AddedTokenMatcher(normal, normal_patterns);
}

std::unique_ptr<Tokenizer> Tokenizer::from_vocab_merges(const fs::path& vocab_json, const fs::path& merges_txt) {
  const std::string origin = vocab_json.string();
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
  std::vector<std::pair<std::string, int64_t>> vocab;
  try {
    const json j = read_json_file(vocab_json);
    if (!j.is_object() || j.empty()) throw Error(origin + ": the vocabulary is missing or empty");
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!it->is_number_integer()) throw Error(origin + ": vocabulary entry '" + it.key() + "' has no integer id");
      vocab.emplace_back(it.key(), it->get<int64_t>());
    }
  } catch (const json::exception& e) {
    fail_file(vocab_json, std::string("unexpected structure (") + e.what() + ")");
  }
  std::unique_ptr<Tokenizer> t(new Tokenizer);
  t->model_ = std::make_unique<BpeModel>(std::move(vocab), merges, BpeOptions{}, merges_txt.string());
  t->pre_ = make_byte_level(false, true);
  t->byte_level_ = true;
  t->decoder_ = make_decoder(json{{"type", "ByteLevel"}}, origin);
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
  // 1 GB: far above any tokenizer (Gemma-3's is 33 MB).
  return from_json_text(files::read_file(file, uint64_t(1) << 30), file.string());
}

std::optional<fs::path> Tokenizer::find_in(const fs::path& dir) {
  for (const char* name : {"tokenizer.json", "vocab.json"}) {
    std::error_code ec;  // a loop or dangling link is found here and refused when opened
    if (fs::exists(fs::symlink_status(dir / name, ec))) return dir / name;
  }
  return std::nullopt;
}

Token Tokenizer::special(int64_t id, size_t at) const { return {id, token_bytes(id), at, at}; }

// Added tokens of the prompt as typed, then normalisation of what lies between.
std::vector<Token> Tokenizer::encode(std::string_view text, bool special_tokens) const {
  std::vector<Token> out;
  if (special_tokens)
    for (int64_t id : around_.before) out.push_back(special(id, 0));
  const AlignedText prompt = AlignedText::original(text);
  size_t at = 0;
  for (const auto& m : raw_matcher_.find(text)) {
    encode_segment(prompt.slice(at, m.begin), out);
    out.push_back({m.id, token_bytes(m.id), m.begin, m.end});
    at = m.end;
  }
  encode_segment(prompt.slice(at, text.size()), out);
  if (special_tokens)
    for (int64_t id : around_.after) out.push_back(special(id, text.size()));
  return out;
}

// A stretch of the prompt without raw added tokens: normalised, then its
// normalised added tokens, then pre-tokens and the model.
void Tokenizer::encode_segment(const AlignedText& segment, std::vector<Token>& out) const {
  if (segment.empty()) return;
  const AlignedText normal = normalizer_ ? normalizer_->apply(segment) : segment;
  size_t at = 0;
  for (const auto& m : normalized_matcher_.find(normal.text)) {
    encode_normalized(normal.slice(at, m.begin), out);
    const Span s = normal.span_of(m.begin, m.end);
    out.push_back({m.id, token_bytes(m.id), s.begin, s.end});
    at = m.end;
  }
  encode_normalized(normal.slice(at, normal.size()), out);
}

void Tokenizer::encode_normalized(const AlignedText& text, std::vector<Token>& out) const {
  if (text.empty()) return;
  for (const auto& piece : pre_->split({text})) {
    for (const auto& t : model_->encode(piece.text)) {
      const Span s = piece.span_of(t.begin, t.end);
      out.push_back({t.id, token_bytes(t.id), s.begin, s.end});
    }
  }
}

std::vector<int64_t> Tokenizer::encode_ids(std::string_view text, bool special_tokens) const {
  std::vector<int64_t> ids;
  for (const auto& t : encode(text, special_tokens)) ids.push_back(t.id);
  return ids;
}

const AddedToken* Tokenizer::added_token(int64_t id) const {
  const auto it = added_by_id_.find(id);
  return it == added_by_id_.end() ? nullptr : &added_[it->second];
}

// A token as the vocabulary spells it: an added token's content, or the model's spelling.
std::string Tokenizer::spelling_of(int64_t id) const {
  if (const AddedToken* a = added_token(id)) return a->content;
  return model_->spelling(id);
}

std::string Tokenizer::token_bytes(int64_t id) const {
  const std::string spelled = spelling_of(id);
  if (decoder_) return decoder_->decode_token(spelled);
  // No decoder (Hugging Face would join spellings with spaces): byte-level
  // spellings are read back to bytes, others shown as they are.
  std::string bytes;
  if (byte_level_ && !added_token(id) && ByteLevel::instance().decode(spelled, bytes)) return bytes;
  return spelled;
}

// As Hugging Face decodes (special tokens kept): every token's spelling,
// added ones included, through the whole decoder chain.
std::string Tokenizer::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  if (!decoder_) {
    for (int64_t id : ids) out += token_bytes(id);
    return out;
  }
  std::vector<std::string> pieces;
  pieces.reserve(ids.size());
  for (int64_t id : ids) pieces.push_back(spelling_of(id));
  for (const auto& p : decoder_->decode_chain(std::move(pieces))) out += p;
  return out;
}

int64_t Tokenizer::vocab_size() const { return model_->max_id() + 1; }

std::optional<int64_t> Tokenizer::token_id(const std::string& text) const {
  for (const auto& a : added_)
    if (a.content == text) return a.id;
  if (byte_level_) return model_->id_of(ByteLevel::instance().encode(text));
  if (auto id = model_->id_of(text)) return id;
  // SentencePiece spelling: spaces are written '▁'.
  std::string spelled;
  for (char c : text) spelled += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
  return model_->id_of(spelled);
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
