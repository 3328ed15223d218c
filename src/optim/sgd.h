#pragma once
// Keras' SGD: w -= lr·g, or with momentum: v = momentum·v - lr·g; w += v
// (nesterov: w += momentum·v - lr·g). Defaults lr 0.01, momentum 0.
#include "optim/optimizer.h"

namespace digitrain {

class Sgd final : public Optimizer {
 public:
  explicit Sgd(float learning_rate = 0.01f, float momentum = 0.0f, bool nesterov = false)
      : Optimizer(learning_rate), momentum_(momentum), nesterov_(nesterov) {}
  const char* class_name() const override { return "SGD"; }
  void step(const std::vector<Param>& params) override;
  float plain_descent_rate() const override { return momentum_ == 0.0f ? learning_rate_ : 0.0f; }
  nlohmann::json to_json() const override;
  void reset_state() override {
    Optimizer::reset_state();
    velocity_.clear();
  }

 private:
  float momentum_;
  bool nesterov_;
  std::vector<std::vector<float>> velocity_;  // sized on the first step only
};

}  // namespace digitrain
