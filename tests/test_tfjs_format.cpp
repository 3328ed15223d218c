// TF.js Layers files: what we write, round trips, the forms TF.js and Keras' converter
// write (nested model_config, several shards, optimizer weights), and every bad input
// with its message. The same files against real TF.js: tests/tfjs/roundtrip.test.mjs.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <map>

#include "model/presets.h"
#include "model/tfjs_format.h"
#include "test_support.h"
#include "training/trainer.h"

namespace digitrain {
namespace {

using nlohmann::json;
using Files = std::map<std::string, std::vector<uint8_t>>;

// Shards from memory, as the page will hand them over.
WeightsFileReader reader_of(const Files& files) {
  return [files](const std::string& path) {
    const auto found = files.find(path);
    if (found == files.end()) throw Error("cannot open " + path + ": no such file");
    return found->second;
  };
}

std::unique_ptr<Sequential> trained(const std::string& preset, uint64_t seed = 5) {
  auto model = build_model(preset_spec(preset), seed);
  Trainer(*model, head(all_of(testing::real_mnist().train), 320), std::nullopt, {32, 1, true, seed}).fit();
  return model;
}

std::vector<float> predictions(Sequential& model, int n = 50) {
  std::vector<float> probs(static_cast<size_t>(model.output_size()) * n);
  model.predict_images(testing::real_mnist().test.image(0), n, probs.data());
  return probs;
}

std::vector<uint8_t> bytes_of(const Param& p) {
  const auto* b = reinterpret_cast<const uint8_t*>(p.value);
  return std::vector<uint8_t>(b, b + sizeof(float) * p.size);
}

TEST(TfjsFormat, WritesTheFormatAsTfjsDoes) {
  auto model = build_model(preset_spec("cnn-16-8"), 1);
  const TfjsFiles files = model_to_tfjs(*model, preset_spec("cnn-16-8").fit);
  const json doc = json::parse(files.model_json);
  EXPECT_EQ(doc["format"], "layers-model");
  EXPECT_EQ(doc["generatedBy"], std::string("Digitrain ") + kDigitrainVersion);
  EXPECT_TRUE(doc["convertedBy"].is_null());
  const json& topology = doc["modelTopology"];
  EXPECT_EQ(topology["class_name"], "Sequential");
  EXPECT_EQ(topology["keras_version"], "tfjs-layers 4.22.0");
  EXPECT_EQ(topology["backend"], "tensor_flow.js");
  EXPECT_EQ(topology["config"]["name"], "cnn-16-8");
  const json& layers = topology["config"]["layers"];
  ASSERT_EQ(layers.size(), 4u);
  const json& conv = layers[0]["config"];
  EXPECT_EQ(layers[0]["class_name"], "Conv2D");
  EXPECT_EQ(conv["batch_input_shape"], json::parse("[null, 28, 28, 1]"));
  EXPECT_EQ(conv["dtype"], "float32");
  EXPECT_EQ(conv["filters"], 16);
  EXPECT_EQ(conv["kernel_size"], json::parse("[3, 3]"));
  EXPECT_EQ(conv["strides"], json::parse("[1, 1]"));
  EXPECT_EQ(conv["padding"], "valid");
  EXPECT_EQ(conv["data_format"], "channels_last");
  EXPECT_EQ(conv["activation"], "relu");
  EXPECT_EQ(conv["use_bias"], true);
  EXPECT_EQ(conv["kernel_initializer"],
            json::parse(R"({"class_name": "VarianceScaling", "config": {"scale": 1, "mode": "fan_avg",
                            "distribution": "uniform", "seed": null}})"));
  EXPECT_EQ(conv["bias_initializer"], json::parse(R"({"class_name": "Zeros", "config": {}})"));
  EXPECT_FALSE(layers[1]["config"].contains("batch_input_shape"));
  EXPECT_EQ(layers[2]["class_name"], "Flatten");
  EXPECT_EQ(layers[3]["config"]["units"], 10);
  EXPECT_EQ(layers[3]["config"]["activation"], "softmax");

