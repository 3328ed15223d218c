#pragma once
// Digitrain's own model file: the JSON model description plus the weights, each as
// little-endian float32 in base64, in weights() order (trainable, then BatchNormalization's moving statistics):
//   {..description.., "weights": [{"name": "dense/kernel", "shape": [784, 128],
//                                  "dtype": "float32", "data": "<base64>"}, ...]}
// Loading checks every weight (name, shape, byte size, finite values) before any of it
// replaces anything, so a bad file never leaves a half-loaded model.
#include <cstddef>
#include <memory>
#include <string>

#include "model/model_spec.h"

namespace digitrain {

struct LoadedModel {
  ModelSpec spec;
  std::unique_ptr<Sequential> model;
};

std::string model_to_json_text(Sequential& model, const FitSettings& fit);
LoadedModel model_from_json_text(const std::string& text, const std::string& source);

// The same file as a JSON value: the page parses and writes the text in JavaScript.
nlohmann::json model_to_json(Sequential& model, const FitSettings& fit);
LoadedModel model_from_json(const nlohmann::json& file, const std::string& source);

// Writes `size` bytes to path + ".tmp" and renames that over `path`, so an existing file
// is never left half-written. Every model file we save goes through it.
void write_file_replacing(const std::string& path, const void* data, size_t size);

// The model file, through write_file_replacing.
void save_model_file(Sequential& model, const FitSettings& fit, const std::string& path);
LoadedModel load_model_file(const std::string& path);

}  // namespace digitrain
