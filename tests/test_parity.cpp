// The core against TF.js (our executable Keras reference): fixtures written by
// scripts/make-parity-fixtures.mjs with the cpu backend hold fixed weights and inputs,
// every layer's output, the loss, the gradients and the weights after one SGD and one
// Adam step. Each must match within |a-b| <= 1e-6 + 1e-5*|b|.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "model/model_spec.h"
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"
#include "test_support.h"

namespace digitrain {
namespace {

using nlohmann::json;

std::string fixture_dir() { return testing::source_path("build/fixtures/parity"); }

std::vector<std::string> fixture_names() {
  return {"dense_tiny",
          "dense_linear_categorical",
          "conv_tiny",
          "conv_no_bias",
          "pooling",
          "activations_dense",
          "activations_conv",
          "conv_strides_same",
          "batch_norm",
          "preset_mlp-300-100",
          "preset_mlp-128-128",
          "preset_cnn-16-8",
          "preset_mlp-256",
          "preset_keras-convnet",
          "preset_fashion-mlp-128",
          "preset_tfjs-convnet"};
}

json load_fixture(const std::string& name) {
  const std::string path = fixture_dir() + "/" + name + ".json";
  const std::string text = testing::read_text(path);
  if (text.empty()) ADD_FAILURE() << path << " is missing: run `node scripts/make-parity-fixtures.mjs` (npm test does)";
  return json::parse(text);
}

::testing::AssertionResult close(const float* actual, const std::vector<float>& expected, const std::string& what,
                                 double rel = 1e-5, double abs = 1e-6) {
  int bad = 0;
  double worst = 0.0;  // the largest share of the tolerance any value used
  std::ostringstream first;
  for (size_t i = 0; i < expected.size(); ++i) {
    const double a = actual[i], b = expected[i];
    worst = std::max(worst, std::fabs(a - b) / (abs + rel * std::fabs(b)));
    if (!(std::fabs(a - b) <= abs + rel * std::fabs(b))) {
      if (bad++ == 0) first << what << "[" << i << "]: " << a << " vs TF.js " << b;
    }
  }
  // DIGITRAIN_PARITY_SHARES=1 prints how close each comparison came to its tolerance.
  if (std::getenv("DIGITRAIN_PARITY_SHARES"))
    std::printf("parity share %s %s: %.3f\n", ::testing::UnitTest::GetInstance()->current_test_info()->name(),
                what.c_str(), worst);
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << bad << " of " << expected.size() << " values differ; first " << first.str();
}

struct Case {
  json fixture;
  ModelSpec spec;
  std::unique_ptr<Sequential> model;
  Matrix x;
  std::vector<uint8_t> labels;

  explicit Case(const std::string& name) : fixture(load_fixture(name)) {
    spec = parse_model_spec(fixture["model"], name);
    model = build_model(spec, 0);
    const int batch = fixture["batch"].get<int>();
    const auto xs = fixture["x"].get<std::vector<float>>();
    x = Eigen::Map<const Matrix>(xs.data(), batch, model->input_size());
    for (int label : fixture["y"].get<std::vector<int>>()) labels.push_back(static_cast<uint8_t>(label));
    model->reserve(batch);
    reset_weights();
  }

  // Every weight, BatchNormalization's moving statistics included (the fixture's order is TF.js').
  void reset_weights() {
    std::vector<Param> params = model->weights();
    const json& weights = fixture["weights"];
    ASSERT_EQ(weights.size(), params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      ASSERT_EQ(weights[i]["name"].get<std::string>(), params[i].name);
      ASSERT_EQ(weights[i]["shape"].get<Shape>(), params[i].shape);
      const auto values = weights[i]["values"].get<std::vector<float>>();
      ASSERT_EQ(static_cast<long>(values.size()), params[i].size);
      std::copy(values.begin(), values.end(), params[i].value);
    }
  }

