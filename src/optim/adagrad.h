#pragma once
// Adagrad with Keras' update rule and defaults (lr 0.001, initial accumulator 0.1, eps 1e-7):
//   a += g²;  w -= lr·g / sqrt(a + eps)
// TF.js (tf.train.adagrad) takes the same step; its 'adagrad' string defaults lr to 0.01.
#include "optim/optimizer.h"

namespace digitrain {

class Adagrad final : public Optimizer {
 public:
  explicit Adagrad(float learning_rate = 0.001f, float initial_accumulator_value = 0.1f, float epsilon = 1e-7f)
      : Optimizer(learning_rate), initial_(initial_accumulator_value), epsilon_(epsilon) {}
  const char* class_name() const override { return "Adagrad"; }
  void step(const std::vector<Param>& params) override;
  nlohmann::json to_json() const override;
  void reset_state() override {
    Optimizer::reset_state();
    a_.clear();
  }

 private:
  float initial_, epsilon_;
  std::vector<std::vector<float>> a_;  // sized (and filled with initial_) on the first step only
};

}  // namespace digitrain
