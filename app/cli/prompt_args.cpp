#include "app/cli/prompt_args.h"

#include <string>

#include "core/util/error.h"
#include "core/util/input_file.h"

namespace attnscope::cli {

Prompt prompt_from_args(const Args& args, const LoadedModel& loaded) {
  const int given = args.has("prompt") + args.has("prompt-file") + args.has("input-ids");
  if (given != 1) throw Error("give exactly one of --prompt, --prompt-file or --input-ids");
  if (auto ids = args.value("input-ids")) return prompt_from_ids(loaded, parse_id_list(*ids));
  const bool special = !args.flag("no-special-tokens");
  if (auto file = args.value("prompt-file"))
    return prompt_from_text(loaded, files::read_file(*file, uint64_t(1) << 28), special);
  return prompt_from_text(loaded, *args.value("prompt"), special);
}

int64_t target_from_args(const Args& args, const LoadedModel& loaded) {
  if (auto id = args.value("target-id")) {
    const auto ids = parse_id_list(*id);
    const int64_t vocab = loaded.model->info().vocab_size;
    if (ids.size() != 1) throw Error("--target-id takes one token id");
    if (ids.front() >= vocab)
      throw Error("--target-id " + *id + " is outside the model's vocabulary (0.." + std::to_string(vocab - 1) + ")");
    return ids.front();
  }
  if (auto text = args.value("target")) {
    if (!loaded.tokenizer) throw Error("--target needs a tokenizer; use --target-id");
    auto ids = loaded.tokenizer->encode_ids(*text);
    if (ids.size() != 1)
      throw Error("--target '" + *text + "' is " + std::to_string(ids.size()) + " tokens; give a single token");
    return ids.front();
  }
  return -1;  // the intact run's top-1
}

}  // namespace attnscope::cli
