// The list of layer classes and what every class shares: reading a Keras config through
// the class's key rules, writing it back, and the table of classes for the docs and the
// parity fixtures. Each class's own rules live in its file beside this one (dense.cpp, ...).
#include <cmath>

#include "core/error.h"
#include "core/json_errors.h"
#include "core/json_text.h"
#include "keras/initializers.h"
#include "keras/layer_class.h"

namespace digitrain {

namespace {

using nlohmann::json;

// Keras' bookkeeping keys: they do not change what the layer computes. (dtype is checked.)
bool is_bookkeeping(const std::string& key) {
  return key == "name" || key == "trainable" || key == "batch_input_shape" || key == "batch_shape" ||
         key == "input_shape" || key == "lora_alpha";
}

std::string label_of(const json& config, const std::string& class_name, int index) {
  if (config.contains("name") && config["name"].is_string()) return config["name"].get<std::string>();
  // Keras' to_snake_case: an underscore before a capital that follows a small letter or
  // starts a capitalised word (MaxPooling2D -> max_pooling2d, LeakyReLU -> leaky_re_lu).
  auto upper = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
  auto lower = [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; };
  std::string base;
  for (size_t i = 0; i < class_name.size(); ++i) {
    const char c = class_name[i];
    if (i > 0 && upper(c) && (lower(class_name[i - 1]) || (i + 1 < class_name.size() && lower(class_name[i + 1]))))
      base += '_';
    base += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return index == 0 ? base : base + "_" + std::to_string(index);
}

bool positive_whole(const json& v, long long max) {
  return is_whole_number(v) && v.get<long long>() > 0 && v.get<long long>() <= max;
}

json read_key(const KeyRule& rule, const json& config, const std::string& layer) {
  const bool given = config.contains(rule.key) && !config[rule.key].is_null();
  const std::string key = rule.key;
  if (!given) {
    if (rule.fallback.is_null() && (rule.kind == KeyKind::positive_int || rule.kind == KeyKind::int_pair ||
                                    rule.kind == KeyKind::fraction || rule.kind == KeyKind::positive_number))
      throw Error("layer '" + layer + "': missing '" + key + "'");
    return rule.kind == KeyKind::ignored ? json() : rule.fallback;
  }
  const json& v = config[rule.key];
  auto refuse = [&](const std::string& expected) -> json {
    throw Error("layer '" + layer + "': '" + key + "' must be " + expected + ", got " + json_text(v));
  };
  switch (rule.kind) {
    case KeyKind::positive_int:
      return positive_whole(v, 1LL << 30) ? json(v.get<int>()) : refuse("a positive integer");
    case KeyKind::int_pair:
    case KeyKind::optional_int_pair:
      if (positive_whole(v, 1024)) return json::array({v.get<int>(), v.get<int>()});
      if (v.is_array() && v.size() == 2 && positive_whole(v[0], 1024) && positive_whole(v[1], 1024))
        return json::array({v[0].get<int>(), v[1].get<int>()});
      return refuse("a positive integer or a pair of them");
    case KeyKind::boolean:
      if (!v.is_boolean()) throw Error("layer '" + layer + "': '" + key + "' must be true or false");
      return v;
    case KeyKind::activation:
      if (!v.is_string()) throw Error("layer '" + layer + "': '" + key + "' must be a name");
      return activation_name(parse_activation(v.get<std::string>(), layer));
    case KeyKind::initializer:
      return initializer_to_json(parse_initializer(v, layer));
    case KeyKind::choice:
      for (const std::string& c : rule.choices)
        if (v == json(c)) return v;
      throw Error("layer '" + layer + "': " + key + "=" + json_text(v) + " is not supported (only " +
                  json_text(json(rule.choices)) + ")");
    case KeyKind::fraction:
      if (!v.is_number() || !(v.get<double>() >= 0.0) || !(v.get<double>() < 1.0))
        return refuse("a number from 0 up to (not including) 1");
      return v.get<double>();
    case KeyKind::positive_number:
      if (!v.is_number() || !std::isfinite(v.get<double>()) || !(v.get<double>() > 0.0)) return refuse("a positive number");
      return v.get<double>();
    case KeyKind::number:
      if (!v.is_number() || !std::isfinite(v.get<double>())) return refuse("a finite number");
      return v.get<double>();
    case KeyKind::seed:
      if (!is_whole_number(v) || v.get<long long>() < 0) return refuse("null or a non-negative integer");
      return v.get<long long>();
    case KeyKind::fixed:
    case KeyKind::fixed_unwritten: {
      // [1, 1] may be written 1, as Keras accepts.
      const json& f = rule.fallback;
      const bool same = v == f || (f.is_array() && f.size() == 2 && f[0] == f[1] && is_whole_number(v) && v == f[0]);
      if (!same)
        throw Error("layer '" + layer + "': " + key + "=" + json_text(v) + " is not supported (only " + json_text(f) + ")");
      return f;
    }
    case KeyKind::ignored:
      return json();
    case KeyKind::alias:
      if (!v.is_number() || !std::isfinite(v.get<double>())) return refuse("a finite number");
      return v.get<double>();
  }
  return json();
}

const char* kind_name(KeyKind kind) {
  switch (kind) {
    case KeyKind::positive_int: return "positive_int";
    case KeyKind::int_pair: return "int_pair";
    case KeyKind::optional_int_pair: return "optional_int_pair";
    case KeyKind::boolean: return "boolean";
    case KeyKind::activation: return "activation";
    case KeyKind::initializer: return "initializer";
    case KeyKind::choice: return "choice";
    case KeyKind::fraction: return "fraction";
    case KeyKind::positive_number: return "positive_number";
    case KeyKind::number: return "number";
    case KeyKind::seed: return "seed";
    case KeyKind::fixed: return "fixed";
    case KeyKind::fixed_unwritten: return "fixed_unwritten";
    case KeyKind::ignored: return "ignored";
    case KeyKind::alias: return "alias";
  }
  return "";
}

}  // namespace

// One line per class, defined in its own file beside this one; the order is the docs'.
const LayerClass& dense_class();
const LayerClass& conv2d_class();
const LayerClass& flatten_class();
const LayerClass& max_pooling2d_class();
const LayerClass& average_pooling2d_class();
const LayerClass& dropout_class();
const LayerClass& relu_class();
const LayerClass& leaky_relu_class();
const LayerClass& batch_norm_class();

const std::vector<const LayerClass*>& layer_classes() {
  static const std::vector<const LayerClass*> classes = {
      &dense_class(),   &conv2d_class(),  &max_pooling2d_class(), &average_pooling2d_class(),
      &flatten_class(), &dropout_class(), &relu_class(),          &leaky_relu_class(),
      &batch_norm_class()};
  return classes;
}

const LayerClass* find_layer_class(const std::string& class_name) {
  for (const LayerClass* c : layer_classes())
    if (class_name == c->class_name) return c;
  return nullptr;
}

void require_float32(const json& dtype, const std::string& layer) {
  if (dtype.is_null()) return;
  // Keras 3 writes a dtype policy object: {"class_name": "DTypePolicy", "config": {"name": "float32"}}.
  std::string name = json_text(dtype);
  if (dtype.is_string()) name = dtype.get<std::string>();
  if (dtype.is_object() && dtype.contains("config") && dtype["config"].is_object() &&
      dtype["config"].contains("name") && dtype["config"]["name"].is_string())
    name = dtype["config"]["name"].get<std::string>();
  if (name != "float32")
    throw Error("layer '" + layer + "': dtype '" + name.substr(0, 40) + "' is not supported (Digitrain computes in float32)");
}

std::string supported_layer_names() {
  std::string names;
  for (const LayerClass* c : layer_classes()) names += (names.empty() ? "" : ", ") + std::string(c->class_name);
  return names;
}

std::unique_ptr<Layer> make_layer(const json& description, int index) {
  if (!description.is_object() || !description.contains("class_name") || !description["class_name"].is_string())
    throw Error("layer " + std::to_string(index) + ": expected {\"class_name\": ..., \"config\": {...}}");
  const std::string class_name = description["class_name"].get<std::string>();
  const json config = description.contains("config") ? description["config"] : json::object();
  if (!config.is_object()) throw Error("layer " + std::to_string(index) + ": 'config' must be an object");
  const std::string name = label_of(config, class_name, index);
  const LayerClass* cls = find_layer_class(class_name);
  if (!cls)
    throw Error("layer '" + name + "': layer type '" + class_name + "' is not supported (supported: " +
                supported_layer_names() + ")");
  json args = json::object();
  for (const KeyRule& rule : cls->keys)
    if (rule.kind != KeyKind::ignored && rule.kind != KeyKind::alias) args[rule.key] = read_key(rule, config, name);
  // An alias given stands for its key; both given must agree.
  for (const KeyRule& rule : cls->keys) {
    if (rule.kind != KeyKind::alias || !config.contains(rule.key) || config[rule.key].is_null()) continue;
    const json value = read_key(rule, config, name);
    if (config.contains(rule.alias_of) && !config[rule.alias_of].is_null() && args[rule.alias_of] != value)
      throw Error("layer '" + name + "': '" + rule.key + "' (" + json_text(value) + ") and '" + rule.alias_of + "' (" +
                  json_text(args[rule.alias_of]) + ") name the same value; give one");
    args[rule.alias_of] = value;
  }
  for (const auto& [key, value] : config.items()) {
    if (key == "dtype") {
      require_float32(value, name);
      continue;
    }
    if (is_bookkeeping(key) || value.is_null()) continue;
    bool known = false;
    for (const KeyRule& rule : cls->keys) known = known || key == rule.key;
    if (!known)
      throw Error("layer '" + name + "': option '" + key + "' (" + json_text(value).substr(0, 80) +
                  ") is not supported by " + class_name);
  }
  return cls->make(name, args);
}

const LayerClass& class_of(const Layer& layer) {
  const LayerClass* cls = find_layer_class(layer.class_name());
  if (!cls) throw Error("layer '" + layer.name() + "': class '" + layer.class_name() + "' is not registered");  // our bug
  return *cls;
}

json layer_config(const Layer& layer) {
  json config = class_of(layer).args_of(layer);
  config["name"] = layer.name();
  return config;
}

json layer_classes_json() {
  json classes = json::array();
  for (const LayerClass* c : layer_classes()) {
    json keys = json::array();
    for (const KeyRule& rule : c->keys) {
      json k = {{"key", rule.key}, {"kind", kind_name(rule.kind)}, {"default", rule.fallback}};
      if (!rule.choices.empty()) k["choices"] = rule.choices;
      if (rule.alias_of) k["alias_of"] = rule.alias_of;
      keys.push_back(k);
    }
    classes.push_back({{"class_name", c->class_name}, {"keys", keys}});
  }
  return classes;
}

std::string layer_classes_markdown() {
  std::string out = "| layer | keys (default) | notes |\n|---|---|---|\n";
  for (const LayerClass* c : layer_classes()) {
    std::string keys;
    for (const KeyRule& rule : c->keys) {
      if (rule.kind == KeyKind::ignored) continue;
      keys += (keys.empty() ? "" : ", ") + std::string("`") + rule.key + "`";
      if (rule.kind == KeyKind::choice) {
        std::string choices;
        for (const std::string& ch : rule.choices) choices += (choices.empty() ? "" : "/") + ch;
        keys += " (" + choices + ", default `" + rule.fallback.get<std::string>() + "`)";
      } else if (rule.kind == KeyKind::alias) {
        keys += std::string(" (read as `") + rule.alias_of + "`)";
      } else if (rule.kind == KeyKind::fixed || rule.kind == KeyKind::fixed_unwritten) {
        keys += " (only " + json_text(rule.fallback) + ")";
      } else if (!rule.fallback.is_null()) {
        keys += " (" + json_text(rule.fallback) + ")";
      } else if (rule.kind == KeyKind::optional_int_pair) {
        keys += " (null: the pool size)";
      } else if (rule.kind != KeyKind::seed) {
        keys += " (required)";
      }
    }
    out += std::string("| `") + c->class_name + "` | " + (keys.empty() ? "–" : keys) + " | " + c->meaning + " |\n";
  }
  return out;
}

}  // namespace digitrain
