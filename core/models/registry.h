#pragma once
// Families by config model_type. One factory per family file.
#include <memory>
#include <string>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/models/model.h"
#include "core/models/weights.h"

namespace attnscope {

using ModelFactory = std::unique_ptr<Model> (*)(const io::Checkpoint&, const LoadOptions&);

using ConfigDescriber = ModelInfo (*)(const io::Config&);

struct FamilyEntry {
  const char* model_type;
  ModelFactory make;
  ConfigDescriber describe;  // the layers and heads, from config.json alone (inspect)
};

const std::vector<FamilyEntry>& model_families();
std::vector<std::string> known_model_types();
bool is_known_model_type(const std::string& model_type);
// Throws attnscope::Error naming config.json and the model_type when unknown.
std::unique_ptr<Model> load_model(const io::Checkpoint& checkpoint, const LoadOptions& options);

}  // namespace attnscope
