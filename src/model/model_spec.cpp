#include "model/model_spec.h"

#include <cmath>

#include "core/error.h"
#include "core/json_text.h"
#include "core/json_errors.h"
#include "data/dataset_catalog.h"
#include "keras/layer_class.h"

namespace digitrain {

namespace {

using nlohmann::json;

const json& member(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) throw Error(where + ": missing '" + key + "'");
  return j[key];
}

int int_in(const json& j, const char* key, int fallback, long lo, long hi, const std::string& where) {
  if (!j.contains(key)) return fallback;
  const json& v = j[key];
  if (!is_whole_number(v) || v.get<long long>() < lo || v.get<long long>() > hi)
    throw Error(where + ": '" + key + "' must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi) +
                ", got " + json_text(v));
  return v.get<int>();
}

FitSettings parse_fit(const json& j, const std::string& where) {
  FitSettings fit;
  if (!j.is_object()) throw Error(where + ": 'fit' must be an object");
  fit.batch_size = int_in(j, "batch_size", 32, 1, 65536, where + " fit");
  fit.epochs = int_in(j, "epochs", 1, 0, 100000, where + " fit");
  if (j.contains("pixel_scale")) {
    // At most 1e30: it becomes a float (converting a larger double is undefined behaviour).
    if (!j["pixel_scale"].is_number() || !(j["pixel_scale"].get<double>() > 0) || !(j["pixel_scale"].get<double>() <= 1e30))
      throw Error(where + ": fit 'pixel_scale' must be a positive number up to 1e30");
    fit.pixel_scale = j["pixel_scale"].get<float>();
  }
  if (j.contains("dataset")) {
    const json& d = j["dataset"];
    if (!d.is_string() || !find_dataset(d.get<std::string>()))
      throw Error(where + ": fit 'dataset' must be one of " + dataset_names() + ", got " + json_text(d));
    fit.dataset = d.get<std::string>();
  }
  if (!j.contains("validation")) return fit;
  const json& v = j["validation"];
  const std::string mode = v.is_object() && v.contains("mode") && v["mode"].is_string() ? v["mode"].get<std::string>() : "";
  if (mode == "none") {
    fit.validation = FitSettings::Validation::none;
  } else if (mode == "head") {
    fit.validation = FitSettings::Validation::head;
    fit.head_count = int_in(v, "count", 0, 1, 10000000, where + " fit validation");
  } else if (mode == "split") {
    fit.validation = FitSettings::Validation::split;
    if (!v.contains("fraction") || !v["fraction"].is_number() || !(v["fraction"].get<double>() > 0.0) ||
        !(v["fraction"].get<double>() < 1.0))
      throw Error(where + ": fit validation 'fraction' must be a number between 0 and 1");
    fit.split_fraction = v["fraction"].get<double>();
  } else if (mode == "test") {
    fit.validation = FitSettings::Validation::test;
  } else {
    throw Error(where + ": fit 'validation' must be {\"mode\": \"none\"|\"head\"|\"split\"|\"test\", ...}");
  }
  return fit;
}

Shape parse_shape(const json& j, const std::string& where) {
  if (!j.is_array() || j.empty() || j.size() > 3) throw Error(where + ": 'input_shape' must be a list of 1 to 3 sizes");
  Shape shape;
  for (const json& d : j) {
    if (!is_whole_number(d) || d.get<long long>() <= 0 || d.get<long long>() > 65536)
      throw Error(where + ": 'input_shape' " + json_text(j) + " must hold positive integers");
    shape.push_back(d.get<int>());
  }
  if (shape_size(shape) > (1L << 24)) throw Error(where + ": 'input_shape' " + json_text(j) + " is too large");
  return shape;
}

}  // namespace

ModelSpec parse_model_spec(const json& d, const std::string& source) {
  try {
    if (!d.is_object()) throw Error(source + ": a model description must be a JSON object");
    if (d.contains("format") && d["format"] != "digitrain-model")
      throw Error(source + ": format " + json_text(d["format"]) + ", expected \"digitrain-model\"");
    if (d.contains("version") && (!is_whole_number(d["version"]) || d["version"].get<int>() != 1))
      throw Error(source + ": version " + json_text(d["version"]) + " is not supported (this build reads version 1)");
    ModelSpec spec;
    spec.name = d.contains("name") && d["name"].is_string() ? d["name"].get<std::string>() : "sequential";
    spec.input_shape = parse_shape(member(d, "input_shape", source), source);
    spec.layers = member(d, "layers", source);
    if (!spec.layers.is_array() || spec.layers.empty()) throw Error(source + ": 'layers' must be a non-empty list");
    if (spec.layers.size() > 256) throw Error(source + ": more than 256 layers");
    const json compile = d.contains("compile") ? d["compile"] : json::object();
    if (!compile.is_object()) throw Error(source + ": 'compile' must be an object");
    spec.loss = compile.contains("loss") ? parse_loss(compile["loss"].get<std::string>())
                                         : LossKind::sparse_categorical_crossentropy;
    spec.optimizer = compile.contains("optimizer") ? compile["optimizer"] : json("adam");
    make_optimizer(spec.optimizer);  // validates it now rather than at build time
    if (d.contains("fit")) spec.fit = parse_fit(d["fit"], source);
    return spec;
  } catch (...) {
    rethrow_naming_source(source);
  }
}

