// attnscope tokenize <checkpoint or tokenizer file> --text TEXT [--no-special-tokens] [--json]
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/io/tokenizer.h"
#include "core/util/error.h"

namespace attnscope::cli {

int cmd_tokenize(const Argv& argv) {
  Args args(argv, {"text"}, {"json", "no-special-tokens"});
  const std::filesystem::path where = args.positional_at(0, "checkpoint folder or tokenizer file");
  auto text = args.value("text");
  if (!text) throw Error("missing --text");
  std::filesystem::path file = where;
  if (std::filesystem::is_directory(where)) {
    auto found = io::Tokenizer::find_in(where);
    if (!found) fail_file(where, "has no tokenizer.json or vocab.json + merges.txt");
    file = *found;
  }
  const auto tokenizer = io::Tokenizer::from_file(file);
  // As run feeds the model: with the special tokens the tokenizer puts around a prompt.
  const auto tokens = tokenizer->encode(*text, !args.flag("no-special-tokens"));
  if (args.flag("json")) {
    nlohmann::ordered_json j = {{"tokenizer", file.string()}, {"ids", nlohmann::json::array()},
                                {"tokens", nlohmann::json::array()}};
    for (const auto& t : tokens) {
      j["ids"].push_back(t.id);
      j["tokens"].push_back({{"id", t.id},
                             {"display", tokenizer->display(t.id)},
                             {"bytes", {t.byte_begin, t.byte_end}}});
    }
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("%zu tokens\n", tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i)
    std::printf("%5zu  %8lld  %-24s  bytes %zu..%zu\n", i, static_cast<long long>(tokens[i].id),
                tokenizer->display(tokens[i].id).c_str(), tokens[i].byte_begin, tokens[i].byte_end);
  return 0;
}

}  // namespace attnscope::cli
