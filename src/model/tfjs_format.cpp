#include "model/tfjs_format.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "core/error.h"
#include "core/json_errors.h"
#include "core/json_text.h"
#include "core/keras_object.h"
#include "data/idx.h"
#include "keras/initializers.h"
#include "keras/layer_class.h"

namespace digitrain {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------
// Writing: the topology as TF.js 4.22's LayersModel.toJSON gives it for a Sequential model.

ordered_json tfjs_initializer(const json& ours, const std::string& layer) {
  const Initializer init = parse_initializer(ours, layer);
  switch (init.kind) {
    case Initializer::Kind::glorot_uniform:
      // TF.js and Keras both serialise GlorotUniform as the VarianceScaling it is.
      return {{"class_name", "VarianceScaling"},
              {"config", {{"scale", 1}, {"mode", "fan_avg"}, {"distribution", "uniform"}, {"seed", nullptr}}}};
    case Initializer::Kind::random_normal:
      return {{"class_name", "RandomNormal"},
              {"config", {{"mean", init.mean}, {"stddev", init.stddev}, {"seed", nullptr}}}};
    case Initializer::Kind::random_uniform:
      return {{"class_name", "RandomUniform"},
              {"config", {{"minval", init.minval}, {"maxval", init.maxval}, {"seed", nullptr}}}};
    case Initializer::Kind::zeros:
      return {{"class_name", "Zeros"}, {"config", ordered_json::object()}};
    case Initializer::Kind::ones:
      return {{"class_name", "Ones"}, {"config", ordered_json::object()}};
  }
  return nullptr;
}

// One entry of modelTopology.config.layers: the class's keys in its registration's order,
// which is TF.js' (keras/layer_class.h). The first layer carries the input shape (TF.js adds
// the InputLayer itself when it loads the model).
ordered_json tfjs_layer(const Layer& layer, const Shape* input_shape) {
  const LayerClass& cls = class_of(layer);
  const json args = cls.args_of(layer);
  ordered_json config;
  for (const KeyRule& rule : cls.keys) {
    switch (rule.kind) {
      case KeyKind::ignored: config[rule.key] = nullptr; break;
      case KeyKind::fixed_unwritten:
      case KeyKind::alias: break;
      case KeyKind::initializer: config[rule.key] = tfjs_initializer(args.at(rule.key), layer.name()); break;
      default: config[rule.key] = args.contains(rule.key) ? args[rule.key] : rule.fallback; break;
    }
  }
  config["name"] = layer.name();
  config["trainable"] = true;
  if (input_shape) {
    ordered_json batch_shape = ordered_json::array({nullptr});
    for (int d : *input_shape) batch_shape.push_back(d);
    config["batch_input_shape"] = batch_shape;
    config["dtype"] = "float32";
  }
  return {{"class_name", cls.class_name}, {"config", config}};
}

// Keras' training_config, which TF.js' loadLayersModel compiles the model with. TF.js'
// SGD has no momentum; its Momentum optimizer has.
ordered_json training_config(Sequential& model) {
  const json o = model.optimizer()->to_json();
  const json& c = o["config"];
  ordered_json optimizer;
  if (o["class_name"] == "SGD" && c["momentum"].get<double>() != 0.0) {
    optimizer = {
        {"class_name", "Momentum"},
        {"config",
         {{"learning_rate", c["learning_rate"]}, {"momentum", c["momentum"]}, {"use_nesterov", c["nesterov"]}}}};
  } else if (o["class_name"] == "SGD") {
    optimizer = {{"class_name", "SGD"}, {"config", {{"learning_rate", c["learning_rate"]}}}};
  } else if (o["class_name"] == "RMSprop") {
    // TF.js' class is RMSProp and calls rho "decay".
    optimizer = {{"class_name", "RMSProp"},
                 {"config",
                  {{"learning_rate", c["learning_rate"]},
                   {"decay", c["rho"]},
                   {"momentum", c["momentum"]},
                   {"epsilon", c["epsilon"]},
                   {"centered", c["centered"]}}}};
  } else if (o["class_name"] == "Adagrad") {
    // TF.js' Adagrad takes the backend's epsilon (1e-7 on cpu and wasm) from no config.
    optimizer = {
        {"class_name", "Adagrad"},
        {"config",
         {{"learning_rate", c["learning_rate"]}, {"initial_accumulator_value", c["initial_accumulator_value"]}}}};
  } else {
    optimizer = o;
  }
  return {{"loss", loss_name(model.loss())},
          {"metrics", ordered_json::array({"accuracy"})},
          {"optimizer_config", optimizer}};
}

// ---------------------------------------------------------------------------------------
// Reading. Everything in model.json is untrusted: sizes are multiplied in 64 bits and
// checked against these limits before anything is allocated from them.

// The most values a layer may produce per image: 16 MB of floats. (Convolutions make no
// im2col copy, so their patches need no cap of their own.)
constexpr uint64_t kMaxFloatsPerImage = uint64_t{1} << 22;
constexpr size_t kMaxManifestWeights = 4096;
constexpr size_t kMaxShards = 4096;
// Every weight of the file together, optimizer state included: 1 GiB.
constexpr uint64_t kMaxWeightBytes = 4 * kMaxTensorFloats;

using Dims = std::vector<int64_t>;

std::string text_of(const json& j, size_t max = 80) {
  std::string s = j.dump();
  return s.size() <= max ? s : s.substr(0, max) + "...";
}

std::string clipped(const std::string& s, size_t max = 40) { return s.size() <= max ? s : s.substr(0, max) + "..."; }

std::string string_or(const json& j, const char* key, const std::string& fallback) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}