  const json& manifest = doc["weightsManifest"];
  ASSERT_EQ(manifest.size(), 1u);
  EXPECT_EQ(manifest[0]["paths"], json::array({"group1-shard1of1.bin"}));
  EXPECT_EQ(files.weights_path, "group1-shard1of1.bin");
  const json expected_weights = json::parse(R"([
    {"name": "conv2d/kernel", "shape": [3, 3, 1, 16], "dtype": "float32"},
    {"name": "conv2d/bias", "shape": [16], "dtype": "float32"},
    {"name": "conv2d_1/kernel", "shape": [3, 3, 16, 8], "dtype": "float32"},
    {"name": "conv2d_1/bias", "shape": [8], "dtype": "float32"},
    {"name": "dense/kernel", "shape": [4608, 10], "dtype": "float32"},
    {"name": "dense/bias", "shape": [10], "dtype": "float32"}])");
  EXPECT_EQ(manifest[0]["weights"], expected_weights);
  // The bytes: every weight, little-endian float32, in manifest order.
  std::vector<uint8_t> expected_bytes;
  for (const Param& p : model->params()) {
    const std::vector<uint8_t> b = bytes_of(p);
    expected_bytes.insert(expected_bytes.end(), b.begin(), b.end());
  }
  EXPECT_EQ(files.weights.size(), 4u * 47410);
  EXPECT_EQ(files.weights, expected_bytes);

  EXPECT_EQ(doc["userDefinedMetadata"]["digitrain"]["fit"]["pixel_scale"], 1.0);
  EXPECT_EQ(doc["trainingConfig"]["loss"], "categorical_crossentropy");
  EXPECT_EQ(doc["trainingConfig"]["optimizer_config"]["class_name"], "Adam");
}

TEST(TfjsFormat, SaveThenLoadPredictsTheSame) {
  const testing::TempDir dir;
  for (const std::string& name : preset_names()) {
    const ModelSpec spec = preset_spec(name);
    auto model = trained(name);
    save_tfjs_dir(*model, spec.fit, dir.file(name));
    const LoadedModel loaded = load_tfjs_file(dir.file(name + "/model.json"));
    EXPECT_EQ(predictions(*model), predictions(*loaded.model)) << name;  // bit-exact: raw float32
    EXPECT_EQ(loaded.model->summary(), model->summary()) << name;
    EXPECT_EQ(fit_settings_to_json(loaded.spec.fit), fit_settings_to_json(spec.fit)) << name;
    EXPECT_EQ(loaded.model->loss(), model->loss()) << name;
    EXPECT_EQ(loaded.model->optimizer()->to_json(), model->optimizer()->to_json()) << name;
    // Layer configs (initializers included) come back as they were.
    EXPECT_EQ(describe_model(*loaded.model, spec.fit), describe_model(*model, spec.fit)) << name;
  }
}

// Centered RMSprop goes out as TF.js' RMSProp with centered true and comes back centered (it
// was once read as Adam), through TF.js files and the model file alike.
TEST(TfjsFormat, CenteredRmspropSurvivesBothFormats) {
  for (const json& config : {json{{"learning_rate", 0.002}, {"rho", 0.8}, {"momentum", 0.5}, {"centered", true}},
                             json{{"centered", true}}}) {
    auto model = build_model(preset_spec("mlp-128-128"), 1);
    model->set_optimizer(make_optimizer({{"class_name", "RMSprop"}, {"config", config}}));
    const json ours = model->optimizer()->to_json();
    ASSERT_EQ(ours["config"]["centered"], true);
    const TfjsFiles files = model_to_tfjs(*model, FitSettings{});
    const json doc = json::parse(files.model_json);
    EXPECT_EQ(doc["trainingConfig"]["optimizer_config"]["class_name"], "RMSProp");
    EXPECT_EQ(doc["trainingConfig"]["optimizer_config"]["config"]["centered"], true);
    const LoadedModel loaded = model_from_tfjs(files.model_json, reader_of({{files.weights_path, files.weights}}), "m");
    EXPECT_EQ(loaded.model->optimizer()->to_json(), ours);
    const LoadedModel reread = model_from_json_text(model_to_json_text(*model, FitSettings{}), "m.json");
    EXPECT_EQ(reread.model->optimizer()->to_json(), ours);
  }
}

