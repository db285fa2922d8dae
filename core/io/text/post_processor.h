#pragma once
// The special tokens a tokenizer adds around a prompt (Hugging Face's
// post_processor with add_special_tokens): Llama's <s> or
// <|begin_of_text|> in front, BERT-style [CLS] ... [SEP] around.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace attnscope::io {

struct SpecialTokensAround {
  std::vector<int64_t> before, after;
};

// From a tokenizer.json's "post_processor" (TemplateProcessing's single
// template, RobertaProcessing, BertProcessing, ByteLevel, Sequence); nothing
// for null. Throws attnscope::Error naming `origin` for other types.
SpecialTokensAround read_post_processor(const nlohmann::json& spec, const std::string& origin);

}  // namespace attnscope::io
