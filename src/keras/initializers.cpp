// Initializers' Keras names and JSON forms (the maths that draws them: layers/initializer.cpp).
#include "keras/initializers.h"

#include <cmath>

#include "core/error.h"
#include "core/keras_object.h"

namespace digitrain {

namespace {
double number_or(const nlohmann::json& config, const char* key, double fallback) {
  if (!config.contains(key)) return fallback;
  const double v = config[key].is_number() ? config[key].get<double>() : NAN;
  // Within float's range: the weights are drawn as floats, and converting a larger double
  // to float is undefined behaviour (UBSan).
  if (!(std::fabs(v) <= 1e30)) throw Error(std::string("initializer option '") + key + "' must be a number up to 1e30");
  return v;
}
}  // namespace

Initializer parse_initializer(const nlohmann::json& j, const std::string& layer_name) {
  Initializer init;
  const auto [name, config] = parse_keras_object(j, "layer '" + layer_name + "': initializer");
  if (name == "glorot_uniform" || name == "GlorotUniform") {
    init.kind = Initializer::Kind::glorot_uniform;
  } else if (name == "normal" || name == "random_normal" || name == "RandomNormal") {
    init.kind = Initializer::Kind::random_normal;
    init.mean = number_or(config, "mean", 0.0);
    init.stddev = number_or(config, "stddev", 0.05);
  } else if (name == "uniform" || name == "random_uniform" || name == "RandomUniform") {
    init.kind = Initializer::Kind::random_uniform;
    init.minval = number_or(config, "minval", -0.05);
    init.maxval = number_or(config, "maxval", 0.05);
  } else if (name == "zeros" || name == "Zeros") {
    init.kind = Initializer::Kind::zeros;
  } else if (name == "ones" || name == "Ones") {
    init.kind = Initializer::Kind::ones;
  } else {
    throw Error("layer '" + layer_name + "': initializer '" + name +
                "' is not supported (supported: glorot_uniform, normal, uniform, zeros, ones)");
  }
  return init;
}

nlohmann::json initializer_to_json(const Initializer& init) {
  switch (init.kind) {
    case Initializer::Kind::glorot_uniform: return "glorot_uniform";
    case Initializer::Kind::zeros: return "zeros";
    case Initializer::Kind::ones: return "ones";
    case Initializer::Kind::random_normal:
      return {{"class_name", "RandomNormal"}, {"config", {{"mean", init.mean}, {"stddev", init.stddev}}}};
    case Initializer::Kind::random_uniform:
      return {{"class_name", "RandomUniform"}, {"config", {{"minval", init.minval}, {"maxval", init.maxval}}}};
  }
  return "glorot_uniform";
}

}  // namespace digitrain
