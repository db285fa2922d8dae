#pragma once
// The checkpoint head replacement starts from: a Mamba-2 checkpoint (model_type
// mamba2, either dialect) or an attnscope_hybrid one, rewritten in the hybrid
// dialect (core/models/config/hybrid_config.h) with one head of one Mamba-2
// layer computed by softmax attention. Every source weight is carried over
// unchanged (widened to float32), so every other head computes exactly what
// it did; the new head's values, gate, norm and output projection are the
// SSM head's own, only its queries and keys are new.
#include <filesystem>
#include <functional>
#include <set>
#include <string>

#include "core/io/checkpoint.h"

namespace attnscope::io {
class SafetensorsWriter;
}

namespace attnscope::train {

struct HeadToGraft {
  int layer = -1, head = -1;
  bool attention = true;  // false: no head replaced (the fine-tuning control), the same conversion
  // How the new queries and keys start: copies of the in_proj rows that make
  // the head's C and B (before the scan's convolution and SiLU), or random.
  // Where earlier grafts fixed another query size than the state's, random.
  enum class QkInit { SsmProjections, Random } qk_init = QkInit::SsmProjections;
  unsigned seed = 1234;  // QkInit::Random
};

// Checks that `source` can be grafted at `graft` (a Mamba-2 layer's head not
// already attention); throws attnscope::Error saying why not.
void check_graft_source(const io::Checkpoint& source, const HeadToGraft& graft);

// Writes config.json, model.safetensors and the source's tokenizer files into `dir`.
void write_grafted_checkpoint(const io::Checkpoint& source, const HeadToGraft& graft, const std::filesystem::path& dir);

// The file names write_grafted_checkpoint may write (and the graft command's folder may hold).
const std::set<std::string>& grafted_checkpoint_files();
// Every tensor of `ck` into `writer` (floating point widened to float32,
// integers as int64) under name_for(its name); an empty name leaves it out.
void add_checkpoint_tensors(const io::Checkpoint& ck, io::SafetensorsWriter& writer,
                            const std::function<std::string(const std::string&)>& name_for);
// The source's tokenizer files (tokenizer.json, vocab.json, ...) into `dir`.
void copy_tokenizer_files(const io::Checkpoint& source, const std::filesystem::path& dir);

}  // namespace attnscope::train
