#include "core/runtime/loaded_model.h"

#include <sstream>

#include "core/models/describe.h"
#include "core/models/registry.h"
#include "core/runtime/memory_budget.h"
#include "core/util/atomic_output.h"
#include "core/util/utf8.h"
#include "core/util/error.h"

namespace attnscope {

std::unique_ptr<LoadedModel> load_for_running(const std::filesystem::path& path, const LoadOptions& options) {
  auto loaded = std::make_unique<LoadedModel>(LoadedModel{io::Checkpoint::open(path), nullptr, nullptr, options});
  if (auto tok = loaded->checkpoint.tokenizer_path()) {
    loaded->tokenizer = io::Tokenizer::from_file(*tok);
    loaded->tokenizer_guard = std::make_shared<files::InputGuard>(*tok);
  }
  // The config is validated (describe) before any weight is read; then the weights must fit.
  (void)describe_from_config(loaded->checkpoint);
  if (options.device.is_cpu())
    require_memory(loaded_weight_bytes(loaded->checkpoint, options),
                   "loading " + path.string() + " in " + std::string(at::toString(options.dtype)),
                   "load it in bfloat16 (--dtype bfloat16) or on a GPU (--device cuda)");
  loaded->model = load_model(loaded->checkpoint, options);
  return loaded;
}

at::Tensor Prompt::ids_tensor() const {
  return at::tensor(at::ArrayRef<int64_t>(ids), at::TensorOptions().dtype(at::kLong));
}

Prompt prompt_from_text(const LoadedModel& loaded, const std::string& text, bool special_tokens) {
  if (const auto bad = utf8::first_invalid(text))
    throw Error("the prompt is not valid UTF-8 (byte " + std::to_string(*bad) + " does not start a character)");
  if (!loaded.tokenizer)
    fail_file(loaded.checkpoint.dir(), "has no tokenizer.json or vocab.json: give token ids (--input-ids) instead of text");
  Prompt p;
  p.text = text;
  for (const auto& t : loaded.tokenizer->encode(text, special_tokens)) {
    p.ids.push_back(t.id);
    p.labels.push_back(loaded.tokenizer->display(t.id));
    p.byte_spans.emplace_back(t.byte_begin, t.byte_end);
  }
  if (p.ids.empty()) throw Error("the prompt is empty: nothing to run");
  return p;
}

Prompt prompt_from_ids(const LoadedModel& loaded, const std::vector<int64_t>& ids) {
  Prompt p;
  p.ids = ids;
  for (int64_t id : ids) {
    if (loaded.tokenizer) {
      const size_t begin = p.text.size();
      p.text += loaded.tokenizer->token_bytes(id);
      p.byte_spans.emplace_back(begin, p.text.size());
    }
    p.labels.push_back(token_label(loaded, id));
  }
  return p;
}

std::vector<int64_t> parse_id_list(const std::string& text) {
  std::vector<int64_t> ids;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    try {
      size_t used = 0;
      const long long v = std::stoll(item, &used);
      if (used != item.size() || v < 0) throw std::invalid_argument(item);
      ids.push_back(v);
    } catch (const std::exception&) {
      throw Error("token id list: '" + item + "' is not a non-negative integer");
    }
  }
  if (ids.empty()) throw Error("token id list is empty");
  return ids;
}

std::string token_label(const LoadedModel& loaded, int64_t id) {
  if (loaded.tokenizer && id >= 0 && id < loaded.tokenizer->vocab_size()) return loaded.tokenizer->display(id);
  return "#" + std::to_string(id);
}

}  // namespace attnscope