// Products of untrusted sizes saturate just past the limit instead of overflowing.
uint64_t capped_product(const Dims& dims) {
  const uint64_t over = kMaxTensorFloats + 1;
  uint64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return over;
    if (d != 0 && n > over / static_cast<uint64_t>(d)) return over;
    n *= static_cast<uint64_t>(d);
  }
  return std::min(n, over);
}

// --- the topology -> our model description -------------------------------------------
// make_layer checks each layer's keys (keras/layer_class.h); here only the initializers
// are translated.

// Initializers matter only for training from scratch: the file's weights replace them. Ones
// we implement are kept; others (TF.js' default glorot_normal, he_*) fall back to our
// default rather than refusing a model that runs exactly as written.
std::optional<json> our_initializer(const json& j) {
  if (string_or(j, "class_name", "") == "VarianceScaling") {
    const json c = j.value("config", json::object());
    if (c.is_object() && c.value("scale", json(0)) == json(1) && string_or(c, "mode", "") == "fan_avg" &&
        string_or(c, "distribution", "") == "uniform")
      return json("glorot_uniform");
    return std::nullopt;
  }
  try {
    return initializer_to_json(parse_initializer(j, ""));
  } catch (const Error&) {
    return std::nullopt;
  }
}

// {"class_name": "Dense", "config": {...Keras' keys...}} -> the same with initializers in
// our form; make_layer checks the rest when the description is built.
json our_layer(const KerasObject& layer, int index, const std::string& source) {
  const std::string name = string_or(layer.config, "name", "layer " + std::to_string(index));
  if (!find_layer_class(layer.class_name))
    throw Error(source + ": layer '" + name + "': layer type '" + layer.class_name +
                "' is not supported (supported: " + supported_layer_names() + ", and an InputLayer first)");
  json config = layer.config;
  for (const KeyRule& rule : find_layer_class(layer.class_name)->keys) {
    if (rule.kind != KeyKind::initializer || !config.contains(rule.key)) continue;
    if (const auto init = our_initializer(config[rule.key])) {
      config[rule.key] = *init;
    } else {
      config.erase(rule.key);
    }
  }
  return {{"class_name", layer.class_name}, {"config", config}};
}