ModelSpec parse_model_spec_text(const std::string& text, const std::string& source) {
  json d = parse_json(text, source);
  if (d.is_discarded()) throw Error(source + ": not valid JSON");
  return parse_model_spec(d, source);
}

std::unique_ptr<Sequential> build_model(const ModelSpec& spec, uint64_t seed) {
  auto model = std::make_unique<Sequential>(spec.name, spec.input_shape);
  try {
    for (size_t i = 0; i < spec.layers.size(); ++i) model->add(make_layer(spec.layers[i], static_cast<int>(i)));
    model->compile(spec.loss, make_optimizer(spec.optimizer));
  } catch (const nlohmann::json::exception& e) {
    throw Error("model '" + spec.name + "': " + e.what());
  }
  model->set_pixel_scale(spec.fit.pixel_scale);
  model->initialize(seed);
  return model;
}

ModelPlan plan_model(const json& description, const std::string& source) {
  ModelPlan plan;
  ModelSpec spec;
  try {
    spec = parse_model_spec(description, source);
  } catch (const std::exception& e) {
    plan.error = e.what();
    return plan;
  }
  plan.name = spec.name;
  Shape shape = spec.input_shape;
  std::unique_ptr<Layer> last;
  const int count = static_cast<int>(spec.layers.size());
  for (int i = 0; i < count; ++i) {
    try {
      std::unique_ptr<Layer> layer = make_layer(spec.layers[i], i);
      shape = layer->plan(shape);  // checks the fit and allocates nothing
      for (const LayerPlan& earlier : plan.layers)
        if (earlier.name == layer->name()) throw Error("two layers are named '" + layer->name() + "'");
      LayerPlan row{layer->name(), layer->class_name(), shape, 0};
      // Before allocate() a parameter's size is still 0: count it from its shape.
      for (const Param& p : layer->weights()) row.params += shape_size(p.shape);
      plan.param_count += row.params;
      plan.layers.push_back(std::move(row));
      last = std::move(layer);
    } catch (const std::exception& e) {
      plan.error = e.what();
      plan.error_layer = i;
      return plan;
    }
  }
  try {
    check_output_layer(spec.name, *last, spec.loss);
    check_class_outputs(spec.name, *last);
  } catch (const std::exception& e) {
    plan.error = e.what();
    plan.error_layer = count - 1;
  }
  return plan;
}

json fit_settings_to_json(const FitSettings& fit) {
  json v;
  switch (fit.validation) {
    case FitSettings::Validation::none: v = {{"mode", "none"}}; break;
    case FitSettings::Validation::head: v = {{"mode", "head"}, {"count", fit.head_count}}; break;
    case FitSettings::Validation::split: v = {{"mode", "split"}, {"fraction", fit.split_fraction}}; break;
    case FitSettings::Validation::test: v = {{"mode", "test"}}; break;
  }
  json j = {{"batch_size", fit.batch_size}, {"epochs", fit.epochs}, {"pixel_scale", fit.pixel_scale}, {"validation", v}};
  // MNIST is the default: files written before datasets had names read the same.
  if (fit.dataset != "mnist") j["dataset"] = fit.dataset;
  return j;
}

json describe_model(Sequential& model, const FitSettings& fit) {
  json layers = json::array();
  for (const auto& layer : model.layers()) layers.push_back({{"class_name", layer->class_name()}, {"config", layer_config(*layer)}});
  json compile = {{"loss", loss_name(model.loss())}, {"metrics", {"accuracy"}}};
  if (model.optimizer()) compile["optimizer"] = model.optimizer()->to_json();
  return {{"format", "digitrain-model"}, {"version", 1},      {"name", model.name()},
          {"input_shape", model.input_shape()}, {"layers", layers}, {"compile", compile},
          {"fit", fit_settings_to_json(fit)}};
}

}  // namespace digitrain
