#include "app/cli/commands.h"

#include <cstdio>

#include "attnscope/version.h"

namespace attnscope::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {"inspect", "inspect <checkpoint> [--json]", cmd_inspect},
      {"tokenize", "tokenize <checkpoint|tokenizer file> --text TEXT [--no-special-tokens] [--json]", cmd_tokenize},
      {"run",
       "run <checkpoint> (--prompt TEXT | --prompt-file F | --input-ids 5,17,3) [--device auto|cpu|cuda]\n"
       "        [--dtype float32|float16|bfloat16] [--top-k K] [--ablate 3.5,7.1] [--ablate-mode zero|mean|uniform]\n"
       "        [--target TOKEN | --target-id N] [--dump out.safetensors] [--out session.h5] [--json]\n"
       "        [--no-special-tokens]   (leave out the <s>/BOS the tokenizer puts around a prompt)\n"
       "        [--view direct|effective] [--channel-group N|auto]   (Mamba-1: average N contiguous channels per map)",
       cmd_run},
      {"show", "show <session.h5> [--json]", cmd_show},
      {"demo", "demo [--headless] [--out-dir DIR]   (the window when a display is present)", cmd_demo},
      {"train", "train --arch transformer|mamba2|hybrid --out DIR [--layers N] [--heads N] [--head-dim D] [--steps 1500] [--batch 32] [--lr 0.003] [--seed 1234]\n"
                "        [--tasks letters:4,mqar:6] [--init-from DIR] [--tokenizer-from-trained-tasks]\n"
                "        [--head-sparsity 0.002] [--head-sparsity-layers 1]   (penalise heads a task does not need)\n"
                "        [--head-dropout 0.25] [--head-dropout-layers 0]   (zero random heads each step: no single head indispensable)\n"
                "        [--head-dropout-spare 1:0]   (heads never dropped: the shared job settles there)\n"
                "        [--keep-heads 1:0]   (prune every other head of that layer)", cmd_train},
      {"scan", "scan <checkpoint> --task letters|mqar|dictionary|phonebook|induction[:SIZE] [--examples 200] [--seed 1]\n"
               "        [--heads all|top:K] [--modes zero,mean] [--keep LAYER:H+H] [--random 5] [--shard i/N] [--csv scan.csv]\n        [--out scan.h5] [--figure scan.svg]",
       cmd_scan},
      {"merge", "merge part0.csv part1.csv ... --csv scan.csv [--figure scan.svg]   (the parts of a sharded scan)", cmd_merge},
  };
  return list;
}

void print_usage() {
  std::printf("AttnScope %s: token-mixing matrices of Transformers and SSMs\n\nusage:\n", ATTNSCOPE_VERSION);
  std::printf("  attnscope --version\n");
  std::printf("  attnscope gui [session.h5 | checkpoint] [--script steps.txt]   (GUI builds; app/gui/gui_script.h lists the steps)\n");
  std::printf("  attnscope export <session.h5> --layer L [--mixer attn|ssm] --head H --out fig.pdf|svg|png [--dpi 300]\n"
              "        [--width-mm 85] [--height-mm 85] [--log] [--colour-map viridis|magma|greys] [--diff-ablation N]\n");
  for (const auto& c : commands()) std::printf("  attnscope %s\n", c.usage);
}

}  // namespace attnscope::cli