// [null, 28, 28] -> [28, 28]: the batch dimension goes; parse_model_spec checks the rest.
json without_batch(const json& batch_shape, const std::string& where) {
  if (!batch_shape.is_array() || batch_shape.size() < 2)
    throw Error(where + ": input shape " + text_of(batch_shape) + " must be [null, sizes...]");
  return json(batch_shape.begin() + 1, batch_shape.end());
}

// Keras 2 and 3 optimizer keys, and TF.js' camelCase ones, -> ours.
json our_optimizer(const json& optimizer_config) {
  std::optional<KerasObject> o;
  try {
    o = parse_keras_object(optimizer_config, "optimizer");
  } catch (const Error&) {
    return "adam";
  }
  auto copy = [&](json& to, const char* ours, std::initializer_list<const char*> theirs) {
    for (const char* key : theirs)
      if (o->config.contains(key) && (o->config[key].is_number() || o->config[key].is_boolean())) {
        to[ours] = o->config[key];
        return;
      }
  };
  json config = json::object();
  copy(config, "learning_rate", {"learning_rate", "learningRate", "lr"});
  std::string name = o->class_name;
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (name == "adam") {
    copy(config, "beta_1", {"beta_1", "beta1"});
    copy(config, "beta_2", {"beta_2", "beta2"});
    copy(config, "epsilon", {"epsilon"});
    return {{"class_name", "Adam"}, {"config", config}};
  }
  if (name == "sgd" || name == "momentum") {
    copy(config, "momentum", {"momentum"});
    copy(config, "nesterov", {"nesterov", "use_nesterov", "useNesterov"});
    return {{"class_name", "SGD"}, {"config", config}};
  }
  if (name == "rmsprop") {
    copy(config, "rho", {"rho", "decay"});  // TF.js' "decay" is Keras' rho (Keras 2's "decay" is a schedule)
    copy(config, "momentum", {"momentum"});
    copy(config, "epsilon", {"epsilon"});
    copy(config, "centered", {"centered"});
    return {{"class_name", "RMSprop"}, {"config", config}};
  }
  if (name == "adagrad") {
    copy(config, "initial_accumulator_value", {"initial_accumulator_value", "initialAccumulatorValue"});
    copy(config, "epsilon", {"epsilon"});
    return {{"class_name", "Adagrad"}, {"config", config}};
  }
  return "adam";  // Adadelta & co.: only further training would use it; Keras' usual default instead
}

// trainingConfig (TF.js) or training_config (Keras) -> our "compile"; without one,
// sparse_categorical_crossentropy and Adam.
json our_compile(const json& training_config) {
  json compile = {{"loss", "sparse_categorical_crossentropy"}, {"optimizer", "adam"}};
  if (!training_config.is_object()) return compile;
  if (training_config.contains("loss")) {
    const json& loss = training_config["loss"];
    const std::string name = loss.is_string() ? loss.get<std::string>() : string_or(loss, "class_name", "");
    if (name == "categorical_crossentropy" || name == "categoricalCrossentropy" || name == "CategoricalCrossentropy")
      compile["loss"] = "categorical_crossentropy";
  }
  if (training_config.contains("optimizer_config"))
    compile["optimizer"] = our_optimizer(training_config["optimizer_config"]);
  return compile;
}

