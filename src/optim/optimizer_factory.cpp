#include <cmath>

#include "core/error.h"
#include "core/keras_object.h"
#include "optim/adam.h"
#include "optim/sgd.h"

namespace digitrain {

namespace {

using nlohmann::json;

float number_in(const json& config, const char* key, float fallback, double lo, double hi, const std::string& opt) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  if (!config[key].is_number()) throw Error("optimizer " + opt + ": '" + key + "' must be a number");
  const double v = config[key].get<double>();
  if (!std::isfinite(v) || v < lo || v > hi)
    throw Error("optimizer " + opt + ": " + key + "=" + config[key].dump() + " is out of range [" +
                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<float>(v);
}

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(const json& description) {
  auto [name, config] = parse_keras_object(description, "optimizer");
  // Keras' older name for the learning rate.
  if (!config.contains("learning_rate") && config.contains("lr")) config["learning_rate"] = config["lr"];
  if (name == "SGD" || name == "sgd") {
    return std::make_unique<Sgd>(number_in(config, "learning_rate", 0.01f, 0.0, 1e6, name),
                                 number_in(config, "momentum", 0.0f, 0.0, 1.0, name),
                                 config.value("nesterov", false));
  }
  if (name == "Adam" || name == "adam") {
    return std::make_unique<Adam>(number_in(config, "learning_rate", 0.001f, 0.0, 1e6, name),
                                  // Below 1: Adam divides by 1 - beta^t.
                                  number_in(config, "beta_1", 0.9f, 0.0, 0.9999999, name),
                                  number_in(config, "beta_2", 0.999f, 0.0, 0.9999999, name),
                                  number_in(config, "epsilon", 1e-7f, 0.0, 1.0, name));
  }
  throw Error("optimizer '" + name + "' is not supported (supported: SGD, Adam)");
}

}  // namespace digitrain