  ConstMatrixView input() const { return ConstMatrixView(x.data(), x.rows(), x.cols()); }
};

class Parity : public ::testing::TestWithParam<std::string> {};

TEST_P(Parity, LayerOutputsMatchTfjs) {
  Case c(GetParam());
  const json& outputs = c.fixture["layer_outputs"];
  ASSERT_EQ(outputs.size(), c.model->layers().size());
  const float* h = c.x.data();
  long cols = c.x.cols();
  for (size_t i = 0; i < outputs.size(); ++i) {
    Layer& layer = *c.model->layers()[i];
    const ConstMatrixView out = layer.forward(ConstMatrixView(h, c.x.rows(), cols), /*training=*/true);
    h = out.data();
    cols = out.cols();
    EXPECT_TRUE(close(h, outputs[i].get<std::vector<float>>(), layer.name()));
  }
}

// Inference: BatchNormalization uses the moving statistics (drawn at random in the fixture).
TEST_P(Parity, InferenceOutputMatchesTfjs) {
  Case c(GetParam());
  const ConstMatrixView probs = c.model->forward(c.input(), /*training=*/false);
  EXPECT_TRUE(close(probs.data(), c.fixture["inference_output"].get<std::vector<float>>(), "inference"));
}

TEST_P(Parity, LossAndAccuracyMatchTfjs) {
  Case c(GetParam());
  ConstMatrixView probs = c.model->forward(c.input(), /*training=*/true);
  const double loss = cross_entropy(c.model->loss(), probs, c.labels.data());
  EXPECT_NEAR(loss, c.fixture["loss"].get<double>(), 1e-6 + 1e-5 * std::fabs(c.fixture["loss"].get<double>()));
  EXPECT_DOUBLE_EQ(static_cast<double>(count_correct(probs, c.labels.data())) / c.labels.size(),
                   c.fixture["accuracy"].get<double>());
}

TEST_P(Parity, GradientsMatchTfjs) {
  Case c(GetParam());
  c.model->compute_gradients(c.input(), c.labels.data());
  const std::vector<Param> params = c.model->params();
  for (size_t i = 0; i < params.size(); ++i)
    EXPECT_TRUE(close(params[i].grad, c.fixture["gradients"][i].get<std::vector<float>>(), params[i].name));
}

TEST_P(Parity, OneSgdStepMatchesTfjs) {
  Case c(GetParam());
  const json& sgd = c.fixture["sgd"];
  Sgd optimizer(sgd["learning_rate"].get<float>());
  c.model->compute_gradients(c.input(), c.labels.data());
  optimizer.step(c.model->params());
  // Every weight: the moving statistics moved once, in the step's forward pass.
  const std::vector<Param> weights = c.model->weights();
  for (size_t i = 0; i < weights.size(); ++i)
    EXPECT_TRUE(close(weights[i].value, sgd["weights_after"][i].get<std::vector<float>>(), weights[i].name));
}

// TF.js adds Adam's epsilon after bias correction, Keras (and we) before; the two agree
// where |g| is well above epsilon, and both leave a weight with g == 0 unchanged. Only
// those entries are compared (the fixtures make most gradients large).
TEST_P(Parity, OneAdamStepMatchesTfjsWhereTheRulesAgree) {
  Case c(GetParam());
  const json& adam = c.fixture["adam"];
  Adam optimizer(adam["learning_rate"].get<float>(), adam["beta_1"].get<float>(), adam["beta_2"].get<float>(),
                 adam["epsilon"].get<float>());
  c.model->compute_gradients(c.input(), c.labels.data());
  // Every weight; the moving statistics (no gradient) are compared in full.
  const std::vector<Param> params = c.model->weights();
  std::vector<std::vector<float>> grads;
  for (const Param& p : params)
    grads.push_back(p.grad ? std::vector<float>(p.grad, p.grad + p.size) : std::vector<float>(p.size, 1.0f));
  optimizer.step(c.model->params());
  long compared = 0, total = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    const auto expected = adam["weights_after"][i].get<std::vector<float>>();
    std::vector<float> actual(expected.size()), wanted(expected.size());
    size_t n = 0;
    for (size_t j = 0; j < expected.size(); ++j) {
      const float g = std::fabs(grads[i][j]);
      ++total;
      if (g != 0.0f && g < 1e-2f) continue;
      actual[n] = params[i].value[j];
      wanted[n++] = expected[j];
    }
    compared += n;
    wanted.resize(n);
    EXPECT_TRUE(close(actual.data(), wanted, params[i].name));
  }
  EXPECT_GT(compared, total / 10) << "too few gradients above 1e-2 to compare the Adam step";
}

// RMSprop and Adagrad: one step, then the weights after `steps` steps, each on fresh gradients
// of the same batch (TF.js' trainOnBatch called that many times), so that the accumulators are
// compared too. Both put epsilon where TF.js does, so every entry is compared.
void expect_steps_match(Case& c, const json& expected, Optimizer& optimizer) {
  const int steps = expected["steps"].get<int>();
  ASSERT_GE(steps, 2);
  for (int step = 1; step <= steps; ++step) {
    c.model->compute_gradients(c.input(), c.labels.data());
    optimizer.step(c.model->params());
    const std::vector<Param> params = c.model->weights();
    if (step != 1 && step != steps) continue;
    const json& after = expected[step == 1 ? "weights_after" : "weights_after_steps"];
    for (size_t i = 0; i < params.size(); ++i)
      EXPECT_TRUE(close(params[i].value, after[i].get<std::vector<float>>(), params[i].name)) << "after step " << step;
  }
}

// The cases whose fixtures follow the stateful optimizers (the generator's `stateful`).
std::vector<std::string> stateful_fixture_names() {
  return {"dense_tiny",        "dense_linear_categorical", "conv_tiny",         "conv_no_bias",       "pooling",
          "activations_dense", "activations_conv",         "conv_strides_same", "batch_norm",
          "preset_tfjs-convnet"};
}

class StatefulParity : public ::testing::TestWithParam<std::string> {};

TEST_P(StatefulParity, RmspropStepsMatchTfjs) {
  for (const char* which : {"rmsprop", "rmsprop_momentum", "rmsprop_centered", "rmsprop_centered_momentum"}) {
    SCOPED_TRACE(which);
    if (std::getenv("DIGITRAIN_PARITY_SHARES")) std::printf("parity optimizer %s\n", which);
    Case c(GetParam());
    const json& r = c.fixture[which];
    RmsProp optimizer(r["learning_rate"].get<float>(), r["rho"].get<double>(), r["momentum"].get<float>(),
                      r["epsilon"].get<float>(), r.value("centered", false));
    expect_steps_match(c, r, optimizer);
  }
}

TEST_P(StatefulParity, AdagradStepsMatchTfjs) {
  Case c(GetParam());
  const json& a = c.fixture["adagrad"];
  Adagrad optimizer(a["learning_rate"].get<float>(), a["initial_accumulator_value"].get<float>(),
                    a["epsilon"].get<float>());
  expect_steps_match(c, a, optimizer);
}

// A case the generator writes but nobody lists here would never be compared (pooling and
// keras-convnet were, for a session).
TEST(ParityFixtures, EveryGeneratedCaseIsCompared) {
  const std::vector<std::string> listed = fixture_names();
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fixture_dir())) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    const std::string name = entry.path().stem().string();
    EXPECT_NE(std::find(listed.begin(), listed.end(), name), listed.end()) << name << ".json is not in fixture_names()";
  }
  EXPECT_GE(files, static_cast<int>(listed.size()));
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char ch : info.param) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Parity, ::testing::ValuesIn(fixture_names()), test_name);
INSTANTIATE_TEST_SUITE_P(Fixtures, StatefulParity, ::testing::ValuesIn(stateful_fixture_names()), test_name);

}  // namespace
}  // namespace digitrain
