#pragma once
// The TF.js Layers format: what tf.loadLayersModel reads, LayersModel.save writes and
// Keras' tensorflowjs_converter produces. model.json holds a Keras topology and a weights
// manifest; the weights are little-endian float32 in binary files ("shards"), in manifest
// order:
//   {"format": "layers-model", "modelTopology": {"class_name": "Sequential", ...},
//    "weightsManifest": [{"paths": ["group1-shard1of1.bin"],
//                         "weights": [{"name": "dense/kernel", "shape": [784, 128], "dtype": "float32"}]}]}
// The topology becomes our model description (docs/model-format.md) and goes through
// build_model. Loading checks everything (topology, manifest, every size, every value)
// before the model is built, so a bad file never leaves a half-loaded model.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/model_file.h"

namespace digitrain {

// Written into generatedBy ("Digitrain 0.1.0"); the version of package.json.
constexpr const char* kDigitrainVersion = "0.1.0";

struct TfjsFiles {
  std::string model_json;                             // the text of model.json
  std::string weights_path = "group1-shard1of1.bin";  // the shard, as model.json names it
  std::vector<uint8_t> weights;                       // its bytes
};

// Our fit settings (pixel_scale above all) have no place in TF.js' format; they travel in
// userDefinedMetadata {"digitrain": {"fit": {...}}}, which TF.js keeps when it re-saves.
TfjsFiles model_to_tfjs(Sequential& model, const FitSettings& fit);

// Returns the bytes of one shard named in the manifest (relative to model.json). The CLI
// reads files beside model.json; the page can hand over files the user dropped.
using WeightsFileReader = std::function<std::vector<uint8_t>(const std::string& path)>;

// Errors start with `source` (the model.json's name) and name the shard when it is at fault.
LoadedModel model_from_tfjs(const std::string& model_json_text, const WeightsFileReader& read_weights_file,
                            const std::string& source);

// The weights a model description will create, in weights() order, worked out from the
// layers' configs without allocating anything. Throws an Error (starting with `source`) when
// a layer does not fit its input or exceeds this build's limits. Readers compare a file's
// weights with these before build_model allocates them.
struct ExpectedWeight {
  std::string name;            // "dense/kernel"
  std::vector<int64_t> shape;  // [784, 128]
};
std::vector<ExpectedWeight> weights_of_topology(const ModelSpec& spec, const std::string& source);

// True when `text` is a TF.js model.json: "format": "layers-model", or a modelTopology.
bool is_tfjs_model_json(const std::string& text);

// Writes DIR/model.json and DIR/group1-shard1of1.bin (creating DIR), each through a
// temporary file renamed into place.
void save_tfjs_dir(Sequential& model, const FitSettings& fit, const std::string& dir);
// Reads model.json and the shards its manifest names from the same folder.
LoadedModel load_tfjs_file(const std::string& model_json_path);
// The same for a model.json already read; its weights files are read beside the path.
LoadedModel load_tfjs_text(const std::string& model_json_text, const std::string& model_json_path);

}  // namespace digitrain