// The whole model.json minus the weights, as our model description.
json description_from_tfjs(const json& doc, const std::string& source) {
  if (doc.contains("format") && doc["format"] != "layers-model")
    throw Error(source + ": format " + text_of(doc["format"]) +
                " is not supported (Digitrain reads TF.js Layers models, format \"layers-model\")");
  if (!doc.contains("modelTopology") || !doc["modelTopology"].is_object())
    throw Error(source + ": no 'modelTopology' object (is this a weights-only manifest?)");
  const json* topology = &doc["modelTopology"];
  json training = doc.contains("trainingConfig") ? doc["trainingConfig"] : json();
  if (topology->contains("model_config")) {  // Keras' converter nests the model config
    if (topology->contains("training_config")) training = (*topology)["training_config"];
    topology = &(*topology)["model_config"];
  }
  const std::string model_class = string_or(*topology, "class_name", "");
  if (model_class != "Sequential")
    throw Error(source + ": model class '" + model_class + "' is not supported (Digitrain reads Sequential models)");
  const json config = topology->value("config", json());
  // Keras before 2.2.3 wrote the layer list alone as the config.
  const json layers = config.is_array() ? config : config.is_object() ? config.value("layers", json()) : json();
  if (!layers.is_array() || layers.empty()) throw Error(source + ": modelTopology has no layers");
  if (layers.size() > 256) throw Error(source + ": more than 256 layers");

  json description = {{"name", string_or(config, "name", "sequential")}, {"layers", json::array()}};
  json input_shape;
  for (size_t i = 0; i < layers.size(); ++i) {
    const KerasObject layer = parse_keras_object(layers[i], source + ": layer " + std::to_string(i));
    const std::string where = source + ": layer '" + string_or(layer.config, "name", std::to_string(i)) + "'";
    if (layer.class_name == "InputLayer") {
      if (i != 0) throw Error(where + ": an InputLayer must come first");
      require_float32(layer.config.value("dtype", json()), string_or(layer.config, "name", std::to_string(i)));
      if (layer.config.value("sparse", json(false)) == json(true) ||
          layer.config.value("ragged", json(false)) == json(true))
        throw Error(where + ": sparse or ragged inputs are not supported");
      const json shape = layer.config.contains("batch_input_shape") ? layer.config["batch_input_shape"]
                                                                    : layer.config.value("batch_shape", json());
      if (!shape.is_null()) input_shape = without_batch(shape, where);
      continue;
    }
    if (input_shape.is_null() && description["layers"].empty()) {  // only the first layer's counts
      const json shape = layer.config.contains("batch_input_shape") ? layer.config["batch_input_shape"]
                         : layer.config.contains("batch_shape")     ? layer.config["batch_shape"]
                         : layers[i].contains("build_config")  // Keras 3
                             ? layers[i]["build_config"].value("input_shape", json())
                             : json();
      if (!shape.is_null()) input_shape = without_batch(shape, where);
    }
    description["layers"].push_back(our_layer(layer, static_cast<int>(i), source));
  }
  if (input_shape.is_null() && config.is_object() && config.contains("build_input_shape"))
    input_shape = without_batch(config["build_input_shape"], source + ": build_input_shape");
  if (input_shape.is_null())
    throw Error(source + ": no input shape (expected an InputLayer or batch_input_shape on the first layer)");
  description["input_shape"] = input_shape;
  description["compile"] = our_compile(training);
  // Our fit settings, if Digitrain wrote the file: pixel_scale above all.
  const json meta = doc.value("userDefinedMetadata", json());
  if (meta.is_object() && meta.contains("digitrain") && meta["digitrain"].is_object() &&
      meta["digitrain"].contains("fit"))
    description["fit"] = meta["digitrain"]["fit"];
  return description;
}

// --- the weights manifest ------------------------------------------------------------

struct ManifestWeight {
  std::string name;  // as the manifest spells it
  Dims shape;
  uint64_t elements = 0, bytes = 0;
  size_t group = 0;
  uint64_t offset = 0;     // within the group's bytes
  bool optimizer = false;  // TF.js' includeOptimizer state (Adam's moments): skipped
};

struct ManifestGroup {
  std::vector<std::string> paths;
  uint64_t bytes = 0;
};

struct Manifest {
  std::vector<ManifestGroup> groups;
  std::vector<ManifestWeight> weights;
};

uint64_t bytes_per_value(const std::string& dtype) {
  if (dtype == "float32" || dtype == "int32") return 4;
  if (dtype == "float16" || dtype == "int16" || dtype == "uint16") return 2;
  if (dtype == "bool" || dtype == "uint8" || dtype == "int8") return 1;
  if (dtype == "complex64") return 8;
  return 0;  // "string" has no fixed size
}

