// The optimisers' Keras contract: names, config keys with their defaults and ranges, and how
// each writes itself back ({"class_name", "config"}). The update loops: optim/.
#include <cmath>

#include "core/error.h"
#include "core/json_text.h"
#include "core/keras_object.h"
#include "core/number_text.h"
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"

namespace digitrain {

namespace {

using nlohmann::json;

// Adam's betas must stay below 1 as the float the optimiser keeps (0.99999999 rounds to 1).
enum class Upper { included, excluded };

double number_in_double(const json& config, const char* key, double fallback, double lo, double hi,
                        const std::string& opt, Upper upper = Upper::included) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  if (!config[key].is_number()) throw Error("optimizer " + opt + ": '" + key + "' must be a number");
  const double v = config[key].get<double>();
  if (!std::isfinite(v) || v < lo || v > hi || (upper == Upper::excluded && static_cast<float>(v) >= hi))
    throw Error("optimizer " + opt + ": " + key + "=" + json_text(config[key]) + " is out of range [" +
                number_text(lo) + ", " + number_text(hi) + (upper == Upper::excluded ? ")" : "]"));
  return v;
}

float number_in(const json& config, const char* key, float fallback, double lo, double hi, const std::string& opt,
                Upper upper = Upper::included) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  return static_cast<float>(number_in_double(config, key, fallback, lo, hi, opt, upper));
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
                                  number_in(config, "beta_1", 0.9f, 0.0, 1.0, name, Upper::excluded),
                                  number_in(config, "beta_2", 0.999f, 0.0, 1.0, name, Upper::excluded),
                                  number_in(config, "epsilon", 1e-7f, 0.0, 1.0, name));
  }
  if (name == "RMSprop" || name == "rmsprop") {
    if (config.contains("centered") && !config["centered"].is_null() && !config["centered"].is_boolean())
      throw Error("optimizer " + name + ": 'centered' must be true or false");
    return std::make_unique<RmsProp>(number_in(config, "learning_rate", 0.001f, 0.0, 1e6, name),
                                     // Below 1: with rho 1 the mean square never learns.
                                     number_in_double(config, "rho", 0.9, 0.0, 1.0, name, Upper::excluded),
                                     number_in(config, "momentum", 0.0f, 0.0, 1.0, name),
                                     number_in(config, "epsilon", 1e-7f, 0.0, 1.0, name),
                                     config.value("centered", json(false)) == json(true));
  }
  if (name == "Adagrad" || name == "adagrad") {
    return std::make_unique<Adagrad>(number_in(config, "learning_rate", 0.001f, 0.0, 1e6, name),
                                     number_in(config, "initial_accumulator_value", 0.1f, 0.0, 1e6, name),
                                     number_in(config, "epsilon", 1e-7f, 0.0, 1.0, name));
  }
  throw Error("optimizer '" + name + "' is not supported (supported: SGD, Adam, RMSprop, Adagrad)");
}

nlohmann::json Adam::to_json() const {
  return {{"class_name", "Adam"},
          {"config",
           {{"learning_rate", learning_rate_}, {"beta_1", beta_1_}, {"beta_2", beta_2_}, {"epsilon", epsilon_}}}};
}

nlohmann::json RmsProp::to_json() const {
  return {{"class_name", "RMSprop"},
          {"config",
           {{"learning_rate", learning_rate_},
            {"rho", rho_},
            {"momentum", momentum_},
            {"epsilon", epsilon_},
            {"centered", centered_}}}};
}

nlohmann::json Adagrad::to_json() const {
  return {
      {"class_name", "Adagrad"},
      {"config", {{"learning_rate", learning_rate_}, {"initial_accumulator_value", initial_}, {"epsilon", epsilon_}}}};
}

nlohmann::json Sgd::to_json() const {
  return {{"class_name", "SGD"},
          {"config", {{"learning_rate", learning_rate_}, {"momentum", momentum_}, {"nesterov", nesterov_}}}};
}

}  // namespace digitrain
