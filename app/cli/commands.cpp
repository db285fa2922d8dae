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
               "        [--heads all|top:K] [--modes zero,mean] [--keep LAYER:H+H] [--random 5] [--device auto|cpu|cuda]\n"
               "        [--dtype float32|float16|bfloat16] [--csv scan.csv] [--out scan.h5] [--figure scan.svg] [--quiet]\n"
               "        [--shard i/N]   (this machine's share of the conditions; its CSV is a part for merge)\n"
               "        [--plan]   (count the conditions, time a forward, suggest a shard count; runs no scan)\n"
               "        A scan with --csv saves its progress in CSV.progress and resumes from it when rerun.",
       cmd_scan},
      {"sweep", "sweep <checkpoint> (--prompt TEXT | --prompt-file F | --input-ids 5,17,3) [--target TOKEN | --target-id N]\n"
                "        [--mode zero|mean|uniform] [--csv sweep.csv] [--figure sweep.svg] [--top 10] [--device auto|cpu|cuda] [--dtype float32|...]\n"
                "        [--no-special-tokens] [--quiet]   (every head ablated alone: change in log p(target) and KL; CSV\n"
                "        columns layer,head,delta_logprob,kl)",
       cmd_sweep},
      {"patch", "patch <checkpoint> (--clean TEXT | --clean-file F | --clean-ids ...) (--corrupted TEXT | --corrupted-file F | --corrupted-ids ...)\n"
                "        [--target TOKEN | --target-id N] [--foil TOKEN | --foil-id N] [--direction denoise|noise] [--head 3.5 [--positions]]\n"
                "        [--csv patch.csv] [--figure patch.svg] [--top 10] [--device auto|cpu|cuda] [--dtype float32|...] [--no-special-tokens] [--quiet]\n"
                "        (activation patching: a head's output copied from one prompt's run into the other's; the recovered\n"
                "        fraction of logit[target] - logit[foil]. CSV columns layer,head,logit_diff,recovered, or\n"
                "        position,token,logit_diff,recovered with --positions)",
       cmd_patch},
      {"graft", "graft <checkpoint> --head LAYER.HEAD|random --task mqar:16[,letters:8] --out DIR [--with attention|ssm] [--steps 300]\n"
                "        [--batch 32] [--lr 0.003] [--seed 1234] [--qk-init ssm|random] [--examples 400] [--quiet]\n"
                "        (one head of a Mamba-2 layer computed by a new softmax attention head, only its queries and keys\n"
                "        trained; --with ssm fine-tunes the SSM head itself instead, the control. Writes an attnscope_hybrid checkpoint)",
       cmd_graft},
      {"distill", "distill <checkpoint> --keep K --task letters[,mqar:6] --out DIR [--select scan|random|layers] [--steps 300]\n"
                  "        [--batch 32] [--lr 0.001] [--seed 1234] [--examples 400] [--scan-examples 200] [--quiet]\n"
                  "        (retrieval-aware placement: the K heads the ablation scan ranks highest stay attention, every other\n"
                  "        head becomes a Mamba-2 head, the student is distilled from the Transformer; random and layers are the controls)",
       cmd_distill},
      {"merge", "merge part-0.csv part-1.csv ... --csv scan.csv [--figure scan.svg]\n"
                "        (every shard of one scan, complete; the rows come out as one process writes them)",
       cmd_merge},
  };
  return list;
}

namespace {
constexpr const char* kGuiUsage = "gui [session.h5 | checkpoint] [--script steps.txt]   (GUI builds; app/gui/gui_script.h lists the steps)";
constexpr const char* kExportUsage =
    "export <session.h5> --layer L [--mixer attn|ssm] --head H | --heads 0,2,5|all --out fig.pdf|svg|png\n"
    "        [--width-mm 85] [--height-mm 85] [--dpi 300] [--font-pt 7] [--title TEXT]\n"
    "        [--queries A:B] [--keys C:D] [--diff-ablation N|shown] [--only-diff] [--marks]\n"
    "        [--colour-map auto|viridis|magma|greys|diverging] [--log] [--row-normalise]\n"
    "        [--clip-percentile 99] [--hide-diagonal]";
}  // namespace

bool print_command_usage(const std::string& name) {
  const char* usage = name == "gui" ? kGuiUsage : name == "export" ? kExportUsage : nullptr;
  for (const auto& c : commands())
    if (name == c.name) usage = c.usage;
  if (!usage) return false;
  std::printf("usage: attnscope %s\n", usage);
  return true;
}

void print_usage() {
  std::printf("AttnScope %s: token-mixing matrices of Transformers and SSMs\n\nusage:\n", ATTNSCOPE_VERSION);
  std::printf("  attnscope --version\n");
  std::printf("  attnscope %s\n  attnscope %s\n", kGuiUsage, kExportUsage);
  for (const auto& c : commands()) std::printf("  attnscope %s\n", c.usage);
}

}  // namespace attnscope::cli
