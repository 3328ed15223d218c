// Sequential::train_step against the plain sequence it replaces: compute_gradients, then
// the optimiser's step over every parameter. Plain SGD is applied inside Dense's backward
// (the weight-gradient GEMM accumulates -rate·xᵀ·dz into W); a Conv2D leaves its update
// to the optimiser. Both must give the weights the plain sequence gives.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "data/batch.h"
#include "model/model_spec.h"
#include "model/presets.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "test_support.h"

namespace digitrain {
namespace {

constexpr int kBatch = 16;

struct Batch {
  std::vector<float> x;
  std::vector<uint8_t> labels;
};

// Real training images [first, first + kBatch), scaled as the preset scales them.
Batch mnist_batch(const Sequential& model, int first) {
  const Mnist& mnist = testing::real_mnist();
  Batch b{std::vector<float>(static_cast<size_t>(kBatch) * mnist.train.features()), std::vector<uint8_t>(kBatch)};
  gather_range(all_of(mnist.train), first, kBatch, model.scaler(), b.x.data(), b.labels.data());
  return b;
}

ConstMatrixView view(const Batch& b, const Sequential& model) {
  return ConstMatrixView(b.x.data(), kBatch, model.input_size());
}

std::vector<float> weights(Sequential& model) {
  std::vector<float> all;
  for (const Param& p : model.params()) all.insert(all.end(), p.value, p.value + p.size);
  return all;
}

std::vector<float> gradients(Sequential& model) {
  std::vector<float> all;
  for (const Param& p : model.params()) all.insert(all.end(), p.grad, p.grad + p.size);
  return all;
}

// The same float computations in another order (and FMA natively) round differently:
// a few ulps of the values, never a wrong update (one step moves weights by ~1e-3).
void expect_close(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (!(std::fabs(got[i] - want[i]) <= 1e-6f + 1e-5f * std::fabs(want[i]))) {
      ++bad;
      ADD_FAILURE() << what << "[" << i << "] = " << got[i] << ", expected " << want[i];
    }
}

std::unique_ptr<Sequential> model_with(const std::string& preset, std::unique_ptr<Optimizer> optimizer) {
  auto model = build_model(preset_spec(preset), /*seed=*/5);
  model->set_optimizer(std::move(optimizer));
  return model;
}

// Three steps each way on the same batches; the weights must agree after every step.
void expect_train_step_matches_plain_steps(const std::string& preset, std::unique_ptr<Optimizer> fused,
                                           std::unique_ptr<Optimizer> plain) {
  auto a = model_with(preset, std::move(fused));
  auto b = model_with(preset, std::move(plain));
  const std::vector<float> start = weights(*a);
  for (int step = 0; step < 3; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    const Batch batch = mnist_batch(*a, step * kBatch);
    const BatchResult ra = a->train_step(view(batch, *a), batch.labels.data());
    const BatchResult rb = b->compute_gradients(view(batch, *b), batch.labels.data());
    b->optimizer()->step(b->params());
    EXPECT_NEAR(ra.loss, rb.loss, 1e-5 * rb.loss);
    EXPECT_EQ(ra.correct, rb.correct);
    expect_close(weights(*a), weights(*b), "weight");
  }
  EXPECT_NE(weights(*a), start) << "the steps changed nothing";
  EXPECT_EQ(a->optimizer()->iterations(), 3);
}

TEST(TrainStep, PlainSgdInsideDenseMatchesGradientsThenStep) {
  expect_train_step_matches_plain_steps("mlp-300-100", std::make_unique<Sgd>(0.05f), std::make_unique<Sgd>(0.05f));
}

TEST(TrainStep, PlainSgdWithConvLayersTheOptimiserUpdates) {
  expect_train_step_matches_plain_steps("cnn-16-8", std::make_unique<Sgd>(0.05f), std::make_unique<Sgd>(0.05f));
}

TEST(TrainStep, StatefulOptimisersUpdateEveryParameter) {
  expect_train_step_matches_plain_steps("mlp-128-128", std::make_unique<Sgd>(0.05f, 0.9f),
                                        std::make_unique<Sgd>(0.05f, 0.9f));
  expect_train_step_matches_plain_steps("mlp-256", std::make_unique<Adam>(), std::make_unique<Adam>());
}

// A rate changed between steps (the page's learning-rate control) takes effect at once.
TEST(TrainStep, FollowsALearningRateChangedBetweenSteps) {
  auto a = model_with("mlp-300-100", std::make_unique<Sgd>(0.05f));
  auto b = model_with("mlp-300-100", std::make_unique<Sgd>(0.05f));
  for (int step = 0; step < 2; ++step) {
    const float rate = step == 0 ? 0.05f : 0.2f;
    a->optimizer()->set_learning_rate(rate);
    b->optimizer()->set_learning_rate(rate);
    const Batch batch = mnist_batch(*a, step * kBatch);
    a->train_step(view(batch, *a), batch.labels.data());
    b->compute_gradients(view(batch, *b), batch.labels.data());
    b->optimizer()->step(b->params());
  }
  expect_close(weights(*a), weights(*b), "weight");
}

// After descending steps, compute_gradients writes gradients again and moves no weight.
TEST(TrainStep, ComputeGradientsAfterwardsStillLeavesGradients) {
  auto a = model_with("mlp-300-100", std::make_unique<Sgd>(0.05f));
  auto b = model_with("mlp-300-100", std::make_unique<Sgd>(0.05f));
  const Batch first = mnist_batch(*a, 0), second = mnist_batch(*a, kBatch);
  a->train_step(view(first, *a), first.labels.data());
  b->compute_gradients(view(first, *b), first.labels.data());
  b->optimizer()->step(b->params());

  const std::vector<float> before = weights(*a);
  a->compute_gradients(view(second, *a), second.labels.data());
  b->compute_gradients(view(second, *b), second.labels.data());
  EXPECT_EQ(weights(*a), before);
  expect_close(gradients(*a), gradients(*b), "gradient");
}

// A non-finite loss stops the step before backward: the weights and the optimiser's state
// stay as they were, whether the update is fused or not.
TEST(TrainStep, NonFiniteLossChangesNothing) {
  for (const bool plain_sgd : {true, false}) {
    SCOPED_TRACE(plain_sgd ? "SGD" : "Adam");
    auto model = model_with("mlp-300-100", plain_sgd ? std::unique_ptr<Optimizer>(std::make_unique<Sgd>(0.05f))
                                                     : std::unique_ptr<Optimizer>(std::make_unique<Adam>()));
    Batch batch = mnist_batch(*model, 0);
    batch.x[3] = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> before = weights(*model);
    const BatchResult r = model->train_step(view(batch, *model), batch.labels.data());
    EXPECT_FALSE(std::isfinite(r.loss));
    EXPECT_EQ(weights(*model), before);
    EXPECT_EQ(model->optimizer()->iterations(), 0);
  }
}

}  // namespace
}  // namespace digitrain
