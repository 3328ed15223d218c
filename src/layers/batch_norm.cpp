#include "layers/batch_norm.h"

#include <cmath>

#include "core/error.h"

namespace digitrain {

BatchNorm::BatchNorm(std::string name, BatchNormOptions options) : Layer(std::move(name)), options_(options) {
  if (!(options_.momentum >= 0.0) || !(options_.momentum < 1.0))
    throw Error("layer '" + name_ + "': momentum must be from 0 up to (not including) 1");
  if (!(options_.epsilon > 0.0) || !std::isfinite(options_.epsilon))
    throw Error("layer '" + name_ + "': epsilon must be a positive number");
}

Shape BatchNorm::plan(const Shape& input_shape) {
  if (input_shape.empty()) throw Error("layer '" + name_ + "' (BatchNormalization): needs an input with a last axis");
  input_shape_ = output_shape_ = input_shape;
  channels_ = input_shape.back();
  size_ = shape_size(input_shape);
  return output_shape_;
}

void BatchNorm::allocate() {
  gamma_.setOnes(channels_);
  dgamma_.setZero(channels_);
  beta_.setZero(channels_);
  dbeta_.setZero(channels_);
  moving_mean_.setZero(channels_);
  moving_variance_.setOnes(channels_);
  mean_.setZero(channels_);
  inv_std_.setOnes(channels_);
  coef_.setZero(channels_);
  sum_.assign(channels_, 0.0);
  sum2_.assign(channels_, 0.0);
}

void BatchNorm::initialize(Rng& rng) {
  // Keras' order of creation: gamma, beta, moving_mean, moving_variance.
  if (options_.scale) initialize_weights(options_.gamma_initializer, gamma_.data(), channels_, channels_, channels_, rng);
  if (options_.center) initialize_weights(options_.beta_initializer, beta_.data(), channels_, channels_, channels_, rng);
  initialize_weights(options_.moving_mean_initializer, moving_mean_.data(), channels_, channels_, channels_, rng);
  initialize_weights(options_.moving_variance_initializer, moving_variance_.data(), channels_, channels_, channels_,
                     rng);
}

void BatchNorm::reserve(int max_batch) {
  y_.reserve(max_batch, size_);
  xhat_.reserve(max_batch, size_);
  dx_.reserve(max_batch, size_);
}

// Every sample's values are `size_ / channels_` rows of `channels_` (channels last), so the
// batch is one (n, C) matrix with n = batch × size_ / C.
ConstMatrixView BatchNorm::forward(ConstMatrixView x, bool training) {
  batch_ = static_cast<int>(x.rows());
  trained_ = training;
  const long n = static_cast<long>(batch_) * (size_ / channels_);
  const int C = channels_;
  const float* in = x.data();
  float* xhat = xhat_.rows(batch_).data();
  float* y = y_.rows(batch_).data();
  if (training) {
    // Two passes in double: the mean, then the (biased) variance around it.
    std::fill(sum_.begin(), sum_.end(), 0.0);
    std::fill(sum2_.begin(), sum2_.end(), 0.0);
    for (long r = 0; r < n; ++r)
      for (int c = 0; c < C; ++c) sum_[c] += in[r * C + c];
    for (int c = 0; c < C; ++c) mean_[c] = static_cast<float>(n > 0 ? sum_[c] / n : 0.0);
    for (long r = 0; r < n; ++r)
      for (int c = 0; c < C; ++c) {
        const double d = static_cast<double>(in[r * C + c]) - mean_[c];
        sum2_[c] += d * d;
      }
    const float decay = static_cast<float>(1.0 - options_.momentum);
    for (int c = 0; c < C; ++c) {
      const float var = static_cast<float>(n > 0 ? sum2_[c] / n : 0.0);
      inv_std_[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(var) + options_.epsilon));
      moving_mean_[c] -= (moving_mean_[c] - mean_[c]) * decay;
      moving_variance_[c] -= (moving_variance_[c] - var) * decay;
    }
  } else {
    for (int c = 0; c < C; ++c) {
      mean_[c] = moving_mean_[c];
      inv_std_[c] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(moving_variance_[c]) + options_.epsilon));
    }
  }
  const bool scale = options_.scale, center = options_.center;
  for (long r = 0; r < n; ++r)
    for (int c = 0; c < C; ++c) {
      const long i = r * C + c;
      xhat[i] = (in[i] - mean_[c]) * inv_std_[c];
      y[i] = (scale ? gamma_[c] * xhat[i] : xhat[i]) + (center ? beta_[c] : 0.0f);
    }
  return ConstMatrixView(y, batch_, size_);
}

// Training: the batch's mean and variance depend on every x, so
//   dx = gamma·inv_std/n · (n·dy − Σdy − xhat·Σ(dy·xhat))
// Inference: the statistics are constants, dx = gamma·inv_std·dy.
ConstMatrixView BatchNorm::backward(ConstMatrixView dy) {
  const long n = static_cast<long>(batch_) * (size_ / channels_);
  const int C = channels_;
  const float* g = dy.data();
  const float* xhat = xhat_.rows(batch_).data();
  std::fill(sum_.begin(), sum_.end(), 0.0);   // Σ dy
  std::fill(sum2_.begin(), sum2_.end(), 0.0);  // Σ dy·xhat
  for (long r = 0; r < n; ++r)
    for (int c = 0; c < C; ++c) {
      const long i = r * C + c;
      sum_[c] += g[i];
      sum2_[c] += static_cast<double>(g[i]) * xhat[i];
    }
  for (int c = 0; c < C; ++c) {
    dbeta_[c] = static_cast<float>(sum_[c]);
    dgamma_[c] = static_cast<float>(sum2_[c]);
  }
  if (!needs_input_gradient_) return empty_view();
  float* dx = dx_.rows(batch_).data();
  for (int c = 0; c < C; ++c) coef_[c] = (options_.scale ? gamma_[c] : 1.0f) * inv_std_[c];
  for (long r = 0; r < n; ++r)
    for (int c = 0; c < C; ++c) {
      const long i = r * C + c;
      if (trained_)
        dx[i] = static_cast<float>(coef_[c] * (g[i] - (sum_[c] + xhat[i] * sum2_[c]) / static_cast<double>(n)));
      else
        dx[i] = coef_[c] * g[i];
    }
  return ConstMatrixView(dx, batch_, size_);
}

std::vector<Param> BatchNorm::params() {
  std::vector<Param> p;
  if (options_.scale) p.push_back({name_ + "/gamma", {channels_}, gamma_.data(), dgamma_.data(), channels_});
  if (options_.center) p.push_back({name_ + "/beta", {channels_}, beta_.data(), dbeta_.data(), channels_});
  return p;
}

std::vector<Param> BatchNorm::state() {
  return {{name_ + "/moving_mean", {channels_}, moving_mean_.data(), nullptr, channels_},
          {name_ + "/moving_variance", {channels_}, moving_variance_.data(), nullptr, channels_}};
}

}  // namespace digitrain
