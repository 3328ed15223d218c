// Every backward pass against central differences of its forward pass, plus one
// hand-computed case per layer type. Built and run natively and in WASM under Node.
//
// A layer is checked through the objective L = Σ r ⊙ y with a fixed random r: then
// dL/dy = r, so backward(r) must return dL/dx and leave dL/dW, dL/db in params(). The
// model is checked through its own loss. Objectives are summed in double; the layers
// themselves compute in float32.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/random.h"
#include "keras/layer_class.h"
#include "layers/activation.h"
#include "layers/batch_norm.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "layers/dropout.h"
#include "layers/flatten.h"
#include "layers/pooling2d.h"
#include "layers/relu.h"
#include "loss/cross_entropy.h"
#include "model/sequential.h"
#include "optim/sgd.h"

namespace digitrain {
namespace {

// ---- Tolerances --------------------------------------------------------------------------
//
// An entry passes when |analytic - numeric| <= kAbsTol + kRelTol·max(|analytic|, |numeric|).
// What the numeric side is worth, for a step h:
//  - Rounding: the forward runs in float32, so each output carries ~1e-7 relative error;
//    differencing two objectives and dividing by 2h turns that into roughly
//    1e-7·|y|·sqrt(#outputs moved) / 2h: ~1e-5 for the layers (h = 1e-2), up to ~1e-4 for
//    the losses (h = 1e-3 on probabilities and model weights; the loss's log() is float).
//  - Truncation: O(h²·f'''), zero for the linear layers and the ReLU (away from its kink),
//    and below 1e-4 relative for softmax (h = 1e-2) and for -log p with p >= 0.03 (h = 1e-3).
// Measured with correct code (native and WASM), the worst entry uses under 2% of its
// allowance in the layer and loss checks (errors up to ~1e-5) and about 7% in the model
// check (errors up to ~7e-5, from the float log in the loss). The gradients checked are
// O(0.1..1), so a flipped sign (error 2|g|), a missing term of the softmax Jacobian or of
// a convolution's overlapping windows (errors of O(|g|)) or a forgotten 1/batch exceed the
// allowance by one to two orders of magnitude.
constexpr double kAbsTol = 1e-3;
constexpr double kRelTol = 1e-2;

// Step for layer parameters and inputs (weights, inputs and biases all O(1)).
constexpr float kLayerStep = 1e-2f;

// ReLU is not differentiable at 0. A central difference whose two points straddle the kink
// measures the average of the two one-sided slopes, not either of them, and the check would
// fail on correct code (or, worse, pass on wrong code by luck). So every pre-activation of a
// ReLU is kept at least kKinkMargin from zero, and the steps are small enough that no
// perturbation can move one that far: with |x| <= 1, |W| <= 0.5 and h = 1e-2 a single layer's
// pre-activation moves at most 1e-2 (see also the model test, which uses a smaller step).
constexpr double kKinkMargin = 0.05;

bool close(double analytic, double numeric) {
  return std::fabs(analytic - numeric) <= kAbsTol + kRelTol * std::max(std::fabs(analytic), std::fabs(numeric));
}

void fill_uniform(Rng& rng, float* values, long size, float lo, float hi) {
  for (long i = 0; i < size; ++i) values[i] = rng.uniform(lo, hi);
}

std::vector<float> uniform_vector(Rng& rng, long size, float lo, float hi) {
  std::vector<float> v(static_cast<size_t>(size));
  fill_uniform(rng, v.data(), size, lo, hi);
  return v;
}

// Compares `analytic` with central differences of `objective` with respect to each of
// `values`, which are perturbed in place and restored.
void expect_gradient(const std::string& what, float* values, long size, const std::vector<float>& analytic,
                     const std::function<double()>& objective, float h) {
  ASSERT_EQ(static_cast<long>(analytic.size()), size) << what;
  int bad = 0;
  double largest = 0.0;
  for (long i = 0; i < size; ++i) {
    const float v = values[i];
    values[i] = v + h;
    const double up_at = values[i], up = objective();
    values[i] = v - h;
    const double down_at = values[i], down = objective();
    values[i] = v;
    // Divide by the step actually taken: v ± h rounded to float is not exactly 2h apart.
    const double numeric = (up - down) / (up_at - down_at);
    largest = std::max(largest, std::fabs(numeric));
    if (!close(analytic[i], numeric) && ++bad <= 5)
      ADD_FAILURE() << what << "[" << i << "]: analytic " << analytic[i] << ", numeric " << numeric;
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << size << " entries differ";
  // A gradient that is zero everywhere (every ReLU dead, say) would pass and prove nothing.
  EXPECT_GT(largest, 10 * kAbsTol) << what << ": the numeric gradient is ~0, the check is vacuous";
}

// L = Σ r ⊙ y, in double.
double weighted_sum(ConstMatrixView y, const std::vector<float>& r) {
  EXPECT_EQ(static_cast<size_t>(y.size()), r.size());
  double sum = 0.0;
  for (long i = 0; i < y.size(); ++i) sum += static_cast<double>(r[i]) * y.data()[i];
  return sum;
}

// Checks d/dparams and d/dx of one built layer on the batch x. The layer's weights are set
// by the caller; `input_gradient` says whether backward must return dx or an empty view.
void check_layer(Layer& layer, std::vector<float>& x, int batch, bool input_gradient, Rng& rng,
                 float h = kLayerStep) {
  const long in = shape_size(layer.input_shape()), out = shape_size(layer.output_shape());
  ASSERT_EQ(static_cast<long>(x.size()), batch * in);
  layer.reserve(batch);
  const std::vector<float> r = uniform_vector(rng, batch * out, -1.0f, 1.0f);
  const auto objective = [&] {
    return weighted_sum(layer.forward(ConstMatrixView(x.data(), batch, in), /*training=*/true), r);
  };

  objective();
  const ConstMatrixView dx = layer.backward(ConstMatrixView(r.data(), batch, out));
  // Copies: the finite differences below run forward again.
  const std::vector<float> dx_copy(dx.data(), dx.data() + dx.size());
  const std::vector<Param> params = layer.params();
  std::vector<std::vector<float>> grads;
  for (const Param& p : params) grads.emplace_back(p.grad, p.grad + p.size);

  for (size_t k = 0; k < params.size(); ++k)
    expect_gradient(params[k].name, params[k].value, params[k].size, grads[k], objective, h);
  if (input_gradient) {
    ASSERT_EQ(dx.rows(), batch);
    ASSERT_EQ(dx.cols(), in);
    expect_gradient(layer.name() + "/input", x.data(), batch * in, dx_copy, objective, h);
  } else {
    EXPECT_EQ(dx.size(), 0) << "a first layer's backward returns an empty view";
  }
}

// Re-draws each sample of x whose pre-activations (computed by `linear_twin`, the same layer
// with a linear activation) come within kKinkMargin of the ReLU's kink. A re-draw, not a
// shift: samples share the weights, so only the inputs can be moved per sample.
void keep_away_from_kink(Layer& linear_twin, std::vector<float>& x, int batch, Rng& rng, float lo, float hi) {
  const long in = shape_size(linear_twin.input_shape());
  linear_twin.reserve(batch);
  for (int n = 0; n < batch; ++n) {
    int draws = 0;
    for (;; ++draws) {
      ASSERT_LT(draws, 100000) << "no input found with pre-activations clear of the kink";
      const ConstMatrixView z = linear_twin.forward(ConstMatrixView(x.data(), batch, in), false);
      if ((z.row(n).array().abs() >= kKinkMargin).all()) break;
      fill_uniform(rng, x.data() + n * in, in, lo, hi);
    }
  }
}

// ReLU's and SELU's slopes jump at 0; ELU's second derivative does (a central difference
// across 0 is then off by O(h)). All three are checked away from 0.
bool has_kink(Activation a) { return a == Activation::relu || a == Activation::elu || a == Activation::selu; }

// The same layer with a linear activation and the same weights.
template <class L, class Options>
std::unique_ptr<L> linear_twin(L& layer, Options options) {
  options.activation = Activation::linear;
  auto twin = std::make_unique<L>("linear_twin", options);
  twin->build(layer.input_shape());
  twin->kernel() = layer.kernel();
  twin->bias() = layer.bias();
  return twin;
}

// ---- Dense -------------------------------------------------------------------------------

void check_dense(Activation activation, bool use_bias, bool first_layer, uint64_t seed) {
  SCOPED_TRACE(std::string("Dense 5->4 ") + activation_name(activation) + (use_bias ? "" : " no bias") +
               (first_layer ? " first layer" : ""));
  const int batch = 3, in = 5;
  Rng rng(seed);
  DenseOptions o;
  o.units = 4;
  o.activation = activation;
  o.use_bias = use_bias;
  Dense dense("dense", o);
  dense.build({in});
  dense.set_needs_input_gradient(!first_layer);
  fill_uniform(rng, dense.kernel().data(), dense.kernel().size(), -0.5f, 0.5f);
  if (use_bias) fill_uniform(rng, dense.bias().data(), dense.bias().size(), -0.5f, 0.5f);
  EXPECT_EQ(dense.params().size(), use_bias ? 2u : 1u);

  std::vector<float> x = uniform_vector(rng, batch * in, -1.0f, 1.0f);
  if (has_kink(activation)) keep_away_from_kink(*linear_twin(dense, o), x, batch, rng, -1.0f, 1.0f);
  check_layer(dense, x, batch, /*input_gradient=*/!first_layer, rng);
}

TEST(DenseGradient, Linear) { check_dense(Activation::linear, /*use_bias=*/true, /*first_layer=*/false, /*seed=*/1); }
TEST(DenseGradient, Relu) { check_dense(Activation::relu, /*use_bias=*/true, /*first_layer=*/false, /*seed=*/2); }
TEST(DenseGradient, Softmax) { check_dense(Activation::softmax, /*use_bias=*/true, /*first_layer=*/false, /*seed=*/3); }
TEST(DenseGradient, WithoutBias) {
  for (Activation a : {Activation::linear, Activation::relu, Activation::softmax})
    check_dense(a, /*use_bias=*/false, /*first_layer=*/false, /*seed=*/4);
}
TEST(DenseGradient, SigmoidTanhEluSeluSoftplus) {
  uint64_t seed = 60;
  for (Activation a : {Activation::sigmoid, Activation::tanh, Activation::elu, Activation::selu, Activation::softplus})
    for (bool bias : {true, false}) check_dense(a, bias, /*first_layer=*/false, seed++);
}
TEST(DenseGradient, FirstLayerSkipsTheInputGradient) {
  check_dense(Activation::relu, /*use_bias=*/true, /*first_layer=*/true, /*seed=*/5);
}

// ---- Conv2D ------------------------------------------------------------------------------

void check_conv(int kernel_h, int kernel_w, Activation activation, bool use_bias, bool first_layer, uint64_t seed,
                int stride_h = 1, int stride_w = 1, bool same = false, const Shape& expected = {}) {
  SCOPED_TRACE("Conv2D 5x6x2, 3 filters, kernel " + std::to_string(kernel_h) + "x" + std::to_string(kernel_w) + " " +
               activation_name(activation) + (use_bias ? "" : " no bias") + (first_layer ? " first layer" : "") +
               " strides " + std::to_string(stride_h) + "x" + std::to_string(stride_w) + (same ? " same" : " valid"));
  const int batch = 2;
  const Shape input{5, 6, 2};
  const long in = shape_size(input);
  Rng rng(seed);
  Conv2DOptions o;
  o.filters = 3;
  o.kernel_h = kernel_h;
  o.kernel_w = kernel_w;
  o.activation = activation;
  o.use_bias = use_bias;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  o.same_padding = same;
  Conv2D conv("conv", o);
  const Shape out = conv.build(input);
  if (!expected.empty()) EXPECT_EQ(out, expected);
  conv.set_needs_input_gradient(!first_layer);  // before reserve(), as Sequential::add does
  fill_uniform(rng, conv.kernel().data(), conv.kernel().size(), -0.5f, 0.5f);
  if (use_bias) fill_uniform(rng, conv.bias().data(), conv.bias().size(), -0.5f, 0.5f);

  std::vector<float> x = uniform_vector(rng, batch * in, -1.0f, 1.0f);
  if (has_kink(activation)) keep_away_from_kink(*linear_twin(conv, o), x, batch, rng, -1.0f, 1.0f);
  check_layer(conv, x, batch, /*input_gradient=*/!first_layer, rng);
}

TEST(Conv2DGradient, LinearAndReluWithAndWithoutBias) {
  uint64_t seed = 10;
  for (auto [kh, kw] : {std::pair{3, 2}, std::pair{2, 2}})
    for (Activation a : {Activation::linear, Activation::relu})
      for (bool bias : {true, false}) check_conv(kh, kw, a, bias, /*first_layer=*/false, /*seed=*/seed++);
}

TEST(Conv2DGradient, SigmoidTanhEluSeluSoftplus) {
  uint64_t seed = 70;
  for (Activation a : {Activation::sigmoid, Activation::tanh, Activation::elu, Activation::selu, Activation::softplus})
    check_conv(3, 2, a, /*use_bias=*/true, /*first_layer=*/false, seed++);
}

// Keras' shapes on a 5x6 input: 'same' gives ceil(5/s) x ceil(6/s); 'valid' (5-k)/s+1.
TEST(Conv2DGradient, StridesAndSamePadding) {
  check_conv(3, 3, Activation::linear, true, false, 100, 1, 1, /*same=*/true, {5, 6, 3});
  check_conv(3, 2, Activation::relu, true, false, 101, 2, 2, /*same=*/true, {3, 3, 3});
  check_conv(2, 3, Activation::linear, false, false, 102, 2, 1, /*same=*/true, {3, 6, 3});
  check_conv(2, 2, Activation::tanh, true, false, 103, 2, 3, /*same=*/false, {2, 2, 3});
  check_conv(3, 3, Activation::linear, true, false, 104, 1, 2, /*same=*/false, {3, 2, 3});
  check_conv(3, 3, Activation::relu, true, /*first_layer=*/true, 105, 2, 2, /*same=*/true, {3, 3, 3});
}

TEST(Conv2DGradient, SoftmaxOverChannels) {
  check_conv(2, 2, Activation::softmax, /*use_bias=*/true, /*first_layer=*/false, /*seed=*/20);
}

TEST(Conv2DGradient, FirstLayerReturnsAnEmptyViewAndTheRightKernelGradient) {
  check_conv(3, 2, Activation::relu, /*use_bias=*/true, /*first_layer=*/true, /*seed=*/21);
  check_conv(2, 2, Activation::linear, /*use_bias=*/false, /*first_layer=*/true, /*seed=*/22);
}

// ---- MaxPooling2D, AveragePooling2D ----------------------------------------------------

// Inputs a whole step of 0.05 apart within each image (a shuffled ramp), so no
// perturbation of h = 1e-2 changes which value of a window is the largest.
std::vector<float> distinct_values(Rng& rng, int batch, long in) {
  std::vector<float> x(batch * in);
  for (int n = 0; n < batch; ++n) {
    for (long i = 0; i < in; ++i) x[n * in + i] = -1.0f + 0.05f * static_cast<float>(i);
    for (long i = in - 1; i > 0; --i) std::swap(x[n * in + i], x[n * in + static_cast<long>(rng.below(i + 1))]);
  }
  return x;
}

void check_pooling(Pooling2DOptions o, const Shape& input, const Shape& expected, uint64_t seed) {
  SCOPED_TRACE(std::string(o.kind == Pooling2DOptions::Kind::max ? "max" : "average") + " pool " +
               std::to_string(o.pool_h) + "x" + std::to_string(o.pool_w) + " strides " + std::to_string(o.stride_h) +
               "x" + std::to_string(o.stride_w) + (o.same_padding ? " same" : " valid") + " on " +
               shape_string(input));
  Rng rng(seed);
  Pooling2D pool("pool", o);
  EXPECT_EQ(pool.build(input), expected);
  const int batch = 2;
  std::vector<float> x = distinct_values(rng, batch, shape_size(input));
  check_layer(pool, x, batch, /*input_gradient=*/true, rng);
}

TEST(Pooling2DGradient, ValidAndSameStridesAndSizes) {
  using Kind = Pooling2DOptions::Kind;
  for (Kind kind : {Kind::max, Kind::average}) {
    // Keras' shapes: (5, 7) pooled 2x2 valid -> (2, 3); same -> (3, 4); 3x2 strides 1x2 same -> (5, 4).
    check_pooling({kind, 2, 2, 0, 0, false}, {5, 7, 3}, {2, 3, 3}, 40);
    check_pooling({kind, 2, 2, 0, 0, true}, {5, 7, 3}, {3, 4, 3}, 41);
    check_pooling({kind, 3, 2, 1, 2, true}, {5, 7, 2}, {5, 4, 2}, 42);
    check_pooling({kind, 3, 3, 2, 2, false}, {7, 6, 1}, {3, 2, 1}, 43);
  }
}

// One case by hand: a 3x3 single-channel image, 2x2 windows, same padding (stride 2): the
// windows are {1,2,4,5}, {3,6}, {7,8}, {9}.
TEST(Pooling2D, HandComputedSamePadding) {
  const std::vector<float> x{1, 2, 3, 4, 5, 6, 7, 8, 9};
  Pooling2D max_pool("max", {Pooling2DOptions::Kind::max, 2, 2, 0, 0, true});
  Pooling2D avg_pool("avg", {Pooling2DOptions::Kind::average, 2, 2, 0, 0, true});
  for (Pooling2D* p : {&max_pool, &avg_pool}) {
    EXPECT_EQ(p->build({3, 3, 1}), (Shape{2, 2, 1}));
    p->reserve(1);
  }
  const ConstMatrixView m = max_pool.forward(ConstMatrixView(x.data(), 1, 9), false);
  EXPECT_EQ(std::vector<float>(m.data(), m.data() + 4), (std::vector<float>{5, 6, 8, 9}));
  const ConstMatrixView a = avg_pool.forward(ConstMatrixView(x.data(), 1, 9), false);
  EXPECT_EQ(std::vector<float>(a.data(), a.data() + 4), (std::vector<float>{3, 4.5f, 7.5f, 9}));
}

// ---- Dropout -------------------------------------------------------------------------------

TEST(DropoutGradient, TheMaskIsTheGradient) {
  Rng rng(50);
  Dropout dropout("dropout", 0.4);
  dropout.build({3, 4});
  const int batch = 3;
  const long n = 12;
  dropout.reserve(batch);
  std::vector<float> x = uniform_vector(rng, batch * n, -1.0f, 1.0f);
  const std::vector<float> r = uniform_vector(rng, batch * n, -1.0f, 1.0f);
  // The same mask for every forward: the generator restarts from one state.
  const auto objective = [&] {
    dropout.reseed(7);
    return weighted_sum(dropout.forward(ConstMatrixView(x.data(), batch, n), /*training=*/true), r);
  };
  objective();
  const ConstMatrixView dx = dropout.backward(ConstMatrixView(r.data(), batch, n));
  const std::vector<float> dx_copy(dx.data(), dx.data() + dx.size());
  expect_gradient("dropout/input", x.data(), batch * n, dx_copy, objective, kLayerStep);
  // Kept values are scaled by 1 / (1 - rate); at inference x passes unchanged.
  dropout.reseed(7);
  const ConstMatrixView y = dropout.forward(ConstMatrixView(x.data(), batch, n), true);
  for (long i = 0; i < batch * n; ++i)
    EXPECT_TRUE(y.data()[i] == 0.0f || std::abs(y.data()[i] - x[i] / 0.6f) < 1e-6f) << i;
  EXPECT_EQ(dropout.forward(ConstMatrixView(x.data(), batch, n), false).data(), x.data());
}

TEST(Dropout, DropsTheRateAndRepeatsPerSeed) {
  const int batch = 64;
  const long n = 1000;
  std::vector<float> x(batch * n, 1.0f);
  auto zeros_of = [&](uint64_t seed, std::vector<float>* out) {
    Dropout d("dropout", 0.5);
    d.build({static_cast<int>(n)});
    Rng rng(seed);
    d.initialize(rng);
    d.reserve(batch);
    const ConstMatrixView y = d.forward(ConstMatrixView(x.data(), batch, n), true);
    out->assign(y.data(), y.data() + y.size());
    long zeros = 0;
    for (float v : *out) zeros += v == 0.0f;
    return zeros;
  };
  std::vector<float> a, b, c;
  const long zeros = zeros_of(1, &a);
  // 64,000 draws at p = 0.5: within 4 standard deviations (126) of 32,000.
  EXPECT_NEAR(static_cast<double>(zeros), 32000.0, 500.0);
  zeros_of(1, &b);
  zeros_of(2, &c);
  EXPECT_EQ(a, b) << "one seed, one mask";
  EXPECT_NE(a, c);
}

// ---- BatchNormalization -------------------------------------------------------------------

// Training mode: every output depends on every input of its channel through the batch's mean
// and variance, which is what the input gradient must carry. Features (a Dense's output) and
// channels (a Conv2D's), with and without gamma and beta.
TEST(BatchNormGradient, FeaturesAndChannelsWithAndWithoutCenterAndScale) {
  Rng rng(90);
  for (const Shape& shape : {Shape{5}, Shape{3, 2, 3}}) {
    for (const bool center : {true, false}) {
      for (const bool scale : {true, false}) {
        SCOPED_TRACE(shape_string(shape) + (center ? " center" : "") + (scale ? " scale" : ""));
        BatchNormOptions o;
        o.center = center;
        o.scale = scale;
        BatchNorm layer("batch_normalization", o);
        EXPECT_EQ(layer.build(shape), shape);
        EXPECT_EQ(layer.params().size(), static_cast<size_t>(center) + scale);
        for (const Param& p : layer.params()) fill_uniform(rng, p.value, p.size, 0.5f, 1.5f);
        const int batch = 4;
        // Spread out, so that the variance is well above epsilon (1e-3) and h moves it little.
        std::vector<float> x = uniform_vector(rng, batch * shape_size(shape), -2.0f, 2.0f);
        check_layer(layer, x, batch, /*input_gradient=*/true, rng, /*h=*/1e-3f);
      }
    }
  }
}

// Worked by hand: two samples, one channel, x = 1 and 3. Batch mean 2, variance 1.
TEST(BatchNorm, ByHandTrainingInferenceAndMovingStatistics) {
  BatchNormOptions o;
  o.momentum = 0.75;
  o.epsilon = 1e-3;
  BatchNorm layer("batch_normalization", o);
  layer.build({1});
  layer.reserve(2);
  const std::vector<Param> w = layer.weights();
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0].name, "batch_normalization/gamma");
  EXPECT_EQ(w[3].name, "batch_normalization/moving_variance");
  EXPECT_EQ(w[2].grad, nullptr);  // the optimiser never gets the moving statistics
  EXPECT_EQ(layer.params().size(), 2u);
  *w[0].value = 2.0f;  // gamma
  *w[1].value = 0.5f;  // beta
  const float x[] = {1, 3};
  const ConstMatrixView y = layer.forward(ConstMatrixView(x, 2, 1), /*training=*/true);
  const float s = static_cast<float>(1.0 / std::sqrt(1.0 + 1e-3));
  EXPECT_FLOAT_EQ(y.data()[0], 0.5f - 2.0f * s);
  EXPECT_FLOAT_EQ(y.data()[1], 0.5f + 2.0f * s);
  // moving = moving - (moving - batch)·(1 - momentum): 0 -> 0.5, 1 -> 1 (the variance is 1).
  EXPECT_FLOAT_EQ(*w[2].value, 0.5f);
  EXPECT_FLOAT_EQ(*w[3].value, 1.0f);
  // Inference uses the moving statistics and moves nothing.
  const ConstMatrixView z = layer.forward(ConstMatrixView(x, 2, 1), /*training=*/false);
  EXPECT_FLOAT_EQ(z.data()[0], 0.5f + 2.0f * 0.5f * s);
  EXPECT_FLOAT_EQ(z.data()[1], 0.5f + 2.0f * 2.5f * s);
  EXPECT_FLOAT_EQ(*w[2].value, 0.5f);
}

// ---- ReLU, LeakyReLU ----------------------------------------------------------------------

// Inputs at least kKinkMargin from 0, so no step crosses the kink.
std::vector<float> away_from_zero(Rng& rng, long size) {
  std::vector<float> x = uniform_vector(rng, size, -1.0f, 1.0f);
  for (float& v : x)
    while (std::fabs(v) < kKinkMargin) v = rng.uniform(-1.0f, 1.0f);
  return x;
}

TEST(ReLUGradient, ReluAndLeakySlopes) {
  Rng rng(80);
  for (double slope : {0.0, 0.3, -0.5}) {
    SCOPED_TRACE("slope " + std::to_string(slope));
    ReLU layer("re_lu", /*leaky=*/slope != 0.0, slope);
    EXPECT_EQ(layer.build({3, 2, 2}), (Shape{3, 2, 2}));
    const int batch = 3;
    std::vector<float> x = away_from_zero(rng, batch * 12);
    check_layer(layer, x, batch, /*input_gradient=*/true, rng);
  }
}

TEST(ReLU, ByHand) {
  ReLU relu("re_lu", false, 0.0), leaky("leaky_re_lu", true, 0.3);
  const float x[] = {-2, -0.5f, 0, 1.5f};
  for (ReLU* l : {&relu, &leaky}) {
    l->build({4});
    l->reserve(1);
  }
  const ConstMatrixView r = relu.forward(ConstMatrixView(x, 1, 4), true);
  EXPECT_EQ(std::vector<float>(r.data(), r.data() + 4), (std::vector<float>{0, 0, 0, 1.5f}));
  const ConstMatrixView k = leaky.forward(ConstMatrixView(x, 1, 4), true);
  EXPECT_EQ(std::vector<float>(k.data(), k.data() + 4), (std::vector<float>{-0.6f, -0.15f, 0, 1.5f}));
  // At the kink (x = 0) the gradient is the slope's side, as TF's (x > 0 ? dy : slope·dy).
  const float dy[] = {1, 1, 1, 1};
  const ConstMatrixView dk = leaky.backward(ConstMatrixView(dy, 1, 4));
  EXPECT_EQ(std::vector<float>(dk.data(), dk.data() + 4), (std::vector<float>{0.3f, 0.3f, 0.3f, 1}));
  EXPECT_EQ(relu.activation(), Activation::relu);  // a Conv2D after it folds its mask
  EXPECT_EQ(leaky.activation(), Activation::linear);
}

// Activations at z = -1, 0, 2, worked out with a calculator from Keras' definitions.
TEST(Activation, ByHand) {
  const struct {
    Activation a;
    float y[3];
  } cases[] = {
      {Activation::sigmoid, {0.26894142f, 0.5f, 0.88079708f}},
      {Activation::tanh, {-0.76159416f, 0.0f, 0.96402758f}},
      {Activation::elu, {-0.63212056f, 0.0f, 2.0f}},
      {Activation::selu, {-1.1113307f, 0.0f, 2.1014020f}},
      {Activation::softplus, {0.31326169f, 0.69314718f, 2.1269280f}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(activation_name(c.a));
    float z[] = {-1, 0, 2};
    activation_forward(c.a, MatrixView(z, 1, 3), 3);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(z[i], c.y[i], 1e-6f) << i;
  }
}

// ---- Flatten -----------------------------------------------------------------------------

TEST(FlattenGradient, PassesThrough) {
  Rng rng(30);
  Flatten flatten("flatten");
  EXPECT_EQ(flatten.build({3, 2, 4}), (Shape{24}));
  const int batch = 2;
  std::vector<float> x = uniform_vector(rng, batch * 24, -1.0f, 1.0f);
  check_layer(flatten, x, batch, /*input_gradient=*/true, rng);

  // As a first layer it returns no input gradient.
  Flatten first("flatten_first");
  first.build({3, 2, 4});
  first.set_needs_input_gradient(false);
  std::vector<float> dy(batch * 24, 1.0f);
  first.forward(ConstMatrixView(x.data(), batch, 24), true);
  EXPECT_EQ(first.backward(ConstMatrixView(dy.data(), batch, 24)).size(), 0);
}

// ---- Losses ------------------------------------------------------------------------------

constexpr int kClasses = 5;
const uint8_t kLabels[] = {0, 3, 4, 1};
constexpr int kLossBatch = 4;

Matrix softmax_of(const Matrix& logits) {
  Matrix p = logits;
  activation_forward(Activation::softmax, MatrixView(p.data(), p.rows(), p.cols()), static_cast<int>(p.cols()));
  return p;
}

ConstMatrixView view(const Matrix& m) { return ConstMatrixView(m.data(), m.rows(), m.cols()); }

std::vector<float> flat(const Matrix& m) { return std::vector<float>(m.data(), m.data() + m.size()); }

TEST(LossGradient, CrossEntropyGradientWithRespectToProbabilities) {
  for (LossKind kind : {LossKind::sparse_categorical_crossentropy, LossKind::categorical_crossentropy}) {
    SCOPED_TRACE(loss_name(kind));
    Rng rng(40);
    Matrix logits(kLossBatch, kClasses);
    fill_uniform(rng, logits.data(), logits.size(), -1.0f, 1.0f);
    // A valid softmax output: every p in [0.03, 0.6], far inside the clip range [1e-7, 1 - 1e-7].
    Matrix probs = softmax_of(logits);
    ASSERT_GT(probs.minCoeff(), 0.03f);

    Matrix d(kLossBatch, kClasses);
    cross_entropy_gradient(kind, view(probs), kLabels, MatrixView(d.data(), d.rows(), d.cols()));
    // Each p is a free variable here (categorical rescales by Σp, so the sum matters);
    // h = 1e-3 keeps the -log p curvature term small (p >= 0.03).
    expect_gradient("dloss/dprobs", probs.data(), probs.size(), flat(d),
                    [&] { return cross_entropy(kind, view(probs), kLabels); }, /*h=*/1e-3f);
  }
}

TEST(LossGradient, FusedSoftmaxCrossEntropyGradientWithRespectToLogits) {
  for (LossKind kind : {LossKind::sparse_categorical_crossentropy, LossKind::categorical_crossentropy}) {
    SCOPED_TRACE(loss_name(kind));
    Rng rng(41);
    Matrix logits(kLossBatch, kClasses);
    fill_uniform(rng, logits.data(), logits.size(), -1.5f, 1.5f);
    Matrix d(kLossBatch, kClasses);
    softmax_cross_entropy_gradient(view(softmax_of(logits)), kLabels, MatrixView(d.data(), d.rows(), d.cols()));
    expect_gradient("dloss/dlogits", logits.data(), logits.size(), flat(d),
                    [&] { return cross_entropy(kind, view(softmax_of(logits)), kLabels); }, kLayerStep);
  }
}

// ---- The whole model ---------------------------------------------------------------------

// Conv2D(relu) -> Flatten -> Dense(relu) -> Dense(softmax), through compute_gradients (the
// fused softmax-CE path, every backward in a chain, the first layer's skipped dx).
void check_model(LossKind kind, uint64_t seed) {
  SCOPED_TRACE(loss_name(kind));
  Sequential model("gradient_check", {6, 6, 1});
  Conv2DOptions c;
  c.filters = 2;
  c.kernel_h = 3;
  c.kernel_w = 3;
  c.activation = Activation::relu;
  model.add(std::make_unique<Conv2D>("conv", c));
  model.add(make_layer({{"class_name", "Flatten"}, {"config", {{"name", "flatten"}}}}, /*index=*/1));
  DenseOptions hidden;
  hidden.units = 5;
  hidden.activation = Activation::relu;
  model.add(std::make_unique<Dense>("hidden", hidden));
  const nlohmann::json out = {{"class_name", "Dense"},
                              {"config", {{"name", "out"}, {"units", 4}, {"activation", "softmax"}}}};
  model.add(make_layer(out, /*index=*/3));
  model.compile(kind, std::make_unique<Sgd>());
  model.initialize(seed);

  Rng rng(seed);
  // Non-zero biases, so d/db is checked somewhere other than at a zero bias.
  for (const Param& p : model.params())
    if (p.name.find("/bias") != std::string::npos) fill_uniform(rng, p.value, p.size, -0.1f, 0.1f);

  const int batch = 3, in = model.input_size();
  const uint8_t labels[batch] = {2, 0, 3};
  std::vector<float> x = uniform_vector(rng, batch * in, 0.0f, 1.0f);

  // Keep both ReLU layers' pre-activations clear of the kink: the conv's through its linear
  // twin, the hidden Dense's as relu(z_conv)·W + b.
  auto& conv = dynamic_cast<Conv2D&>(*model.layers()[0]);
  auto& dense = dynamic_cast<Dense&>(*model.layers()[2]);
  auto twin = linear_twin(conv, c);
  twin->reserve(batch);
  for (int n = 0; n < batch; ++n) {
    for (int draws = 0;; ++draws) {
      ASSERT_LT(draws, 100000) << "no input found with pre-activations clear of the kink";
      const ConstMatrixView z1 = twin->forward(ConstMatrixView(x.data() + n * in, 1, in), false);
      const Eigen::RowVectorXf z2 = z1.cwiseMax(0.0f) * dense.kernel() + dense.bias();
      if ((z1.array().abs() >= kKinkMargin).all() && (z2.array().abs() >= kKinkMargin).all()) break;
      fill_uniform(rng, x.data() + n * in, in, 0.0f, 1.0f);
    }
  }

  const ConstMatrixView xv(x.data(), batch, in);
  const BatchResult result = model.compute_gradients(xv, labels);
  const auto loss = [&] { return cross_entropy(kind, model.forward(xv, /*training=*/false), labels); };
  EXPECT_NEAR(result.loss, loss(), 1e-6);

  // A smaller step than for single layers: a conv weight moves up to 16 conv outputs by
  // |x|·h <= h each, and through them a hidden pre-activation by up to 16·|W|·h ≈ 6h. At
  // h = 1e-3 that stays well inside kKinkMargin; the loss is one mean value, so the
  // rounding term is still ~1e-4 at most.
  const std::vector<Param> params = model.params();
  ASSERT_EQ(params.size(), 6u);  // conv, hidden and out: kernel and bias each
  for (const Param& p : params) {
    const std::vector<float> analytic(p.grad, p.grad + p.size);
    expect_gradient(p.name, p.value, p.size, analytic, loss, /*h=*/1e-3f);
  }
}

TEST(ModelGradient, SparseCategoricalCrossentropy) {
  check_model(LossKind::sparse_categorical_crossentropy, /*seed=*/50);
}
TEST(ModelGradient, CategoricalCrossentropy) { check_model(LossKind::categorical_crossentropy, /*seed=*/51); }

// A ReLU layer after a linear Conv2D is the Conv2D with activation relu: the same loss and,
// through the fold of the mask into the next Conv2D (Layer::fold_input_relu), the same
// gradients, bit for bit. A Dense after it (no fold) goes through the layer's own backward.
TEST(ModelGradient, ReluLayerEqualsReluActivation) {
  using nlohmann::json;
  auto build = [](bool separate, const std::string& next) {
    auto model = std::make_unique<Sequential>("m", Shape{6, 6, 2});
    int i = 0;
    model->add(make_layer(
        {{"class_name", "Conv2D"},
         {"config",
          {{"name", "c1"}, {"filters", 3}, {"kernel_size", 2}, {"activation", separate ? "linear" : "relu"}}}},
        i++));
    if (separate) model->add(make_layer({{"class_name", "ReLU"}, {"config", {{"name", "r"}}}}, i++));
    if (next == "Conv2D")
      model->add(make_layer(
          {{"class_name", "Conv2D"}, {"config", {{"name", "c2"}, {"filters", 2}, {"kernel_size", 2}}}}, i++));
    model->add(make_layer({{"class_name", "Flatten"}, {"config", {{"name", "f"}}}}, i++));
    model->add(make_layer(
        {{"class_name", "Dense"}, {"config", {{"name", "d"}, {"units", 4}, {"activation", "softmax"}}}}, i++));
    model->compile(LossKind::sparse_categorical_crossentropy, std::make_unique<Sgd>());
    model->initialize(7);
    return model;
  };
  for (const std::string next : {"Conv2D", "Dense"}) {
    SCOPED_TRACE("ReLU before " + next);
    auto fused = build(false, next), separate = build(true, next);
    Rng rng(90);
    // Non-zero biases: a zero bias would leave many pre-activations exactly at the kink.
    for (auto* m : {fused.get(), separate.get()})
      for (const Param& p : m->params()) {
        Rng same(91);
        if (p.name.find("/bias") != std::string::npos) fill_uniform(same, p.value, p.size, -0.1f, 0.1f);
      }
    const int batch = 2;
    std::vector<float> x = uniform_vector(rng, batch * 72, 0.0f, 1.0f);
    const uint8_t labels[batch] = {1, 3};
    const ConstMatrixView xv(x.data(), batch, 72);
    const BatchResult a = fused->compute_gradients(xv, labels);
    const BatchResult b = separate->compute_gradients(xv, labels);
    EXPECT_EQ(a.loss, b.loss);
    const std::vector<Param> pa = fused->params(), pb = separate->params();
    ASSERT_EQ(pa.size(), pb.size());
    for (size_t k = 0; k < pa.size(); ++k)
      EXPECT_EQ(std::vector<float>(pa[k].grad, pa[k].grad + pa[k].size),
                std::vector<float>(pb[k].grad, pb[k].grad + pb[k].size))
          << pa[k].name;
    // The check is not vacuous: the first kernel's gradient is not zero.
    EXPECT_GT(Eigen::Map<const Eigen::VectorXf>(pa[0].grad, pa[0].size).cwiseAbs().maxCoeff(), 1e-4f);
  }
}

// ---- Hand-computed cases -----------------------------------------------------------------

TEST(DenseByHand, FourToTwoWithUnitWeights) {
  // y_j = Σ x_i·1 + b_j = (1+2+3+4) + b = 10 + b.
  DenseOptions o;
  o.units = 2;
  Dense dense("dense", o);
  dense.build({4});
  dense.reserve(1);
  dense.kernel().setOnes();
  dense.bias() << 0.5f, -1.0f;
  const float x[] = {1, 2, 3, 4};
  const ConstMatrixView y = dense.forward(ConstMatrixView(x, 1, 4), true);
  EXPECT_FLOAT_EQ(y(0, 0), 10.5f);
  EXPECT_FLOAT_EQ(y(0, 1), 9.0f);

  // dy = [1, 2]: dx_i = Σ_j W_ij·dy_j = 3, dW_ij = x_i·dy_j, db = dy.
  const float dy[] = {1, 2};
  const ConstMatrixView dx = dense.backward(ConstMatrixView(dy, 1, 2));
  for (int i = 0; i < 4; ++i) {
    EXPECT_FLOAT_EQ(dx(0, i), 3.0f);
    EXPECT_FLOAT_EQ(dense.params()[0].grad[i * 2 + 0], x[i]);
    EXPECT_FLOAT_EQ(dense.params()[0].grad[i * 2 + 1], 2 * x[i]);
  }
  EXPECT_FLOAT_EQ(dense.params()[1].grad[0], 1.0f);
  EXPECT_FLOAT_EQ(dense.params()[1].grad[1], 2.0f);
}

TEST(DenseByHand, ReluCutsTheNegativeUnit) {
  // z = 10 + [-20, 1] = [-10, 11], y = [0, 11]; dy = [1, 2] reaches only unit 1.
  DenseOptions o;
  o.units = 2;
  o.activation = Activation::relu;
  Dense dense("dense", o);
  dense.build({4});
  dense.reserve(1);
  dense.kernel().setOnes();
  dense.bias() << -20.0f, 1.0f;
  const float x[] = {1, 2, 3, 4};
  const ConstMatrixView y = dense.forward(ConstMatrixView(x, 1, 4), true);
  EXPECT_FLOAT_EQ(y(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(y(0, 1), 11.0f);
  const float dy[] = {1, 2};
  const ConstMatrixView dx = dense.backward(ConstMatrixView(dy, 1, 2));
  for (int i = 0; i < 4; ++i) {
    EXPECT_FLOAT_EQ(dx(0, i), 2.0f);
    EXPECT_FLOAT_EQ(dense.params()[0].grad[i * 2 + 0], 0.0f);
    EXPECT_FLOAT_EQ(dense.params()[0].grad[i * 2 + 1], 2 * x[i]);
  }
  EXPECT_FLOAT_EQ(dense.params()[1].grad[0], 0.0f);
  EXPECT_FLOAT_EQ(dense.params()[1].grad[1], 2.0f);
}

TEST(DenseByHand, SoftmaxOfZeroAndLnTwo) {
  // softmax([0, ln 2]) = [1, 2] / 3. The shifted logits [100, 100 + ln 2] give the same
  // (exp(100) overflows float unless the max is subtracted first).
  DenseOptions o;
  o.units = 2;
  o.activation = Activation::softmax;
  Dense dense("dense", o);
  dense.build({2});
  dense.reserve(2);
  dense.kernel().setIdentity();
  const float ln2 = std::log(2.0f);
  const float x[] = {0.0f, ln2, 100.0f, 100.0f + ln2};
  const ConstMatrixView y = dense.forward(ConstMatrixView(x, 2, 2), true);
  for (int n = 0; n < 2; ++n) {
    EXPECT_NEAR(y(n, 0), 1.0 / 3.0, 1e-5);
    EXPECT_NEAR(y(n, 1), 2.0 / 3.0, 1e-5);
  }
}

TEST(ActivationByHand, ReluAndItsKink) {
  // relu([-1, 0, 2.5]) = [0, 0, 2.5]; at the kink the gradient is 0, as in TF.
  float z[] = {-1.0f, 0.0f, 2.5f};
  activation_forward(Activation::relu, MatrixView(z, 1, 3), 3);
  EXPECT_EQ(z[0], 0.0f);
  EXPECT_EQ(z[1], 0.0f);
  EXPECT_EQ(z[2], 2.5f);
  const float dy[] = {5.0f, 5.0f, 5.0f};
  float dz[3];
  activation_backward(Activation::relu, ConstMatrixView(z, 1, 3), ConstMatrixView(dy, 1, 3), MatrixView(dz, 1, 3), 3);
  EXPECT_EQ(dz[0], 0.0f);
  EXPECT_EQ(dz[1], 0.0f);
  EXPECT_EQ(dz[2], 5.0f);
}

TEST(Conv2DByHand, ThreeByThreeImageTwoByTwoKernels) {
  //  x = 1 2 3   filter 0 = [1 1; 1 1]:  window sums 12 16 / 24 28, + bias 1 -> 13 17 / 25 29
  //      4 5 6   filter 1 = [1 0; 0 -1]: x(r,c) - x(r+1,c+1) = -4,  + bias 0.5 -> -3.5 everywhere
  //      7 8 9
  Conv2DOptions o;
  o.filters = 2;
  o.kernel_h = 2;
  o.kernel_w = 2;
  Conv2D conv("conv", o);
  conv.build({3, 3, 1});
  conv.reserve(1);
  // Kernel rows are (ky, kx, c), columns the filters (TF's [kh, kw, in, out] flattened).
  conv.kernel() << 1, 1,  //
      1, 0,               //
      1, 0,               //
      1, -1;
  conv.bias() << 1.0f, 0.5f;
  const float x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const ConstMatrixView y = conv.forward(ConstMatrixView(x, 1, 9), true);
  ASSERT_EQ(y.cols(), 8);
  // Channels last: (oy, ox, filter).
  const float expected_y[] = {13, -3.5f, 17, -3.5f, 25, -3.5f, 29, -3.5f};
  for (int i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(y(0, i), expected_y[i]) << i;

  // dy = 1 everywhere. dK(ky,kx) = Σ over windows of x(oy+ky, ox+kx) = 12 16 24 28 for both
  // filters; db = 4 windows. dx counts each pixel's windows, weighted by the kernels:
  //   ones: 1 2 1 / 2 4 2 / 1 2 1   and   [1 0; 0 -1]: 1 1 0 / 1 0 -1 / 0 -1 -1.
  const std::vector<float> dy(8, 1.0f);
  const ConstMatrixView dx = conv.backward(ConstMatrixView(dy.data(), 1, 8));
  const float expected_dx[] = {2, 3, 1, 3, 4, 1, 1, 1, 0};
  for (int i = 0; i < 9; ++i) EXPECT_FLOAT_EQ(dx(0, i), expected_dx[i]) << i;
  const std::vector<Param> p = conv.params();
  const float window_sums[] = {12, 16, 24, 28};
  for (int k = 0; k < 4; ++k)
    for (int f = 0; f < 2; ++f) EXPECT_FLOAT_EQ(p[0].grad[k * 2 + f], window_sums[k]) << k << "," << f;
  EXPECT_FLOAT_EQ(p[1].grad[0], 4.0f);
  EXPECT_FLOAT_EQ(p[1].grad[1], 4.0f);
}

TEST(FlattenByHand, KeepsTheDataInPlace) {
  Flatten flatten("flatten");
  EXPECT_EQ(flatten.build({2, 3, 4}), (Shape{24}));
  std::vector<float> x(48, 1.5f);
  const ConstMatrixView y = flatten.forward(ConstMatrixView(x.data(), 2, 24), true);
  EXPECT_EQ(y.data(), x.data());
  EXPECT_EQ(y.rows(), 2);
  EXPECT_EQ(y.cols(), 24);
}

TEST(LossByHand, CrossEntropyAndItsGradients) {
  // p = [0.25, 0.75], label 1: loss -ln 0.75. Categorical rescales [1, 3] to the same p.
  const uint8_t label[] = {1};
  const float p[] = {0.25f, 0.75f}, unnormalised[] = {1.0f, 3.0f};
  EXPECT_NEAR(cross_entropy(LossKind::sparse_categorical_crossentropy, ConstMatrixView(p, 1, 2), label),
              -std::log(0.75), 1e-6);
  EXPECT_NEAR(cross_entropy(LossKind::categorical_crossentropy, ConstMatrixView(unnormalised, 1, 2), label),
              -std::log(0.75), 1e-6);

  float d[2];
  // sparse: d/dp_k = -[k == y] / p_y
  cross_entropy_gradient(LossKind::sparse_categorical_crossentropy, ConstMatrixView(p, 1, 2), label,
                         MatrixView(d, 1, 2));
  EXPECT_FLOAT_EQ(d[0], 0.0f);
  EXPECT_FLOAT_EQ(d[1], -1.0f / 0.75f);
  // categorical on [1, 3]: d/dp_k = 1/Σp - [k == y] / p_y = [1/4, 1/4 - 1/3]
  cross_entropy_gradient(LossKind::categorical_crossentropy, ConstMatrixView(unnormalised, 1, 2), label,
                         MatrixView(d, 1, 2));
  EXPECT_FLOAT_EQ(d[0], 0.25f);
  EXPECT_FLOAT_EQ(d[1], 0.25f - 1.0f / 3.0f);
  // fused: p - onehot
  softmax_cross_entropy_gradient(ConstMatrixView(p, 1, 2), label, MatrixView(d, 1, 2));
  EXPECT_FLOAT_EQ(d[0], 0.25f);
  EXPECT_FLOAT_EQ(d[1], -0.25f);
}

TEST(LossByHand, ClippedProbabilityHasZeroGradient) {
  // Keras clips p to [1e-7, 1 - 1e-7]; beyond the clip the loss is flat, so its gradient is 0.
  const uint8_t label[] = {0};
  const float p[] = {1e-9f, 1.0f - 1e-9f};
  EXPECT_NEAR(cross_entropy(LossKind::sparse_categorical_crossentropy, ConstMatrixView(p, 1, 2), label),
              -std::log(1e-7), 1e-4);
  for (LossKind kind : {LossKind::sparse_categorical_crossentropy, LossKind::categorical_crossentropy}) {
    float d[2] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::quiet_NaN()};
    cross_entropy_gradient(kind, ConstMatrixView(p, 1, 2), label, MatrixView(d, 1, 2));
    EXPECT_EQ(d[0], 0.0f) << loss_name(kind);
    EXPECT_EQ(d[1], 0.0f) << loss_name(kind);
  }
}

}  // namespace
}  // namespace digitrain
