#pragma once
// The model files the terminal trainer reads: Digitrain's own (train --save) and TF.js
// Layers models (model.json with its .bin shards beside it), told apart by content.
#include <string>

#include "model/model_file.h"

namespace digitrain {

LoadedModel load_any_model_file(const std::string& path);

}  // namespace digitrain
