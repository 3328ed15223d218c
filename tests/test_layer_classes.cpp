// The layer classes' registrations (src/keras/): every reader and writer goes through them,
// so each class is checked here once, generically, for what each reader relies on.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "keras/layer_class.h"
#include "model/model_spec.h"
#include "model/tfjs_format.h"
#include "test_support.h"

namespace digitrain {
namespace {

using nlohmann::json;

// The smallest config each class accepts: its required keys, with values that fit `input`.
json minimal_config(const LayerClass& cls) {
  json config = json::object();
  for (const KeyRule& rule : cls.keys) {
    if (!rule.fallback.is_null()) continue;
    if (rule.kind == KeyKind::positive_int) config[rule.key] = 2;
    if (rule.kind == KeyKind::int_pair) config[rule.key] = 2;
    if (rule.kind == KeyKind::fraction) config[rule.key] = 0.5;
  }
  return config;
}

TEST(LayerClasses, DocsTableIsTheRegistrations) {
  std::ifstream in(testing::source_path("docs/model-format.md"));
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find(layer_classes_markdown()), std::string::npos)
      << "docs/model-format.md's layer table is out of date; paste `digitrain layers` into it:\n"
      << layer_classes_markdown();
}

TEST(LayerClasses, EachClassRoundTripsItsConfig) {
  for (const LayerClass* cls : layer_classes()) {
    SCOPED_TRACE(cls->class_name);
    const json description = {{"class_name", cls->class_name}, {"config", minimal_config(*cls)}};
    const std::unique_ptr<Layer> layer = make_layer(description, 3);
    EXPECT_STREQ(layer->class_name(), cls->class_name);
    const json config = layer_config(*layer);
    // Made again from what it wrote, it writes the same: no key is lost or changed.
    const std::unique_ptr<Layer> again = make_layer({{"class_name", cls->class_name}, {"config", config}}, 3);
    EXPECT_EQ(layer_config(*again), config);
    EXPECT_EQ(again->name(), layer->name());
    // Every key it writes is one of its rules (so the TF.js writer and the docs know it).
    for (const auto& [key, value] : config.items()) {
      bool known = key == "name";
      for (const KeyRule& rule : cls->keys) known = known || key == rule.key;
      EXPECT_TRUE(known) << key;
    }
    // An unknown key is refused by name; a null one is not.
    json unknown = minimal_config(*cls);
    unknown["frobnicate"] = 1;
    EXPECT_ERROR(make_layer({{"class_name", cls->class_name}, {"config", unknown}}, 0), "option 'frobnicate' (1)");
    unknown["frobnicate"] = nullptr;
    EXPECT_NO_THROW(make_layer({{"class_name", cls->class_name}, {"config", unknown}}, 0));
    // Each required key is required.
    const json minimal = minimal_config(*cls);
    for (const auto& [key, value] : minimal.items()) {
      json missing = minimal;
      missing.erase(key);
      EXPECT_ERROR(make_layer({{"class_name", cls->class_name}, {"config", missing}}, 0), "missing '" + key + "'");
    }
  }
}

TEST(LayerClasses, DefaultNamesAreKeras) {
  EXPECT_EQ(make_layer({{"class_name", "Dense"}, {"config", {{"units", 2}}}}, 0)->name(), "dense");
  EXPECT_EQ(make_layer({{"class_name", "Conv2D"}, {"config", {{"filters", 2}, {"kernel_size", 3}}}}, 2)->name(),
            "conv2d_2");
}

TEST(LayerClasses, FixedKeysTakeOnlyTheirValue) {
  json conv = {{"class_name", "Conv2D"}, {"config", {{"filters", 2}, {"kernel_size", 3}}}};
  conv["config"]["data_format"] = "channels_first";
  EXPECT_ERROR(make_layer(conv, 0), "layer 'conv2d': data_format=\"channels_first\" is not supported (only \"channels_last\")");
  conv["config"]["data_format"] = "channels_last";
  conv["config"]["dilation_rate"] = 1;  // Keras' short form of [1, 1]
  EXPECT_NO_THROW(make_layer(conv, 0));
  conv["config"]["dtype"] = "float64";
  EXPECT_ERROR(make_layer(conv, 0), "dtype 'float64' is not supported");
}

// The TF.js writer writes every key of the class, in the registration's order, so TF.js
// reads the layer back as it was.
TEST(LayerClasses, TfjsTopologyHasEveryKeyOfEachClass) {
  const ModelSpec spec = parse_model_spec(
      json::parse(R"({"input_shape": [6, 6, 1], "layers": [
        {"class_name": "Conv2D", "config": {"filters": 2, "kernel_size": 3, "activation": "relu"}},
        {"class_name": "BatchNormalization"},
        {"class_name": "LeakyReLU", "config": {"negative_slope": 0.1}},
        {"class_name": "Flatten"},
        {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}}]})"),
      "m");
  auto model = build_model(spec, 1);
  const json doc = json::parse(model_to_tfjs(*model, spec.fit).model_json);
  const json& layers = doc["modelTopology"]["config"]["layers"];
  ASSERT_EQ(layers.size(), 5u);
  for (const json& l : layers) {
    const LayerClass* cls = find_layer_class(l["class_name"]);
    ASSERT_NE(cls, nullptr);
    for (const KeyRule& rule : cls->keys)
      if (rule.kind != KeyKind::fixed_unwritten && rule.kind != KeyKind::alias)
        EXPECT_TRUE(l["config"].contains(rule.key)) << cls->class_name << " " << rule.key;
  }
  // Keras 3's negative_slope is written as TF.js' alpha, and only that.
  EXPECT_EQ(layers[2]["config"]["alpha"], 0.1);
  EXPECT_FALSE(layers[2]["config"].contains("negative_slope"));
}