// Shards live beside model.json: no absolute paths, "..", or URLs.
std::string shard_path(const json& p, const std::string& source) {
  if (!p.is_string() || p.get<std::string>().empty() || p.get<std::string>().size() > 1024)
    throw Error(source + ": weights path " + text_of(p) + " must be a file name");
  const std::string path = p.get<std::string>();
  bool escapes = path[0] == '/' || path.find('\\') != std::string::npos || path.find("://") != std::string::npos;
  for (size_t start = 0; start <= path.size() && !escapes;) {
    const size_t end = std::min(path.find('/', start), path.size());
    escapes = path.compare(start, end - start, "..") == 0 && end - start == 2;
    start = end + 1;
  }
  if (escapes) throw Error(source + ": weights path '" + path + "' must name a file beside model.json");
  return path;
}

ManifestWeight manifest_weight(const json& w, const std::string& source) {
  if (!w.is_object() || !w.contains("name") || !w["name"].is_string())
    throw Error(source + ": each manifest weight needs a name, got " + text_of(w));
  ManifestWeight out;
  out.name = w["name"].get<std::string>();
  const std::string where = source + ": weight '" + out.name + "'";
  out.optimizer = string_or(w, "group", "") == "optimizer";
  if (w.contains("quantization") && !w["quantization"].is_null())
    throw Error(where + " is quantized (" + string_or(w["quantization"], "dtype", "?") +
                "); Digitrain reads float32 weights (convert without --quantize_*)");
  if (!w.contains("dtype") || !w["dtype"].is_string()) throw Error(where + ": no dtype");
  const std::string dtype = w["dtype"].get<std::string>();
  if (!out.optimizer && dtype != "float32")
    throw Error(where + ": dtype '" + clipped(dtype) + "' is not supported (Digitrain reads float32 weights)");
  const uint64_t value_bytes = bytes_per_value(dtype);
  if (value_bytes == 0) throw Error(where + ": dtype '" + clipped(dtype) + "' is not supported");
  const json& shape = w.value("shape", json());
  if (!shape.is_array() || shape.size() > 8)
    throw Error(where + ": shape " + text_of(shape) + " must be a list of sizes");
  for (const json& d : shape) {
    if (!d.is_number_integer() ||
        (d.is_number_unsigned() ? d.get<uint64_t>() > kMaxTensorFloats : d.get<int64_t>() < 0))
      throw Error(where + ": shape " + text_of(shape) + " must hold sizes from 0 to 2^28");
    out.shape.push_back(d.get<int64_t>());
  }
  out.elements = capped_product(out.shape);
  if (out.elements > kMaxTensorFloats)
    throw Error(where + ": shape " + text_of(shape) + " holds more than 2^28 values (this build's limit)");
  out.bytes = out.elements * value_bytes;
  return out;
}

Manifest read_manifest(const json& doc, const std::string& source) {
  if (!doc.contains("weightsManifest")) throw Error(source + ": no 'weightsManifest' (the list of weight files)");
  const json& groups = doc["weightsManifest"];
  if (!groups.is_array() || groups.empty()) throw Error(source + ": 'weightsManifest' must be a non-empty list");
  Manifest manifest;
  uint64_t total_bytes = 0;
  size_t shards = 0;
  for (const json& g : groups) {
    if (!g.is_object() || !g.contains("paths") || !g["paths"].is_array() || !g.contains("weights") ||
        !g["weights"].is_array())
      throw Error(source + ": each weightsManifest entry needs 'paths' and 'weights' lists");
    shards += g["paths"].size();
    if (shards > kMaxShards) throw Error(source + ": more than " + std::to_string(kMaxShards) + " weight files");
    ManifestGroup group;
    for (const json& p : g["paths"]) group.paths.push_back(shard_path(p, source));
    for (const json& w : g["weights"]) {
      if (manifest.weights.size() == kMaxManifestWeights)
        throw Error(source + ": more than " + std::to_string(kMaxManifestWeights) + " weights");
      ManifestWeight weight = manifest_weight(w, source);
      weight.group = manifest.groups.size();
      weight.offset = group.bytes;
      group.bytes += weight.bytes;
      total_bytes += weight.bytes;
      if (total_bytes > kMaxWeightBytes)
        throw Error(source + ": the weights take more than 1 GiB (this build's limit)");
      manifest.weights.push_back(std::move(weight));
    }
    if (group.bytes > 0 && group.paths.empty())
      throw Error(source + ": a weightsManifest entry lists weights but no files");
    manifest.groups.push_back(std::move(group));
  }
  return manifest;
}

