#pragma once
// A checkpoint opened for running: its files, tokenizer (when it has one),
// the model on its device, and prompts turned into token ids.
#include <ATen/ATen.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/io/tokenizer.h"
#include "core/models/model.h"
#include "core/models/weights.h"
#include "core/util/atomic_output.h"

namespace attnscope {

struct LoadedModel {
  io::Checkpoint checkpoint;
  std::unique_ptr<io::Tokenizer> tokenizer;  // null when the folder has none
  std::unique_ptr<Model> model;
  LoadOptions options;
  std::shared_ptr<files::InputGuard> tokenizer_guard;  // no output may replace the tokenizer file
};

// Throws attnscope::Error with one clear message on any problem.
std::unique_ptr<LoadedModel> load_for_running(const std::filesystem::path& path, const LoadOptions& options);

struct Prompt {
  std::string text;               // empty when built from ids without a tokenizer
  std::vector<int64_t> ids;
  std::vector<std::string> labels;  // one display string per token (axis labels)
  std::vector<std::pair<size_t, size_t>> byte_spans;  // per token, in `text`
  at::Tensor ids_tensor() const;  // [L] int64
};

// Needs a tokenizer. With `special_tokens`, the tokens its post-processor
// puts around a prompt (Llama's <s>) come first and last, as Hugging Face's
// tokenizer(text) gives them; they span no bytes of the text.
Prompt prompt_from_text(const LoadedModel& loaded, const std::string& text, bool special_tokens = true);
Prompt prompt_from_ids(const LoadedModel& loaded, const std::vector<int64_t>& ids);
// "5,17,3" -> ids; throws on anything else.
std::vector<int64_t> parse_id_list(const std::string& text);
// A token's display string, or "#id" when there is no tokenizer.
std::string token_label(const LoadedModel& loaded, int64_t id);

}  // namespace attnscope