// Keras 3 renamed LeakyReLU's alpha to negative_slope: both are read (the model description,
// the model file and TF.js files all go through make_layer), alpha is written.
TEST(LayerClasses, LeakyReluReadsKeras3NegativeSlope) {
  auto leaky = [](const json& config) { return make_layer({{"class_name", "LeakyReLU"}, {"config", config}}, 0); };
  EXPECT_EQ(layer_config(*leaky({{"negative_slope", 0.2}})), json({{"name", "leaky_re_lu"}, {"alpha", 0.2}}));
  EXPECT_EQ(layer_config(*leaky({{"alpha", 0.2}})), json({{"name", "leaky_re_lu"}, {"alpha", 0.2}}));
  EXPECT_EQ(layer_config(*leaky(json::object()))["alpha"], 0.3);  // the default of both
  EXPECT_NO_THROW(leaky({{"negative_slope", 0.2}, {"alpha", 0.2}}));
  EXPECT_ERROR(leaky({{"negative_slope", 0.2}, {"alpha", 0.1}}),
               "layer 'leaky_re_lu': 'negative_slope' (0.2) and 'alpha' (0.1) name the same value; give one");
  EXPECT_ERROR(leaky({{"negative_slope", "steep"}}), "'negative_slope' must be a finite number");
  // The slope computes: -1 -> -0.2.
  auto layer = leaky({{"negative_slope", 0.2}});
  layer->build({1});
  layer->reserve(1);
  const float x = -1.0f;
  EXPECT_FLOAT_EQ(layer->forward(ConstMatrixView(&x, 1, 1), /*training=*/false).data()[0], -0.2f);

  // A TF.js file written by Keras 3 (negative_slope) loads with that slope.
  const ModelSpec spec = parse_model_spec(json::parse(R"({"input_shape": [4], "layers": [
      {"class_name": "Dense", "config": {"units": 3}},
      {"class_name": "LeakyReLU", "config": {"alpha": 0.3}},
      {"class_name": "Dense", "config": {"units": 2, "activation": "softmax"}}]})"),
                                          "m");
  auto model = build_model(spec, 1);
  TfjsFiles files = model_to_tfjs(*model, spec.fit);
  json doc = json::parse(files.model_json);
  json& config = doc["modelTopology"]["config"]["layers"][1]["config"];
  config.erase("alpha");
  config["negative_slope"] = 0.05;
  const LoadedModel loaded =
      model_from_tfjs(doc.dump(), [&](const std::string&) { return files.weights; }, "model.json");
  EXPECT_EQ(layer_config(*loaded.model->layers()[1])["alpha"], 0.05);
}

}  // namespace
}  // namespace digitrain
