#pragma once
// RMSprop with Keras' update rule and defaults (lr 0.001, rho 0.9, momentum 0, eps 1e-7;
// TF.js' tf.train.rmsprop and its 'rmsprop' string use the same):
//   v = rho·v + (1-rho)·g²
//   m = momentum·m + lr·g / sqrt(v + eps);  w -= m      (momentum 0: w -= lr·g / sqrt(v + eps))
// Not centered (Keras' centered=True is refused where the config is read).
#include "optim/optimizer.h"

namespace digitrain {

class RmsProp final : public Optimizer {
 public:
  // rho as the config gave it: 1 - rho is taken in double, as TF.js does, before rounding.
  explicit RmsProp(float learning_rate = 0.001f, double rho = 0.9, float momentum = 0.0f, float epsilon = 1e-7f)
      : Optimizer(learning_rate), rho_(rho), momentum_(momentum), epsilon_(epsilon) {}
  const char* class_name() const override { return "RMSprop"; }
  void step(const std::vector<Param>& params) override;
  nlohmann::json to_json() const override;
  void reset_state() override {
    Optimizer::reset_state();
    v_.clear();
    m_.clear();
  }

 private:
  double rho_;
  float momentum_, epsilon_;
  std::vector<std::vector<float>> v_, m_;  // sized on the first step only (m_ only with momentum)
};

}  // namespace digitrain
