#pragma once
// RMSprop with Keras' update rule and defaults (lr 0.001, rho 0.9, momentum 0, eps 1e-7;
// TF.js' tf.train.rmsprop and its 'rmsprop' string use the same):
//   v = rho·v + (1-rho)·g²
//   m = momentum·m + lr·g / sqrt(v + eps);  w -= m      (momentum 0: w -= lr·g / sqrt(v + eps))
// Centered (Keras' centered=True) also keeps the mean gradient and divides by an estimate of
// the gradient's variance instead of its mean square:
//   mg = rho·mg + (1-rho)·g;  d = v - mg² + eps;  m = momentum·m + lr·g / sqrt(d);  w -= m
// That is Keras' denominator. TF.js 4.22 subtracts epsilon instead (v - (mg² + eps)), which is
// NaN wherever |g| is small (a zero gradient on the first step: sqrt(-eps)); docs/training.md.
#include "optim/optimizer.h"

namespace digitrain {

class RmsProp final : public Optimizer {
 public:
  // rho as the config gave it: 1 - rho is taken in double, as TF.js does, before rounding.
  explicit RmsProp(float learning_rate = 0.001f, double rho = 0.9, float momentum = 0.0f, float epsilon = 1e-7f,
                   bool centered = false)
      : Optimizer(learning_rate), rho_(rho), momentum_(momentum), epsilon_(epsilon), centered_(centered) {}
  const char* class_name() const override { return "RMSprop"; }
  void step(const std::vector<Param>& params) override;
  nlohmann::json to_json() const override;
  void reset_state() override {
    Optimizer::reset_state();
    v_.clear();
    m_.clear();
    mg_.clear();
  }
  bool centered() const { return centered_; }

 private:
  double rho_;
  float momentum_, epsilon_;
  bool centered_;
  // Sized on the first step only (m_ only with momentum, mg_ only centered).
  std::vector<std::vector<float>> v_, m_, mg_;
};

}  // namespace digitrain
