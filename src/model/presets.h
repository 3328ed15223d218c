#pragma once
// The four tutorial models (src/model/presets/*.json, compiled in so the WASM build
// needs no file system).
#include <string>
#include <vector>

#include "model/model_spec.h"

namespace digitrain {

std::vector<std::string> preset_names();
// The preset's JSON text; an unknown name is an Error listing the known ones.
const std::string& preset_json(const std::string& name);
ModelSpec preset_spec(const std::string& name);

}  // namespace digitrain