// --- the topology against the manifest -----------------------------------------------

// json_text, not json::dump: model_file.cpp checks files with weights_of_topology in the
// page's training module too, which has no JSON serializer (8 KB) otherwise.
std::string dims_text(const Dims& dims) { return json_text(json(dims)); }

// The weights the topology will create. build_model allocates whatever a topology asks
// for (a Dense of 2^20 units after a 784-wide input: 3 GiB), so the sizes are worked out
// here first, by each layer's plan() (which checks and allocates nothing), and must fit
// the limits and match the (already checked) manifest.
// (Outside the anonymous namespace: model_file.cpp checks its files against it too.)
}  // namespace

std::vector<ExpectedWeight> weights_of_topology(const ModelSpec& spec, const std::string& source) {
  Shape shape = spec.input_shape;
  std::vector<ExpectedWeight> out;
  std::set<std::string> names;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    std::unique_ptr<Layer> layer;
    try {
      layer = make_layer(spec.layers[i], static_cast<int>(i));
      shape = layer->plan(shape);
    } catch (const Error& e) {
      throw Error(source + ": " + e.what());
    }
    const std::string& name = layer->name();
    const std::string where = source + ": layer '" + name + "' (" + layer->class_name() + ")";
    if (!names.insert(name).second) throw Error(source + ": two layers are named '" + name + "'");
    for (const Param& p : layer->weights()) out.push_back({p.name, Dims(p.shape.begin(), p.shape.end())});
    if (shape_size(shape) > static_cast<long>(kMaxFloatsPerImage))
      throw Error(where + ": its output " + dims_text(Dims(shape.begin(), shape.end())) +
                  " is larger than this build allows per image (2^22 values)");
  }
  return out;
}

