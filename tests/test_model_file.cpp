// Model descriptions and model files: round trips, and every bad input with its message.
#include <gtest/gtest.h>

#include "core/base64.h"
#include "model/model_file.h"
#include "model/presets.h"
#include "training/trainer.h"
#include "test_support.h"

namespace digitrain {
namespace {

using nlohmann::json;

json preset_description(const std::string& name) { return json::parse(preset_json(name)); }

TEST(Base64, RoundTripsEveryLength) {
  for (size_t n = 0; n < 10; ++n) {
    std::vector<uint8_t> bytes(n);
    for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>(i * 77 + 3);
    const std::string text = base64_encode(bytes.data(), n);
    EXPECT_EQ(base64_decoded_size(text), n);
    EXPECT_EQ(base64_decode(text, "t"), bytes);
  }
  EXPECT_EQ(base64_encode(reinterpret_cast<const uint8_t*>("Man"), 3), "TWFu");
  EXPECT_ERROR(base64_decode("TWF", "w"), "w: base64 length 3 is not a multiple of 4");
  EXPECT_ERROR(base64_decode("TW!u", "w"), "w: invalid base64 character at offset 2");
}

TEST(ModelSpec, ParsesEveryPreset) {
  for (const std::string& name : preset_names()) {
    const ModelSpec spec = preset_spec(name);
    EXPECT_EQ(spec.name, name);
    EXPECT_FALSE(spec.layers.empty());
  }
  const ModelSpec t4 = preset_spec("mlp-256");
  EXPECT_EQ(t4.fit.batch_size, 200);
  EXPECT_EQ(t4.fit.validation, FitSettings::Validation::split);
  EXPECT_DOUBLE_EQ(t4.fit.split_fraction, 0.2);
  EXPECT_EQ(t4.loss, LossKind::categorical_crossentropy);
  EXPECT_FLOAT_EQ(preset_spec("cnn-16-8").fit.pixel_scale, 1.0f);
}

TEST(ModelSpec, DescribeThenParseGivesTheSameModel) {
  auto model = build_model(preset_spec("cnn-16-8"), 1);
  const json d = describe_model(*model, preset_spec("cnn-16-8").fit);
  auto again = build_model(parse_model_spec(d, "described"), 1);
  EXPECT_EQ(again->summary(), model->summary());
  EXPECT_EQ(describe_model(*again, preset_spec("cnn-16-8").fit), d);
}

// plan_model (the page's model editor) agrees with the built model on every preset, layer
// by layer, and names the layer a problem concerns by its index.
// The plan counts every weight, as Keras' summary does (BatchNormalization's moving
// statistics included), so the editor's figures equal the summary's.
static void expect_plan_matches(const json& description, const std::string& name) {
  const ModelPlan plan = plan_model(description, name);
  EXPECT_EQ(plan.error, "") << name;
  auto model = build_model(parse_model_spec(description, name), 1);
  ASSERT_EQ(plan.layers.size(), model->layers().size()) << name;
  EXPECT_EQ(plan.param_count, model->weight_count()) << name;
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    EXPECT_EQ(plan.layers[i].output_shape, model->layers()[i]->output_shape()) << name << " layer " << i;
    EXPECT_EQ(plan.layers[i].params, model->layers()[i]->weight_count()) << name << " layer " << i;
    EXPECT_EQ(plan.layers[i].class_name, model->layers()[i]->class_name());
  }
}

TEST(ModelSpec, PlanMatchesTheBuiltModel) {
  for (const std::string& name : preset_names()) expect_plan_matches(preset_description(name), name);
  const json dense8 = {{"class_name", "Dense"}, {"config", {{"units", 8}, {"activation", "relu"}}}};
  const json norm = {{"class_name", "BatchNormalization"}};
  const json out = {{"class_name", "Dense"}, {"config", {{"units", 10}, {"activation", "softmax"}}}};
  const json with_norm = {{"input_shape", {784}}, {"layers", {dense8, norm, out}}};
  expect_plan_matches(with_norm, "with-batch-norm");
  // 4 x 8 for the normalisation: gamma, beta (trained), moving mean and variance (not).
  EXPECT_EQ(plan_model(with_norm, "m").layers[1].params, 32);
}

TEST(ModelSpec, PlanNamesTheLayerThatDoesNotFit) {
  const json conv = {{"class_name", "Conv2D"}, {"config", {{"filters", 4}, {"kernel_size", 3}, {"activation", "relu"}}}};
  const json pool5 = {{"class_name", "MaxPooling2D"}, {"config", {{"pool_size", 5}}}};
  const json flatten = {{"class_name", "Flatten"}};
  const json out = {{"class_name", "Dense"}, {"config", {{"units", 10}, {"activation", "softmax"}}}};
  json d = {{"input_shape", {28, 28, 1}}, {"layers", {conv, pool5, pool5, pool5, flatten, out}}};
  // 28 -> 26 (conv) -> 5 -> 1 -> a 5x5 pool on 1x1 does not fit: layer 3.
  ModelPlan plan = plan_model(d, "m");
  EXPECT_EQ(plan.error_layer, 3);
  EXPECT_NE(plan.error.find("MaxPooling2D"), std::string::npos) << plan.error;
  ASSERT_EQ(plan.layers.size(), 3u);
  EXPECT_EQ(plan.layers[2].output_shape, (Shape{1, 1, 4}));
  EXPECT_EQ(plan.param_count, 3 * 3 * 1 * 4 + 4);

  d["layers"] = {flatten, conv, out};  // Conv2D after Flatten
  plan = plan_model(d, "m");
  EXPECT_EQ(plan.error_layer, 1);
  EXPECT_NE(plan.error.find("(Conv2D): expects an input of shape (height, width, channels)"), std::string::npos) << plan.error;

  d["layers"] = {flatten, {{"class_name", "Dense"}, {"config", {{"units", 7}, {"activation", "softmax"}}}}};
  EXPECT_EQ(plan_model(d, "m").error_layer, 1);  // 7 outputs for 10 classes: the last layer
  d["layers"] = {flatten, {{"class_name", "Dense"}, {"config", {{"units", 10}}}}};
  EXPECT_NE(plan_model(d, "m").error.find("softmax"), std::string::npos);
  d["layers"] = {flatten, {{"class_name", "Dense"}, {"config", {{"units", 0}, {"activation", "softmax"}}}}};
  EXPECT_EQ(plan_model(d, "m").error_layer, 1);
  d["layers"] = json::array();
  plan = plan_model(d, "m");
  EXPECT_EQ(plan.error_layer, -1);  // the description as a whole
  EXPECT_NE(plan.error.find("'layers' must be a non-empty list"), std::string::npos) << plan.error;
}

// JSON.parse gives 128 for 128.0, so the page reads it as an integer; the CLI must too.
TEST(ModelSpec, WholeFloatsCountAsIntegers) {
  json d = preset_description("cnn-16-8");
  d["layers"][0]["config"]["filters"] = 16.0;
  d["layers"][0]["config"]["kernel_size"] = {3.0, 3.0};
  d["input_shape"] = {28.0, 28.0, 1.0};
  EXPECT_EQ(build_model(parse_model_spec(d, "m"), 1)->param_count(), build_model(preset_spec("cnn-16-8"), 1)->param_count());
  d["layers"][0]["config"]["filters"] = 16.5;
  EXPECT_ERROR(build_model(parse_model_spec(d, "m"), 1), "'filters' must be a positive integer, got 16.5");
}

TEST(ModelSpec, BadDescriptionsSayWhatIsWrong) {
  auto with = [](const std::function<void(json&)>& edit) {
    json d = preset_description("mlp-128-128");
    edit(d);
    return d;
  };
  EXPECT_ERROR(parse_model_spec_text("{\"layers\": [", "m.json"), "m.json: not valid JSON");
  EXPECT_ERROR(parse_model_spec(with([](json& d) { d.erase("input_shape"); }), "m.json"), "m.json: missing 'input_shape'");
  EXPECT_ERROR(parse_model_spec(with([](json& d) { d["input_shape"] = {28, -1}; }), "m.json"), "must hold positive integers");
  EXPECT_ERROR(parse_model_spec(with([](json& d) { d["version"] = 7; }), "m.json"), "version 7 is not supported");
  EXPECT_ERROR(parse_model_spec(with([](json& d) { d["compile"]["loss"] = "mse"; }), "m.json"), "loss 'mse' is not supported");
  EXPECT_ERROR(parse_model_spec(with([](json& d) { d["compile"]["optimizer"] = "adadelta"; }), "m.json"),
               "optimizer 'adadelta' is not supported (supported: SGD, Adam, RMSprop, Adagrad)");
  EXPECT_ERROR(
      parse_model_spec(with([](json& d) {
                         d["compile"]["optimizer"] = {{"class_name", "RMSprop"}, {"config", {{"centered", "yes"}}}};
                       }),
                       "m.json"),
      "optimizer RMSprop: 'centered' must be true or false");
  EXPECT_ERROR(parse_model_spec(with([](json& d) {
                                  d["compile"]["optimizer"] = {{"class_name", "RMSprop"}, {"config", {{"rho", 1}}}};
                                }),
                                "m.json"),
               "rho=1 is out of range [0, 1)");
  EXPECT_ERROR(parse_model_spec(with([](json& d) { d["fit"]["batch_size"] = 0; }), "m.json"), "'batch_size' must be an integer");
  EXPECT_ERROR(
      build_model(parse_model_spec(with([](json& d) { d["layers"][1]["config"]["activation"] = "swish"; }), "m"), 1),
      "layer 'dense': activation 'swish' is not supported");
  EXPECT_ERROR(build_model(parse_model_spec(with([](json& d) { d["layers"][1]["class_name"] = "LSTM"; }), "m"), 1),
               "layer 'dense': layer type 'LSTM' is not supported");
  EXPECT_ERROR(build_model(parse_model_spec(with([](json& d) { d["layers"][1]["config"]["units"] = 1LL << 31; }), "m"), 1),
               "'units' must be a positive integer");
  EXPECT_ERROR(build_model(parse_model_spec(with([](json& d) { d["layers"].erase(0); }), "m"), 1),
               "layer 'dense' (Dense): expects a flat input, got (None, 28, 28); add a Flatten layer");
  EXPECT_ERROR(build_model(parse_model_spec(with([](json& d) { d["layers"][3]["config"]["activation"] = "relu"; }), "m"), 1),
               "must use activation 'softmax'");
  auto twenty = build_model(parse_model_spec(with([](json& d) { d["layers"][3]["config"]["units"] = 20; }), "m"), 1);
  EXPECT_ERROR(twenty->evaluate(all_of(testing::real_mnist().test)), "has 20 units; MNIST has 10 classes, so it needs 10");
  EXPECT_ERROR(Trainer(*twenty, all_of(testing::real_mnist().train), std::nullopt, {32, 1, true, 1}),
               "has 20 units; MNIST has 10 classes");
  EXPECT_ERROR(build_model(parse_model_spec(with([](json& d) { d["layers"][1]["config"]["units"] = 1 << 20; }), "m"), 1),
               "a 784 x 1048576 kernel is larger than this build allows");
  EXPECT_ERROR(parse_model_spec(with([](json& d) {
                 d["compile"]["optimizer"] = {{"class_name", "Adam"}, {"config", {{"beta_1", 1.0}}}};
               }), "m"),
               "beta_1=1.0 is out of range [0, 1)");
  // The bound holds for the float Adam keeps: 0.99999999 becomes 1.0f, 0.9999999 does not.
  EXPECT_ERROR(parse_model_spec(with([](json& d) {
                 d["compile"]["optimizer"] = {{"class_name", "Adam"}, {"config", {{"beta_2", 0.99999999}}}};
               }), "m"),
               "beta_2=0.99999999 is out of range [0, 1)");
  EXPECT_NO_THROW(parse_model_spec(with([](json& d) {
                    d["compile"]["optimizer"] = {{"class_name", "Adam"}, {"config", {{"beta_2", 0.9999999}}}};
                  }), "m"));
  json conv = preset_description("cnn-16-8");
  conv["layers"][0]["config"]["padding"] = "causal";
  EXPECT_ERROR(build_model(parse_model_spec(conv, "m"), 1), "layer 'conv2d': padding=\"causal\" is not supported");
  conv = preset_description("cnn-16-8");
  conv["input_shape"] = {784, 1, 1};
  conv["layers"][0]["config"] = {{"name", "huge"}, {"filters", 65536}, {"kernel_size", {1, 1}}};
  conv["layers"][1]["config"] = {{"name", "c2"}, {"filters", 1}, {"kernel_size", {1, 1}}};
  auto huge = build_model(parse_model_spec(conv, "m"), 1);  // 784 x 65536 activations per sample
  EXPECT_ERROR(huge->reserve(4096), "floats is larger than this build allows");
  conv = preset_description("cnn-16-8");
  conv["layers"][0]["config"]["kernel_size"] = {30, 3};
  EXPECT_ERROR(build_model(parse_model_spec(conv, "m"), 1), "kernel 30x3 is larger than its input");
}

TEST(ModelFile, SaveThenLoadPredictsTheSame) {
  const testing::TempDir dir;
  const Mnist& mnist = testing::real_mnist();
  for (const std::string& name : preset_names()) {
    const ModelSpec spec = preset_spec(name);
    auto model = build_model(spec, 5);
    Trainer(*model, head(all_of(mnist.train), 320), std::nullopt, {32, 1, true, 5}).fit();
    save_model_file(*model, spec.fit, dir.file(name + ".json"));
    LoadedModel loaded = load_model_file(dir.file(name + ".json"));
    std::vector<float> a(10 * 50), b(10 * 50);
    model->predict_images(mnist.test.image(0), 50, a.data());
    loaded.model->predict_images(mnist.test.image(0), 50, b.data());
    EXPECT_EQ(a, b) << name;  // bit-exact: weights are stored as raw float32
    EXPECT_EQ(loaded.spec.fit.batch_size, spec.fit.batch_size);
  }
}

TEST(ModelFile, BadFilesSayWhatIsWrong) {
  auto model = build_model(preset_spec("mlp-256"), 1);
  const std::string good = model_to_json_text(*model, preset_spec("mlp-256").fit);
  auto with = [&](const std::function<void(json&)>& edit) {
    json d = json::parse(good);
    edit(d);
    return d.dump();
  };
  EXPECT_ERROR(model_from_json_text(good.substr(0, good.size() / 2), "m.json"), "m.json: not valid JSON (truncated");
  EXPECT_ERROR(model_from_json_text(preset_json("mlp-256"), "m.json"), "m.json: no 'weights' list");
  EXPECT_ERROR(model_from_json_text(with([](json& d) { d["weights"].erase(1); }), "m.json"), "m.json: 3 weights, the model has 4");
  EXPECT_ERROR(model_from_json_text(with([](json& d) { d["weights"][0]["shape"] = {784, 255}; }), "m.json"),
               "weight 'dense/kernel' has shape [784,255], the model needs [784,256]");
  EXPECT_ERROR(model_from_json_text(with([](json& d) { d["weights"][1]["data"] = "AAAA"; }), "m.json"),
               "weight 'dense/bias' holds 3 bytes, its shape [256] needs 1024");
  EXPECT_ERROR(model_from_json_text(with([](json& d) { d["weights"][1]["dtype"] = "float16"; }), "m.json"),
               "weight 'dense/bias' has dtype 'float16', expected float32");
  EXPECT_ERROR(model_from_json_text(with([](json& d) { d["weights"][0]["name"] = "other"; }), "m.json"),
               "weight 'other' found where 'dense/kernel' was expected");
  const float nan_bias[256] = {0, std::numeric_limits<float>::quiet_NaN()};
  const std::string nan_data = base64_encode(reinterpret_cast<const uint8_t*>(nan_bias), sizeof nan_bias);
  EXPECT_ERROR(model_from_json_text(with([&](json& d) { d["weights"][1]["data"] = nan_data; }), "m.json"),
               "weight 'dense/bias' has a non-finite value at index 1");
  EXPECT_ERROR(load_model_file("/nonexistent/model.json"), "cannot open /nonexistent/model.json");
}

TEST(ModelFile, AFailedSaveKeepsTheOldFile) {
  const testing::TempDir dir;
  auto model = build_model(preset_spec("mlp-256"), 1);
  const std::string path = dir.file("model.json");
  testing::write_text(path, "previous contents");
  // The temporary file cannot be created (a folder is in its way): the save fails before
  // touching model.json.
  std::filesystem::create_directories(path + ".tmp");
  EXPECT_ERROR(save_model_file(*model, preset_spec("mlp-256").fit, path), "cannot write");
  EXPECT_EQ(testing::read_text(path), "previous contents");
}

}  // namespace
}  // namespace digitrain