// BatchNormalization's four weights, the moving statistics included, go through both files
// in TF.js' order and names; the summary counts as Keras does (4·C per layer, 2·C of them
// non-trainable), and the optimiser sees only gamma and beta.
TEST(TfjsFormat, BatchNormalizationKeepsItsMovingStatisticsInBothFormats) {
  const ModelSpec spec = parse_model_spec(json::parse(R"({"input_shape": [4], "layers": [
      {"class_name": "Dense", "config": {"units": 8}},
      {"class_name": "BatchNormalization", "config": {"name": "batch_normalization", "momentum": 0.5}},
      {"class_name": "Dense", "config": {"units": 2, "activation": "softmax"}}],
    "compile": {"optimizer": "adam"}})"),
                                          "m");
  auto model = build_model(spec, 3);
  const std::string summary = model->summary();
  const size_t line = summary.find(" batch_normalization (BatchNormalization) (None, 8) ");
  ASSERT_NE(line, std::string::npos) << summary;
  EXPECT_EQ(summary.substr(summary.find('\n', line) - 3, 4), " 32\n") << summary;
  EXPECT_NE(summary.find("Total params: 90\nTrainable params: 74\nNon-trainable params: 16\n"), std::string::npos)
      << summary;
  ASSERT_EQ(model->params().size(), 6u);  // kernel, bias, gamma, beta, kernel, bias
  ASSERT_EQ(model->weights().size(), 8u);
  // A few steps move the moving statistics away from 0 and 1 (and the optimiser leaves them be:
  // Adam would move a weight by about lr per step whatever its "gradient").
  const float x[] = {0.1f, 0.9f, 0.4f, 0.3f, 0.8f, 0.2f, 0.5f, 0.7f, 0.6f, 0.0f, 0.3f, 0.9f};
  const uint8_t labels[] = {0, 1, 1};
  model->reserve(3);
  for (int i = 0; i < 3; ++i) model->train_step(ConstMatrixView(x, 3, 4), labels);
  const Param& moving_mean = model->weights()[4];
  EXPECT_EQ(moving_mean.name, "batch_normalization/moving_mean");
  std::vector<float> batch_mean(8, 0.0f);
  const ConstMatrixView h = model->layers()[0]->forward(ConstMatrixView(x, 3, 4), /*training=*/false);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 8; ++c) batch_mean[c] += h(r, c) / 3;
  // momentum 0.5, three steps: moving = batch_mean·(1 - 0.5³) up to the step-to-step change of
  // the kernel (Adam's lr 0.001), so within 0.01 of it.
  for (int c = 0; c < 8; ++c) EXPECT_NEAR(moving_mean.value[c], 0.875f * batch_mean[c], 0.01f) << c;

  auto infer = [&](Sequential& m) {
    const ConstMatrixView p = m.forward(ConstMatrixView(x, 3, 4), /*training=*/false);
    return std::vector<float>(p.data(), p.data() + p.size());
  };
  const TfjsFiles files = model_to_tfjs(*model, spec.fit);
  const json doc = json::parse(files.model_json);
  std::vector<std::string> names;
  for (const json& w : doc["weightsManifest"][0]["weights"]) names.push_back(w["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"dense/kernel", "dense/bias", "batch_normalization/gamma",
                                             "batch_normalization/beta", "batch_normalization/moving_mean",
                                             "batch_normalization/moving_variance", "dense_2/kernel",
                                             "dense_2/bias"}));
  LoadedModel from_tfjs = model_from_tfjs(files.model_json, reader_of({{files.weights_path, files.weights}}), "m");
  LoadedModel from_file = model_from_json_text(model_to_json_text(*model, spec.fit), "m.json");
  for (LoadedModel* loaded : {&from_tfjs, &from_file}) {
    loaded->model->reserve(3);
    EXPECT_EQ(infer(*loaded->model), infer(*model));  // bit-exact: the moving statistics came back
    EXPECT_EQ(loaded->model->summary(), summary);
  }
  // A file without the moving statistics is refused by name.
  json partial = doc;
  json& weights = partial["weightsManifest"][0]["weights"];
  weights.erase(weights.begin() + 5);
  EXPECT_ERROR(model_from_tfjs(partial.dump(), reader_of({{files.weights_path, files.weights}}), "m"),
               "no 'batch_normalization/moving_variance'");
}