namespace {

// "sequential/dense/kernel" -> "dense/kernel": weights are named layer/kind, sometimes
// behind the model's name.
std::string layer_and_kind(const std::string& name) {
  const size_t last = name.rfind('/');
  if (last == std::string::npos || last == 0) return name;
  const size_t before = name.rfind('/', last - 1);
  return before == std::string::npos ? name : name.substr(before + 1);
}

// For each expected weight, the manifest entry that holds it (matched by name, as TF.js does).
std::vector<size_t> match_weights(const std::vector<ExpectedWeight>& expected, const Manifest& manifest,
                                  const std::string& source) {
  std::map<std::string, size_t> by_name;
  for (size_t i = 0; i < manifest.weights.size(); ++i) {
    if (manifest.weights[i].optimizer) continue;
    if (!by_name.emplace(layer_and_kind(manifest.weights[i].name), i).second)
      throw Error(source + ": two weights in the manifest are named '" + layer_and_kind(manifest.weights[i].name) +
                  "'");
  }
  std::vector<size_t> chosen;
  for (const ExpectedWeight& e : expected) {
    const auto found = by_name.find(e.name);
    if (found == by_name.end())
      throw Error(source + ": the weights manifest has no '" + e.name + "' (shape " + dims_text(e.shape) +
                  "), which the topology needs");
    const ManifestWeight& w = manifest.weights[found->second];
    if (w.shape != e.shape)
      throw Error(source + ": weight '" + w.name + "' has shape " + dims_text(w.shape) + ", the topology needs " +
                  dims_text(e.shape));
    chosen.push_back(found->second);
    by_name.erase(found);
  }
  if (!by_name.empty())
    throw Error(source + ": weight '" + manifest.weights[by_name.begin()->second].name +
                "' belongs to no layer of the model");
  return chosen;
}

// --- the weight files ----------------------------------------------------------------

struct GroupBytes {
  std::vector<uint8_t> bytes;        // the group's shards, concatenated in order
  std::vector<uint64_t> shard_ends;  // where each shard ends in `bytes`
};

std::vector<GroupBytes> read_weight_files(const Manifest& manifest, const WeightsFileReader& read,
                                          const std::string& source) {
  std::vector<GroupBytes> groups;
  for (size_t g = 0; g < manifest.groups.size(); ++g) {
    const ManifestGroup& group = manifest.groups[g];
    GroupBytes out;
    // No reserve(group.bytes): a 1 KB model.json may claim 1 GiB of weights; what is
    // allocated follows what the shards hold.
    std::string files;
    for (const std::string& path : group.paths) {
      std::vector<uint8_t> shard;
      try {
        shard = read(path);
      } catch (const Error& e) {
        throw Error(source + ": weights file '" + path + "': " + e.what());
      }
      files += (files.empty() ? "" : " + ") + path;
      if (out.bytes.size() + shard.size() > group.bytes)
        throw Error(source + ": weights file '" + path + "' brings " + files + " to " +
                    std::to_string(out.bytes.size() + shard.size()) + " bytes; the manifest's weights for them take " +
                    std::to_string(group.bytes));
      out.bytes.insert(out.bytes.end(), shard.begin(), shard.end());
      out.shard_ends.push_back(out.bytes.size());
    }
    if (out.bytes.size() < group.bytes)
      throw Error(source + ": weights " +
                  (group.paths.size() > 1 ? "files " + files + " hold " : "file " + files + " holds ") +
                  std::to_string(out.bytes.size()) + " bytes, the manifest's weights need " +
                  std::to_string(group.bytes) + " (truncated?)");
    groups.push_back(std::move(out));
  }
  return groups;
}

const std::string& shard_holding(const Manifest& manifest, const GroupBytes& group, size_t g, uint64_t byte) {
  size_t s = 0;
  while (s + 1 < group.shard_ends.size() && group.shard_ends[s] <= byte) ++s;
  return manifest.groups[g].paths[s];
}

// Every value must be finite; a NaN would otherwise surface as a NaN prediction.
void check_finite(const Manifest& manifest, const std::vector<GroupBytes>& groups, const ManifestWeight& w,
                  const std::string& source) {
  const uint8_t* bytes = groups[w.group].bytes.data() + w.offset;
  for (uint64_t i = 0; i < w.elements; ++i) {
    float v;
    std::memcpy(&v, bytes + 4 * i, sizeof v);
    if (!std::isfinite(v))
      throw Error(source + ": weight '" + w.name + "' (in " +
                  shard_holding(manifest, groups[w.group], w.group, w.offset + 4 * i) + ") has a non-finite value (" +
                  (std::isnan(v) ? "NaN" : "Inf") + ") at index " + std::to_string(i));
  }
}

}  // namespace

TfjsFiles model_to_tfjs(Sequential& model, const FitSettings& fit) {
  TfjsFiles files;
  ordered_json layers = ordered_json::array();
  for (size_t i = 0; i < model.layers().size(); ++i)
    layers.push_back(tfjs_layer(*model.layers()[i], i == 0 ? &model.input_shape() : nullptr));
  ordered_json topology = {{"class_name", "Sequential"},
                           {"config", {{"name", model.name()}, {"layers", layers}}},
                           {"keras_version", "tfjs-layers 4.22.0"},
                           {"backend", "tensor_flow.js"}};
  ordered_json weights = ordered_json::array();
  for (const Param& p : model.weights()) {
    weights.push_back({{"name", p.name}, {"shape", p.shape}, {"dtype", "float32"}});
    // Little-endian float32, as TF.js reads them; every target we build for is little-endian.
    const auto* bytes = reinterpret_cast<const uint8_t*>(p.value);
    files.weights.insert(files.weights.end(), bytes, bytes + sizeof(float) * static_cast<size_t>(p.size));
  }
  ordered_json doc;
  doc["modelTopology"] = topology;
  doc["format"] = "layers-model";
  doc["generatedBy"] = std::string("Digitrain ") + kDigitrainVersion;
  doc["convertedBy"] = nullptr;
  doc["weightsManifest"] = ordered_json::array({{{"paths", {files.weights_path}}, {"weights", weights}}});
  doc["userDefinedMetadata"] = {{"digitrain", {{"fit", fit_settings_to_json(fit)}}}};
  if (model.optimizer()) doc["trainingConfig"] = training_config(model);
  files.model_json = doc.dump();
  return files;
}

