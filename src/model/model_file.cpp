#include "model/model_file.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/base64.h"
#include "core/error.h"
#include "core/json_text.h"
#include "core/json_errors.h"
#include "data/idx.h"
#include "model/tfjs_format.h"  // weights_of_topology

namespace digitrain {

namespace {

using nlohmann::json;

// Weights are stored little-endian; every target we build for is little-endian too.
std::string encode_weights(const Param& p) {
  return base64_encode(reinterpret_cast<const uint8_t*>(p.value), sizeof(float) * static_cast<size_t>(p.size));
}

std::vector<float> decode_weights(const json& entry, const Param& p, const std::string& where) {
  if (!entry.is_object()) throw Error(where + ": each weight must be an object");
  const std::string name = entry.value("name", "");
  if (name != p.name) throw Error(where + ": weight '" + name + "' found where '" + p.name + "' was expected");
  const std::string dtype = entry.value("dtype", "float32");
  if (dtype != "float32") throw Error(where + ": weight '" + name + "' has dtype '" + dtype + "', expected float32");
  if (!entry.contains("shape") || entry["shape"] != json(p.shape))
    throw Error(where + ": weight '" + name + "' has shape " + (entry.contains("shape") ? json_text(entry["shape"]) : "none") +
                ", the model needs " + json_text(json(p.shape)));
  if (!entry.contains("data") || !entry["data"].is_string()) throw Error(where + ": weight '" + name + "' has no data");
  const std::string& text = entry["data"].get_ref<const std::string&>();
  const size_t expected = sizeof(float) * static_cast<size_t>(p.size);
  if (base64_decoded_size(text) != expected)
    throw Error(where + ": weight '" + name + "' holds " + std::to_string(base64_decoded_size(text)) +
                " bytes, its shape needs " + std::to_string(expected));
  const std::vector<uint8_t> bytes = base64_decode(text, where + ": weight '" + name + "'");
  std::vector<float> values(p.size);
  std::memcpy(values.data(), bytes.data(), expected);
  for (long i = 0; i < p.size; ++i)
    if (!std::isfinite(values[i]))
      throw Error(where + ": weight '" + name + "' has a non-finite value at index " + std::to_string(i));
  return values;
}

// Before anything is built: a 208-byte file describing a Dense of 2^28 weights made the
// reader allocate 2 GB and only then find the weights missing. The layers' weights, worked
// out from the description without allocating, must each be held by the file (base64 data
// of the right length), so what build_model allocates is bounded by the file's size.
void check_weight_sizes(const json& weights, const std::vector<ExpectedWeight>& expected, const std::string& source) {
  if (weights.size() != expected.size())
    throw Error(source + ": " + std::to_string(weights.size()) + " weights, the model has " +
                std::to_string(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    const ExpectedWeight& e = expected[i];
    uint64_t needed = sizeof(float);
    for (const int64_t d : e.shape) needed *= static_cast<uint64_t>(d);  // at most 2^52 (weights_of_topology caps a layer input at 2^22)
    const json& entry = weights[i];
    const bool has_data = entry.is_object() && entry.contains("data") && entry["data"].is_string();
    const uint64_t held = has_data ? base64_decoded_size(entry["data"].get_ref<const std::string&>()) : 0;
    if (held != needed)
      throw Error(source + ": weight '" + e.name + "' holds " + std::to_string(held) + " bytes, its shape " +
                  json_text(json(e.shape)) + " needs " + std::to_string(needed));
  }
}

}  // namespace

json model_to_json(Sequential& model, const FitSettings& fit) {
  json d = describe_model(model, fit);
  json weights = json::array();
  for (const Param& p : model.weights())
    weights.push_back({{"name", p.name}, {"shape", p.shape}, {"dtype", "float32"}, {"data", encode_weights(p)}});
  d["weights"] = weights;
  return d;
}

std::string model_to_json_text(Sequential& model, const FitSettings& fit) {
  return model_to_json(model, fit).dump(1) + "\n";
}

LoadedModel model_from_json_text(const std::string& text, const std::string& source) {
  const json d = parse_json(text, source);
  if (d.is_discarded()) throw Error(source + ": not valid JSON (truncated or not a model file?)");
  return model_from_json(d, source);
}

LoadedModel model_from_json(const json& d, const std::string& source) {
  LoadedModel loaded;
  loaded.spec = parse_model_spec(d, source);
  if (!d.contains("weights") || !d["weights"].is_array())
    throw Error(source + ": no 'weights' list; this is a model description, not a trained model file");
  const json& weights = d["weights"];
  check_weight_sizes(weights, weights_of_topology(loaded.spec, source), source);
  loaded.model = build_model(loaded.spec, /*seed=*/0);
  std::vector<Param> params = loaded.model->weights();
  if (weights.size() != params.size())
    throw Error(source + ": " + std::to_string(weights.size()) + " weights, the model has " +
                std::to_string(params.size()));
  // Decode and check all of them before writing any.
  std::vector<std::vector<float>> values;
  try {
    for (size_t i = 0; i < params.size(); ++i) values.push_back(decode_weights(weights[i], params[i], source));
  } catch (...) {
    rethrow_naming_source(source);
  }
  for (size_t i = 0; i < params.size(); ++i) std::copy(values[i].begin(), values[i].end(), params[i].value);
  return loaded;
}

void write_file_replacing(const std::string& path, const void* data, size_t size) {
  const std::string temp = path + ".tmp";
  std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(temp.c_str(), "wb"), &std::fclose);
  if (!out) throw Error("cannot write " + temp + ": " + std::strerror(errno));
  if (size > 0 && std::fwrite(data, 1, size, out.get()) != size)
    throw Error("cannot write " + temp + ": " + std::strerror(errno));
  if (std::fclose(out.release()) != 0) throw Error("cannot write " + temp + ": " + std::strerror(errno));
  if (std::rename(temp.c_str(), path.c_str()) != 0) throw Error("cannot write " + path + ": " + std::strerror(errno));
}

void save_model_file(Sequential& model, const FitSettings& fit, const std::string& path) {
  const std::string text = model_to_json_text(model, fit);
  write_file_replacing(path, text.data(), text.size());
}

LoadedModel load_model_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path, kMaxModelFileBytes);
  return model_from_json_text(std::string(bytes.begin(), bytes.end()), path);
}

}  // namespace digitrain