// What tensorflowjs_converter makes of a Keras 2 Sequential model: the model config nested
// in modelTopology with Keras' training_config, an InputLayer first, Keras' layer keys,
// weights split over two shards (cut inside a weight), listed in their own order.
TEST(TfjsFormat, ReadsTheConvertersNestedFormFromTwoShards) {
  auto model = trained("mlp-128-128");
  const json layers = json::parse(R"([
    {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 28, 28], "dtype": "float32",
      "sparse": false, "ragged": false, "name": "flatten_input"}},
    {"class_name": "Flatten", "config": {"name": "flatten", "trainable": true, "dtype": "float32",
      "batch_input_shape": [null, 28, 28], "data_format": "channels_last"}},
    {"class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 128,
      "activation": "relu", "use_bias": true,
      "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
      "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
      "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}},
    {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "dtype": "float32", "units": 128,
      "activation": "relu", "use_bias": true,
      "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
      "bias_initializer": {"class_name": "Zeros", "config": {}},
      "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.01}}, "bias_regularizer": null,
      "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}},
    {"class_name": "Dense", "config": {"name": "dense_2", "trainable": true, "dtype": "float32", "units": 10,
      "activation": "softmax", "use_bias": true,
      "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
      "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
      "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}
  ])");
  const json training_config = json::parse(R"({
    "loss": "sparse_categorical_crossentropy",
    "metrics": [[{"class_name": "MeanMetricWrapper", "config": {"name": "accuracy", "dtype": "float32"}}]],
    "weighted_metrics": null, "loss_weights": null,
    "optimizer_config": {"class_name": "Adam", "config": {"name": "Adam", "learning_rate": 0.002, "decay": 0.0,
      "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}}})");
  // The manifest lists the biases first, with the model's name in front.
  std::vector<Param> order;
  for (const Param& p : model->params())
    if (p.name.find("/bias") != std::string::npos) order.push_back(p);
  for (const Param& p : model->params())
    if (p.name.find("/kernel") != std::string::npos) order.push_back(p);
  json weights = json::array();
  std::vector<uint8_t> bin;
  for (const Param& p : order) {
    weights.push_back({{"name", "sequential/" + p.name}, {"shape", p.shape}, {"dtype", "float32"}});
    const std::vector<uint8_t> b = bytes_of(p);
    bin.insert(bin.end(), b.begin(), b.end());
  }
  const size_t cut = bin.size() / 2 + 3;  // not on a float boundary
  const Files files = {{"group1-shard1of2.bin", std::vector<uint8_t>(bin.begin(), bin.begin() + cut)},
                       {"group1-shard2of2.bin", std::vector<uint8_t>(bin.begin() + cut, bin.end())}};
  const json doc = {
      {"format", "layers-model"},
      {"generatedBy", "keras v2.15.0"},
      {"convertedBy", "TensorFlow.js Converter v4.22.0"},
      {"modelTopology",
       {{"keras_version", "2.15.0"},
        {"backend", "tensorflow"},
        {"model_config", {{"class_name", "Sequential"}, {"config", {{"name", "sequential"}, {"layers", layers}}}}},
        {"training_config", training_config}}},
      {"weightsManifest",
       json::array({{{"paths", {"group1-shard1of2.bin", "group1-shard2of2.bin"}}, {"weights", weights}}})}};

  const LoadedModel loaded = model_from_tfjs(doc.dump(), reader_of(files), "keras/model.json");
  EXPECT_EQ(predictions(*loaded.model), predictions(*model));
  EXPECT_EQ(loaded.model->param_count(), model->param_count());
  EXPECT_EQ(loaded.spec.name, "sequential");
  EXPECT_EQ(loaded.model->loss(), LossKind::sparse_categorical_crossentropy);
  EXPECT_STREQ(loaded.model->optimizer()->class_name(), "Adam");
  EXPECT_FLOAT_EQ(loaded.model->optimizer()->learning_rate(), 0.002f);
  EXPECT_FLOAT_EQ(loaded.spec.fit.pixel_scale, 255.0f);  // no Digitrain metadata: MNIST scaled to [0, 1]

  // A missing second shard, and a first shard cut short.
  Files missing = files;
  missing.erase("group1-shard2of2.bin");
  EXPECT_ERROR(model_from_tfjs(doc.dump(), reader_of(missing), "keras/model.json"),
               "keras/model.json: weights file 'group1-shard2of2.bin': cannot open group1-shard2of2.bin");
  Files short_first = files;
  short_first["group1-shard1of2.bin"].resize(cut - 8);
  EXPECT_ERROR(model_from_tfjs(doc.dump(), reader_of(short_first), "keras/model.json"),
               "keras/model.json: weights files group1-shard1of2.bin + group1-shard2of2.bin hold " +
                   std::to_string(bin.size() - 8) + " bytes, the manifest's weights need " +
                   std::to_string(bin.size()) + " (truncated?)");
}

// Older and newer Keras: the config as a bare layer list (before Keras 2.2.3); Keras 3's
// batch_shape, dtype policies and module keys.
TEST(TfjsFormat, ReadsOlderAndNewerKerasTopologies) {
  auto model = trained("mlp-256");
  const TfjsFiles ours = model_to_tfjs(*model, preset_spec("mlp-256").fit);
  const Files files = {{ours.weights_path, ours.weights}};
  json doc = json::parse(ours.model_json);
  doc.erase("userDefinedMetadata");
  const json layers = doc["modelTopology"]["config"]["layers"];

  json bare = doc;
  bare["modelTopology"]["config"] = layers;
  const LoadedModel from_bare = model_from_tfjs(bare.dump(), reader_of(files), "old/model.json");
  EXPECT_EQ(predictions(*from_bare.model), predictions(*model));
  EXPECT_EQ(from_bare.spec.name, "sequential");

  json keras3 = doc;
  json k3_layers = json::array();
  k3_layers.push_back(json::parse(R"({"module": "keras.layers", "class_name": "InputLayer", "registered_name": null,
    "config": {"batch_shape": [null, 784], "dtype": "float32", "sparse": false, "name": "input_layer"}})"));
  for (json layer : layers) {
    layer["config"].erase("batch_input_shape");
    layer["config"]["dtype"] = json::parse(R"({"module": "keras", "class_name": "DTypePolicy",
      "config": {"name": "float32"}, "registered_name": null})");
    layer["config"]["lora_rank"] = nullptr;
    layer["module"] = "keras.layers";
    layer["registered_name"] = nullptr;
    k3_layers.push_back(layer);
  }
  keras3["modelTopology"]["config"]["layers"] = k3_layers;
  const LoadedModel from_keras3 = model_from_tfjs(keras3.dump(), reader_of(files), "new/model.json");
  EXPECT_EQ(predictions(*from_keras3.model), predictions(*model));
}

// What TF.js' model.save writes with includeOptimizer: TF.js' camelCase optimizer config,
// the optimizer's own weights after the model's, TF.js' default glorot_normal initializer
// (which we do not implement; the file's weights replace it anyway), a "./" path.
TEST(TfjsFormat, ReadsWhatTfjsSaveWrites) {
  auto model = trained("mlp-300-100");
  const TfjsFiles ours = model_to_tfjs(*model, preset_spec("mlp-300-100").fit);
  json doc = json::parse(ours.model_json);
  doc.erase("userDefinedMetadata");
  doc["trainingConfig"] = json::parse(R"({"loss": "sparseCategoricalCrossentropy", "metrics": ["accuracy"],
    "optimizer_config": {"class_name": "Momentum",
                         "config": {"learningRate": 0.05, "momentum": 0.9, "useNesterov": true}}})");
  for (json& layer : doc["modelTopology"]["config"]["layers"])
    if (layer["class_name"] == "Dense")
      layer["config"]["kernel_initializer"] = json::parse(R"({"class_name": "VarianceScaling",
        "config": {"scale": 1, "mode": "fan_avg", "distribution": "normal", "seed": null}})");
  json& manifest = doc["weightsManifest"][0];
  manifest["paths"] = {"./model.weights.bin"};
  manifest["weights"].push_back(
      json::parse(R"({"name": "iter", "shape": [], "dtype": "int32", "group": "optimizer"})"));
  manifest["weights"].push_back(json::parse(
      R"({"name": "outputLayer/bias/accumulator", "shape": [10], "dtype": "float32", "group": "optimizer"})"));
  std::vector<uint8_t> bin = ours.weights;
  bin.resize(bin.size() + 4 + 40, 0);
  const LoadedModel loaded = model_from_tfjs(doc.dump(), reader_of({{"./model.weights.bin", bin}}), "tfjs/model.json");
  EXPECT_EQ(predictions(*loaded.model), predictions(*model));
  EXPECT_EQ(loaded.model->optimizer()->to_json(),
            json::parse(R"({"class_name": "SGD", "config": {"learning_rate": 0.05000000074505806,
                            "momentum": 0.8999999761581421, "nesterov": true}})"));
  EXPECT_EQ(loaded.model->loss(), LossKind::sparse_categorical_crossentropy);
  // glorot_normal fell back to our default.
  EXPECT_EQ(loaded.spec.layers[1]["config"].count("kernel_initializer"), 0u);
}

