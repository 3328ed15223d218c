#pragma once
// BatchNormalization over the last axis (Keras' axis=-1): the features after a Dense, the
// channels after a Conv2D or a pooling layer. C channels, n = batch × (values per sample / C)
// values per channel.
//   training:  mean, var = the batch's (var biased, as Keras and TF.js);
//              y = gamma·(x − mean)/sqrt(var + eps) + beta;
//              moving = moving − (moving − batch statistic)·(1 − momentum)   (TF.js' form)
//   inference: y = beta + (x − moving_mean)·gamma/sqrt(moving_variance + eps)
//   x (batch, ..., C) -> y (same shape)     gamma, beta, moving_mean, moving_variance (C)
// gamma and beta are trainable (params()); the moving statistics are not (state()), so the
// optimiser never sees them, but the files keep them, in TF.js' order.
#include "layers/initializer.h"
#include "layers/layer.h"

namespace digitrain {

struct BatchNormOptions {
  double momentum = 0.99;
  double epsilon = 1e-3;
  bool center = true;  // beta
  bool scale = true;   // gamma
  Initializer beta_initializer{Initializer::Kind::zeros};
  Initializer gamma_initializer{Initializer::Kind::ones};
  Initializer moving_mean_initializer{Initializer::Kind::zeros};
  Initializer moving_variance_initializer{Initializer::Kind::ones};
};

class BatchNorm final : public Layer {
 public:
  BatchNorm(std::string name, BatchNormOptions options);
  const char* class_name() const override { return "BatchNormalization"; }
  Shape plan(const Shape& input_shape) override;
  void allocate() override;
  void initialize(Rng& rng) override;
  void reserve(int max_batch) override;
  ConstMatrixView forward(ConstMatrixView x, bool training) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  std::vector<Param> params() override;  // gamma (if scale), beta (if center)
  std::vector<Param> state() override;   // moving_mean, moving_variance
  const BatchNormOptions& options() const { return options_; }

 private:
  BatchNormOptions options_;
  int channels_ = 0;
  long size_ = 0;  // values per sample
  int batch_ = 0;
  bool trained_ = false;  // the last forward used the batch's statistics
  RowVector gamma_, dgamma_, beta_, dbeta_, moving_mean_, moving_variance_;
  RowVector mean_, inv_std_, coef_;  // per channel: the last forward's statistics; gamma·inv_std
  std::vector<double> sum_, sum2_;  // per-channel accumulators, sized in allocate()
  BatchBuffer y_, xhat_, dx_;
};

}  // namespace digitrain
