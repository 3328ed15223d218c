#pragma once
// Initializers as Keras writes them.
#include <nlohmann/json.hpp>
#include <string>

#include "layers/initializer.h"

namespace digitrain {

// Accepts Keras' string aliases ("glorot_uniform", "normal", "random_normal", "uniform",
// "zeros", "ones") and the object form {"class_name": "RandomNormal", "config": {...}}.
Initializer parse_initializer(const nlohmann::json& j, const std::string& layer_name);
nlohmann::json initializer_to_json(const Initializer& init);

}  // namespace digitrain
