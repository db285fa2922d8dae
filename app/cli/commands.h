#pragma once
// The CLI's subcommands. Each takes the arguments after its name, prints to
// stdout, reports errors on stderr, and returns the exit status.
#include <string>
#include <vector>

namespace attnscope::cli {

using Argv = std::vector<std::string>;

struct Command {
  const char* name;
  const char* usage;
  int (*run)(const Argv& args);
};

const std::vector<Command>& commands();
void print_usage();
// `attnscope <name> --help`: that command's usage; false for an unknown name.
bool print_command_usage(const std::string& name);

int cmd_inspect(const Argv& args);
int cmd_tokenize(const Argv& args);
int cmd_run(const Argv& args);
int cmd_show(const Argv& args);
int cmd_demo(const Argv& args);
int cmd_train(const Argv& args);
int cmd_scan(const Argv& args);
int cmd_merge(const Argv& args);
int cmd_sweep(const Argv& args);
int cmd_patch(const Argv& args);
int cmd_graft(const Argv& args);
int cmd_distill(const Argv& args);

}  // namespace attnscope::cli
