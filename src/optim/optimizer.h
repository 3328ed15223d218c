#pragma once
// Optimisers see only the model's params(): a value and its gradient per tensor.
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/tensor.h"

namespace digitrain {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual const char* class_name() const = 0;
  // One update from the gradients currently in params.
  virtual void step(const std::vector<Param>& params) = 0;
  // > 0 when the update is plain gradient descent, w -= rate·g with no state: layers may
  // then apply it themselves during backward (Layer::descend_in_backward), and step()
  // sees only the parameters of layers that cannot.
  virtual float plain_descent_rate() const { return 0.0f; }
  // {"class_name": "Adam", "config": {"learning_rate": ..., ...}} as Keras writes it.
  virtual nlohmann::json to_json() const = 0;

  // Forgets momenta and step count: after restoring earlier weights, state built on the
  // diverged ones (NaN or huge) must not carry over.
  virtual void reset_state() { iterations_ = 0; }

  float learning_rate() const { return learning_rate_; }
  // May change between steps (the page changes it while training runs).
  void set_learning_rate(float lr) { learning_rate_ = lr; }
  long iterations() const { return iterations_; }

 protected:
  explicit Optimizer(float learning_rate) : learning_rate_(learning_rate) {}
  float learning_rate_;
  long iterations_ = 0;
};

// {"class_name": "SGD"|"Adam", "config": {...}} or a bare name ("sgd", "adam") with Keras
// defaults. Unknown optimisers or options out of range are an Error.
std::unique_ptr<Optimizer> make_optimizer(const nlohmann::json& description);

}  // namespace digitrain
