#pragma once
// The JSON model description shared by the CLI, the page and the presets: Keras layer
// class names and arguments, compile settings, and how the tutorial feeds the data.
// docs/model-format.md describes it.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "model/sequential.h"

namespace digitrain {

struct FitSettings {
  int batch_size = 32;
  int epochs = 1;
  float pixel_scale = 255.0f;  // x = pixel / pixel_scale
  enum class Validation { none, head, split, test } validation = Validation::none;
  int head_count = 0;             // head: the first N training images validate
  double split_fraction = 0.0;    // split: the last fraction validates (Keras' validation_split)
  std::string dataset = "mnist";  // what the model is made for (data/dataset_catalog.h)
};

struct ModelSpec {
  std::string name;
  Shape input_shape;
  nlohmann::json layers;     // [{"class_name": ..., "config": {...}}, ...]
  LossKind loss = LossKind::sparse_categorical_crossentropy;
  nlohmann::json optimizer;  // {"class_name": ..., "config": {...}}
  FitSettings fit;
};

// Checks everything and throws an Error prefixed with `source` on the first problem.
ModelSpec parse_model_spec(const nlohmann::json& description, const std::string& source);
ModelSpec parse_model_spec_text(const std::string& text, const std::string& source);

// Builds, compiles and initialises the model (weights drawn from `seed`).
std::unique_ptr<Sequential> build_model(const ModelSpec& spec, uint64_t seed);

// A description checked as build_model would check it, layer by layer, without allocating
// any weights: what the page's model editor shows while a learner edits (docs/page.md).
// `layers` holds the layers that fit, in order; `error` the first problem (empty if none)
// and `error_layer` the index of the layer it concerns (-1: the description as a whole).
struct LayerPlan {
  std::string name;
  std::string class_name;
  Shape output_shape;
  long params = 0;
};
struct ModelPlan {
  std::string name;
  std::vector<LayerPlan> layers;
  long param_count = 0;
  std::string error;
  int error_layer = -1;
};
ModelPlan plan_model(const nlohmann::json& description, const std::string& source);

// The description of a model as it is now (layer configs, current optimiser settings).
nlohmann::json describe_model(Sequential& model, const FitSettings& fit);
nlohmann::json fit_settings_to_json(const FitSettings& fit);

}  // namespace digitrain
