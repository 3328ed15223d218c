#pragma once
// One registration per Keras layer class: its class name, the config keys it reads (with
// their checks and defaults, in the order TF.js writes them), how a layer is made from the
// checked values and how a made layer gives them back. Every reader and writer of layers
// goes through these: the model description (model_spec.cpp), the model file, the TF.js
// reader and writer (tfjs_format.cpp), `digitrain layers` (the docs' table and the parity-
// fixture generator's JSON). docs/architecture.md, "How to add a layer".
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "layers/layer.h"

namespace digitrain {

enum class KeyKind {
  positive_int,     // 32
  int_pair,         // 3 or [3, 5]; given back as [3, 3] / [3, 5]
  optional_int_pair,  // the same, or null (Keras' strides=None: the pool size)
  boolean,          // true / false
  activation,       // "relu", ...; null means "linear"
  initializer,      // "glorot_uniform" or {"class_name": ..., "config": {...}}
  choice,           // one of `choices` ("valid", "same")
  fraction,         // a number in [0, 1)
  positive_number,  // a finite number > 0
  number,           // any finite number
  seed,             // null or a non-negative integer
  fixed,            // only the default is implemented (data_format "channels_last"): other values are refused
  fixed_unwritten,  // the same, for a key TF.js does not write (Keras 3's groups)
  ignored,          // read and dropped: training-only penalties and constraints (TF.js writes null)
  alias,            // another name for the key `alias_of` (Keras 3's negative_slope for alpha): read, never written
};

struct KeyRule {
  const char* key;
  KeyKind kind;
  nlohmann::json fallback = nullptr;  // null for positive_int/int_pair/...: the key is required
  std::vector<std::string> choices = {};
  const char* meaning = "";  // one line for the docs' table
  const char* alias_of = nullptr;  // KeyKind::alias: the key it stands for
};

// A layer's values, checked, with every key of the class present (Keras names).
using LayerArgs = nlohmann::json;

struct LayerClass {
  const char* class_name;
  const char* meaning;  // one line for the docs' table
  std::vector<KeyRule> keys;
  std::unique_ptr<Layer> (*make)(const std::string& name, const LayerArgs& args);
  LayerArgs (*args_of)(const Layer& layer);  // the values a made layer was made from
};

// Every supported class, in the docs' order (layer_classes.cpp lists them).
const std::vector<const LayerClass*>& layer_classes();
// Null if the class is not supported.
const LayerClass* find_layer_class(const std::string& class_name);

// Keras' dtype: absent, null, "float32" or Keras 3's {"class_name": "DTypePolicy", ...}
// naming float32; anything else is an Error naming the layer.
void require_float32(const nlohmann::json& dtype, const std::string& layer);

// "Dense, Conv2D, ...", for messages.
std::string supported_layer_names();

// Builds a layer from {"class_name": ..., "config": {...}}. Unknown classes, unknown keys
// (other than Keras' bookkeeping: name, trainable, dtype float32, the input shape) and
// values out of range are an Error naming the layer and the key.
std::unique_ptr<Layer> make_layer(const nlohmann::json& description, int index);

// The layer's class's keys and their values, name first: the model description's form.
nlohmann::json layer_config(const Layer& layer);
const LayerClass& class_of(const Layer& layer);

// Every class, its keys, kinds and defaults, as JSON: what `digitrain layers --json` prints
// for the parity-fixture generator (scripts/lib/tfjs-from-description.mjs).
nlohmann::json layer_classes_json();
// The same as the Markdown table in docs/model-format.md (a test keeps the two equal).
std::string layer_classes_markdown();

}  // namespace digitrain
