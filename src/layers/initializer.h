#pragma once
// Weight initialisers with Keras' names and defaults. Draws come from our own Rng, so a
// seed gives the same weights natively and in WASM.
#include <nlohmann/json.hpp>
#include <string>

#include "core/random.h"

namespace digitrain {

struct Initializer {
  enum class Kind { glorot_uniform, random_normal, random_uniform, zeros, ones } kind = Kind::glorot_uniform;
  double mean = 0.0, stddev = 0.05;        // random_normal
  double minval = -0.05, maxval = 0.05;    // random_uniform
};

// Accepts Keras' string aliases ("glorot_uniform", "normal", "random_normal", "uniform",
// "zeros", "ones") and the object form {"class_name": "RandomNormal", "config": {...}}.
Initializer parse_initializer(const nlohmann::json& j, const std::string& layer_name);
nlohmann::json initializer_to_json(const Initializer& init);

// fan_in/fan_out as Keras counts them (Conv2D: kh*kw*in and kh*kw*filters).
void initialize_weights(const Initializer& init, float* values, long size, long fan_in, long fan_out, Rng& rng);

}  // namespace digitrain
