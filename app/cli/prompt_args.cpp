#include "app/cli/prompt_args.h"

#include <string>

#include "core/util/error.h"
#include "core/util/input_file.h"

namespace attnscope::cli {

Prompt prompt_from_args(const Args& args, const LoadedModel& loaded, const std::string& name) {
  const std::string file = name + "-file", ids_option = name == "prompt" ? "input-ids" : name + "-ids";
  const int given = args.has(name) + args.has(file) + args.has(ids_option);
  if (given != 1) throw Error("give exactly one of --" + name + ", --" + file + " or --" + ids_option);
  if (auto ids = args.value(ids_option)) return prompt_from_ids(loaded, parse_id_list(*ids));
  const bool special = !args.flag("no-special-tokens");
  if (auto path = args.value(file)) return prompt_from_text(loaded, files::read_file(*path, uint64_t(1) << 28), special);
  return prompt_from_text(loaded, *args.value(name), special);
}

int64_t token_from_args(const Args& args, const LoadedModel& loaded, const std::string& name) {
  if (args.has(name) && args.has(name + "-id")) throw Error("give --" + name + " or --" + name + "-id, not both");
  if (auto id = args.value(name + "-id")) {
    const auto ids = parse_id_list(*id);
    const int64_t vocab = loaded.model->info().vocab_size;
    if (ids.size() != 1) throw Error("--" + name + "-id takes one token id");
    if (ids.front() >= vocab)
      throw Error("--" + name + "-id " + *id + " is outside the model's vocabulary (0.." + std::to_string(vocab - 1) + ")");
    return ids.front();
  }
  if (auto text = args.value(name)) {
    if (!loaded.tokenizer) throw Error("--" + name + " needs a tokenizer; use --" + name + "-id");
    auto ids = loaded.tokenizer->encode_ids(*text);
    if (ids.size() != 1)
      throw Error("--" + name + " '" + *text + "' is " + std::to_string(ids.size()) + " tokens; give a single token");
    return ids.front();
  }
  return -1;
}

}  // namespace attnscope::cli
