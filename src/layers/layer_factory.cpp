// Layers from their JSON description: {"class_name": "Dense", "config": {...}} with Keras'
// names and arguments. Options that would change the maths and that we do not implement
// (strides, padding "same", dilation, ...) are refused by name rather than ignored.
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_errors.h"
#include "core/json_text.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "layers/flatten.h"

namespace digitrain {

namespace {

using nlohmann::json;

std::string layer_label(const json& config, const std::string& class_name, int index) {
  if (config.contains("name") && config["name"].is_string()) return config["name"].get<std::string>();
  std::string base;
  for (char c : class_name) base += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return index == 0 ? base : base + "_" + std::to_string(index);
}

int positive_int(const json& config, const char* key, const std::string& layer) {
  if (!config.contains(key)) throw Error("layer '" + layer + "': missing '" + key + "'");
  const json& v = config[key];
  if (!is_whole_number(v) || v.get<long long>() <= 0 || v.get<long long>() > (1LL << 30))
    throw Error("layer '" + layer + "': '" + key + "' must be a positive integer, got " + json_text(v));
  return v.get<int>();
}

bool bool_or(const json& config, const char* key, bool fallback, const std::string& layer) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  if (!config[key].is_boolean()) throw Error("layer '" + layer + "': '" + key + "' must be true or false");
  return config[key].get<bool>();
}

Activation activation_of(const json& config, const std::string& layer) {
  if (!config.contains("activation") || config["activation"].is_null()) return Activation::linear;
  if (!config["activation"].is_string()) throw Error("layer '" + layer + "': 'activation' must be a name");
  return parse_activation(config["activation"].get<std::string>(), layer);
}

Initializer initializer_or(const json& config, const char* key, Initializer fallback, const std::string& layer) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  return parse_initializer(config[key], layer);
}

// Accepts 3, [3, 3] or [3, 5].
std::pair<int, int> pair_of_ints(const json& config, const char* key, const std::string& layer) {
  if (!config.contains(key)) throw Error("layer '" + layer + "': missing '" + key + "'");
  const json& v = config[key];
  auto ok = [](const json& x) { return is_whole_number(x) && x.get<long long>() > 0 && x.get<long long>() <= 1024; };
  if (ok(v)) return {v.get<int>(), v.get<int>()};
  if (v.is_array() && v.size() == 2 && ok(v[0]) && ok(v[1])) return {v[0].get<int>(), v[1].get<int>()};
  throw Error("layer '" + layer + "': '" + key + "' must be a positive integer or a pair of them, got " + json_text(v));
}

void require_value(const json& config, const char* key, const json& supported, const std::string& layer) {
  if (!config.contains(key) || config[key].is_null()) return;
  const json& v = config[key];
  const bool same = v == supported || (supported.is_array() && is_whole_number(v) && v == supported[0] &&
                                       supported[0] == supported[1]);
  if (!same)
    throw Error("layer '" + layer + "': " + key + "=" + json_text(v) + " is not supported (only " + json_text(supported) + ")");
}

std::unique_ptr<Layer> make_dense(const json& config, const std::string& name) {
  DenseOptions o;
  o.units = positive_int(config, "units", name);
  o.activation = activation_of(config, name);
  o.use_bias = bool_or(config, "use_bias", true, name);
  o.kernel_initializer = initializer_or(config, "kernel_initializer", o.kernel_initializer, name);
  o.bias_initializer = initializer_or(config, "bias_initializer", o.bias_initializer, name);
  return std::make_unique<Dense>(name, o);
}

std::unique_ptr<Layer> make_conv2d(const json& config, const std::string& name) {
  Conv2DOptions o;
  o.filters = positive_int(config, "filters", name);
  std::tie(o.kernel_h, o.kernel_w) = pair_of_ints(config, "kernel_size", name);
  require_value(config, "strides", json::array({1, 1}), name);
  require_value(config, "dilation_rate", json::array({1, 1}), name);
  require_value(config, "padding", "valid", name);
  require_value(config, "data_format", "channels_last", name);
  o.activation = activation_of(config, name);
  o.use_bias = bool_or(config, "use_bias", true, name);
  o.kernel_initializer = initializer_or(config, "kernel_initializer", o.kernel_initializer, name);
  o.bias_initializer = initializer_or(config, "bias_initializer", o.bias_initializer, name);
  return std::make_unique<Conv2D>(name, o);
}

}  // namespace

std::unique_ptr<Layer> make_layer(const json& description, int index) {
  if (!description.is_object() || !description.contains("class_name") || !description["class_name"].is_string())
    throw Error("layer " + std::to_string(index) + ": expected {\"class_name\": ..., \"config\": {...}}");
  const std::string class_name = description["class_name"].get<std::string>();
  json config = description.contains("config") ? description["config"] : json::object();
  if (!config.is_object()) throw Error("layer " + std::to_string(index) + ": 'config' must be an object");
  const std::string name = layer_label(config, class_name, index);
  if (class_name == "Dense") return make_dense(config, name);
  if (class_name == "Conv2D") return make_conv2d(config, name);
  if (class_name == "Flatten") {
    require_value(config, "data_format", "channels_last", name);
    return std::make_unique<Flatten>(name);
  }
  throw Error("layer '" + name + "': layer type '" + class_name +
              "' is not supported (supported: Dense, Conv2D, Flatten)");
}

}  // namespace digitrain