LoadedModel model_from_tfjs(const std::string& model_json_text, const WeightsFileReader& read_weights_file,
                            const std::string& source) {
  const json doc = parse_json(model_json_text, source, /*allow_exceptions=*/true, "truncated or not a model.json?");
  if (!doc.is_object()) throw Error(source + ": a TF.js model.json must be a JSON object");
  try {
    LoadedModel loaded;
    loaded.spec = parse_model_spec(description_from_tfjs(doc, source), source);
    const Manifest manifest = read_manifest(doc, source);
    const std::vector<ExpectedWeight> expected = weights_of_topology(loaded.spec, source);
    const std::vector<size_t> chosen = match_weights(expected, manifest, source);
    const std::vector<GroupBytes> groups = read_weight_files(manifest, read_weights_file, source);
    for (size_t index : chosen) check_finite(manifest, groups, manifest.weights[index], source);

    // Only now, with every size known to match, is anything built.
    loaded.model = build_model(loaded.spec, /*seed=*/0);
    std::map<std::string, const ManifestWeight*> by_param;
    for (size_t i = 0; i < expected.size(); ++i) by_param[expected[i].name] = &manifest.weights[chosen[i]];
    for (const Param& p : loaded.model->weights()) {
      const auto found = by_param.find(p.name);
      if (found == by_param.end() || found->second->elements != static_cast<uint64_t>(p.size))
        throw Error(source + ": internal error: weight '" + p.name + "' was not checked");  // our bug, not the file's
      const ManifestWeight& w = *found->second;
      std::memcpy(p.value, groups[w.group].bytes.data() + w.offset, sizeof(float) * static_cast<size_t>(p.size));
    }
    return loaded;
  } catch (...) {
    rethrow_naming_source(source);
  }
}

bool is_tfjs_model_json(const std::string& text) {
  json doc;
  try {
    doc = parse_json(text, "model.json");
  } catch (const Error&) {
    return false;  // too deep: the reader it goes to next says so, naming the file
  }
  return doc.is_object() && (doc.value("format", json()) == json("layers-model") || doc.contains("modelTopology"));
}

void save_tfjs_dir(Sequential& model, const FitSettings& fit, const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw Error("cannot create folder " + dir + ": " + error.message());
  const TfjsFiles files = model_to_tfjs(model, fit);
  // The weights first: model.json is what names them, so it is replaced last.
  write_file_replacing(dir + "/" + files.weights_path, files.weights.data(), files.weights.size());
  write_file_replacing(dir + "/model.json", files.model_json.data(), files.model_json.size());
}

LoadedModel load_tfjs_file(const std::string& model_json_path) {
  const std::vector<uint8_t> text = read_file_bytes(model_json_path, kMaxModelFileBytes);
  return load_tfjs_text(std::string(text.begin(), text.end()), model_json_path);
}

LoadedModel load_tfjs_text(const std::string& model_json_text, const std::string& model_json_path) {
  const size_t slash = model_json_path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : model_json_path.substr(0, slash + 1);
  auto read_shard = [&](const std::string& path) {
    const std::string file = dir + path;
    // A shard must be a regular file no larger than all weights may be (not /dev/zero).
    return read_file_bytes(file, kMaxWeightBytes);
  };
  return model_from_tfjs(model_json_text, read_shard, model_json_path);
}

}  // namespace digitrain