TEST(TfjsFormat, TellsTfjsFilesFromOurs) {
  auto model = build_model(preset_spec("mlp-256"), 1);
  EXPECT_TRUE(is_tfjs_model_json(model_to_tfjs(*model, preset_spec("mlp-256").fit).model_json));
  EXPECT_FALSE(is_tfjs_model_json(model_to_json_text(*model, preset_spec("mlp-256").fit)));
  EXPECT_FALSE(is_tfjs_model_json("{\"modelTopology\": "));
  EXPECT_FALSE(is_tfjs_model_json("[1, 2]"));
}

TEST(TfjsFormat, BadFilesSayWhichFileAndWhatIsWrong) {
  auto model = trained("mlp-256");
  const TfjsFiles good = model_to_tfjs(*model, preset_spec("mlp-256").fit);
  const Files files = {{good.weights_path, good.weights}};
  auto load = [&](const std::string& text, const Files& with = {}) {
    return model_from_tfjs(text, reader_of(with.empty() ? files : with), "m/model.json");
  };
  auto edited = [&](const std::function<void(json&)>& edit) {
    json d = json::parse(good.model_json);
    edit(d);
    return d.dump();
  };
  auto dense = [](json& d) -> json& { return d["modelTopology"]["config"]["layers"][0]["config"]; };
  auto weight = [](json& d, int i) -> json& { return d["weightsManifest"][0]["weights"][i]; };

  // The model the user already has stays as it was through every failure below.
  LoadedModel kept = load(good.model_json);
  const std::vector<float> kept_predictions = predictions(*kept.model);

  // Malformed JSON, other formats, other models.
  EXPECT_ERROR(kept = load(good.model_json.substr(0, good.model_json.size() / 2)),
               "m/model.json: not valid JSON at byte");
  EXPECT_ERROR(kept = load(edited([](json& d) { d["format"] = "graph-model"; })),
               "m/model.json: format \"graph-model\" is not supported (Digitrain reads TF.js Layers models");
  EXPECT_ERROR(kept = load(edited([](json& d) { d.erase("modelTopology"); })), "m/model.json: no 'modelTopology'");
  EXPECT_ERROR(kept = load(edited([](json& d) { d["modelTopology"]["class_name"] = "Functional"; })),
               "m/model.json: model class 'Functional' is not supported (Digitrain reads Sequential models)");
  EXPECT_ERROR(kept = load(edited([](json& d) { d.erase("weightsManifest"); })), "m/model.json: no 'weightsManifest'");
  EXPECT_ERROR(kept = load(edited([&](json& d) { dense(d).erase("batch_input_shape"); })),
               "m/model.json: no input shape (expected an InputLayer or batch_input_shape on the first layer)");

  // Layers, activations and options we do not implement: named, with the layer.
  EXPECT_ERROR(kept = load(edited([](json& d) {
                 d["modelTopology"]["config"]["layers"].insert(d["modelTopology"]["config"]["layers"].begin() + 1,
                                                               json::parse(R"({"class_name": "GaussianNoise",
                                                                 "config": {"name": "noise", "stddev": 0.2}})"));
               })),
               "m/model.json: layer 'noise': layer type 'GaussianNoise' is not supported");
  EXPECT_ERROR(kept = load(edited([&](json& d) { dense(d)["activation"] = "swish"; })),
               "m/model.json: layer 'dense': activation 'swish' is not supported (supported: linear, relu, softmax, "
               "sigmoid, tanh, elu, selu, softplus)");
  EXPECT_ERROR(kept = load(edited([&](json& d) { dense(d)["dtype"] = "float16"; })),
               "m/model.json: layer 'dense': dtype 'float16' is not supported");
  EXPECT_ERROR(kept = load(edited([&](json& d) { dense(d)["lora_rank"] = 4; })),
               "m/model.json: layer 'dense': option 'lora_rank' (4) is not supported");
  json cnn =
      json::parse(model_to_tfjs(*build_model(preset_spec("cnn-16-8"), 1), preset_spec("cnn-16-8").fit).model_json);
  auto conv_with = [&](const char* key, const json& value) {
    json d = cnn;
    d["modelTopology"]["config"]["layers"][0]["config"][key] = value;
    return d.dump();
  };
  EXPECT_ERROR(load(conv_with("padding", "causal")),
               "m/model.json: layer 'conv2d': padding=\"causal\" is not supported");
  EXPECT_ERROR(load(conv_with("strides", {2, 0})),
               "m/model.json: layer 'conv2d': 'strides' must be a positive integer");
  // Strides the file's weights do not fit: named by the weight's shape.
  EXPECT_ERROR(load(conv_with("strides", {2, 2})),
               "m/model.json: weight 'dense/kernel' has shape [4608,10], the topology needs [968,10]");
  EXPECT_ERROR(load(conv_with("dilation_rate", {2, 2})), "layer 'conv2d': dilation_rate=[2,2] is not supported");
  EXPECT_ERROR(load(conv_with("data_format", "channels_first")),
               "layer 'conv2d': data_format=\"channels_first\" is not supported");
  EXPECT_ERROR(load(conv_with("groups", 2)), "layer 'conv2d': groups=2 is not supported (only 1)");

  // The manifest: dtypes, names, shapes against the topology, absurd sizes.
  EXPECT_ERROR(kept = load(edited([&](json& d) { weight(d, 1)["dtype"] = "float64"; })),
               "m/model.json: weight 'dense/bias': dtype 'float64' is not supported (Digitrain reads float32 weights)");
  EXPECT_ERROR(kept = load(edited([&](json& d) {
                 weight(d, 0)["quantization"] = {{"dtype", "uint8"}};
               })),
               "m/model.json: weight 'dense/kernel' is quantized (uint8)");
  EXPECT_ERROR(kept = load(edited([&](json& d) {
                 weight(d, 0)["shape"] = {784, 255};
               })),
               "m/model.json: weight 'dense/kernel' has shape [784,255], the topology needs [784,256]");
  EXPECT_ERROR(kept = load(edited([&](json& d) { weight(d, 1)["name"] = "dense_7/bias"; })),
               "m/model.json: the weights manifest has no 'dense/bias' (shape [256]), which the topology needs");
  EXPECT_ERROR(kept = load(edited([&](json& d) {
                 d["weightsManifest"][0]["weights"].push_back(
                     {{"name", "dense_9/kernel"}, {"shape", {1}}, {"dtype", "float32"}});
               })),
               "m/model.json: weight 'dense_9/kernel' belongs to no layer of the model");
  EXPECT_ERROR(kept = load(edited([&](json& d) {
                 weight(d, 0)["shape"] = {784, 1LL << 31};
               })),
               "m/model.json: weight 'dense/kernel': shape [784,2147483648] must hold sizes from 0 to 2^28");
  EXPECT_ERROR(kept = load(edited([&](json& d) {
                 weight(d, 0)["shape"] = {1 << 16, 1 << 16};
               })),
               "m/model.json: weight 'dense/kernel': shape [65536,65536] holds more than 2^28 values");
  EXPECT_ERROR(kept = load(edited([&](json& d) {
                 weight(d, 0)["shape"] = {-784, 256};
               })),
               "weight 'dense/kernel': shape [-784,256] must hold sizes");
  EXPECT_ERROR(kept = load(edited([&](json& d) { dense(d)["units"] = 1LL << 31; })),
               "m/model.json: layer 'dense': 'units' must be a positive integer, got 2147483648");
  // A Dense of 2^20 units is one the layer accepts; its 784 x 2^20 kernel is refused, unallocated.
  EXPECT_ERROR(kept = load(edited([&](json& d) { dense(d)["units"] = 1 << 20; })),
               "m/model.json: layer 'dense' (Dense): a 784 x 1048576 kernel is larger than this build allows");
  EXPECT_ERROR(load(conv_with("batch_input_shape", {nullptr, 65536, 256, 1})),
               "m/model.json: layer 'conv2d' (Conv2D): its output [65534,254,16] is larger than this build allows "
               "per image");
  EXPECT_ERROR(kept = load(edited([](json& d) { d["weightsManifest"][0]["paths"] = {"../../etc/passwd"}; })),
               "m/model.json: weights path '../../etc/passwd' must name a file beside model.json");

  // The weight files: missing, truncated, too long, sizes that disagree with the shapes.
  EXPECT_ERROR(kept = load(good.model_json, {{"other.bin", good.weights}}),
               "m/model.json: weights file 'group1-shard1of1.bin': cannot open group1-shard1of1.bin");
  std::vector<uint8_t> truncated(good.weights.begin(), good.weights.end() - 100);
  EXPECT_ERROR(kept = load(good.model_json, {{good.weights_path, truncated}}),
               "m/model.json: weights file group1-shard1of1.bin holds " + std::to_string(truncated.size()) +
                   " bytes, the manifest's weights need " + std::to_string(good.weights.size()) + " (truncated?)");
  std::vector<uint8_t> longer = good.weights;
  longer.push_back(0);
  EXPECT_ERROR(kept = load(good.model_json, {{good.weights_path, longer}}),
               "m/model.json: weights file 'group1-shard1of1.bin' brings group1-shard1of1.bin to " +
                   std::to_string(longer.size()) + " bytes; the manifest's weights for them take " +
                   std::to_string(good.weights.size()));
  // 255 units throughout: topology and manifest agree, the file holds 256 units' bytes.
  EXPECT_ERROR(
      kept = load(edited([&](json& d) {
        dense(d)["units"] = 255;
        weight(d, 0)["shape"] = {784, 255};
        weight(d, 1)["shape"] = {255};
        weight(d, 2)["shape"] = {255, 10};
      })),
      "bytes; the manifest's weights for them take " + std::to_string(good.weights.size() - 4 * (784 + 1 + 10)));

  // Values: NaN and Inf, found and placed.
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    std::vector<uint8_t> poisoned = good.weights;
    std::memcpy(poisoned.data() + 4 * (784 * 256 + 1), &bad, 4);  // dense/bias[1]
    EXPECT_ERROR(kept = load(good.model_json, {{good.weights_path, poisoned}}),
                 std::string("m/model.json: weight 'dense/bias' (in group1-shard1of1.bin) has a non-finite value (") +
                     (std::isnan(bad) ? "NaN" : "Inf") + ") at index 1");
  }

  EXPECT_EQ(predictions(*kept.model), kept_predictions);
  EXPECT_EQ(predictions(*kept.model), predictions(*model));
}

TEST(TfjsFormat, FilesOnDiskMissingOrUnwritable) {
  const testing::TempDir dir;
  auto model = build_model(preset_spec("mlp-256"), 1);
  save_tfjs_dir(*model, preset_spec("mlp-256").fit, dir.file("saved"));
  std::filesystem::remove(dir.file("saved/group1-shard1of1.bin"));
  EXPECT_ERROR(load_tfjs_file(dir.file("saved/model.json")), dir.file("saved/model.json") +
                                                                 ": weights file 'group1-shard1of1.bin': cannot open " +
                                                                 dir.file("saved/group1-shard1of1.bin"));
  EXPECT_ERROR(load_tfjs_file(dir.file("nowhere/model.json")), "cannot open " + dir.file("nowhere/model.json"));
  testing::write_text(dir.file("a-file"), "not a folder");
  EXPECT_ERROR(save_tfjs_dir(*model, preset_spec("mlp-256").fit, dir.file("a-file/sub")), "cannot create folder");
}

}  // namespace
}  // namespace digitrain
