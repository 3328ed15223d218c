#pragma once
// Dropout: while training, each value is kept with probability 1 - rate and scaled by
// 1 / (1 - rate) (Keras' inverted dropout), else zeroed; at inference it passes unchanged.
//   x (batch, n) -> y (batch, n)
// The masks come from the layer's own generator, seeded from the model's seed (or the
// config's `seed`), so one seed gives one run natively and in WASM.
#include "layers/layer.h"

namespace digitrain {

class Dropout final : public Layer {
 public:
  Dropout(std::string name, double rate, bool has_seed = false, uint64_t seed = 0);
  const char* class_name() const override { return "Dropout"; }
  Shape plan(const Shape& input_shape) override;
  void initialize(Rng& rng) override;
  void reserve(int max_batch) override;
  ConstMatrixView forward(ConstMatrixView x, bool training) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  double rate() const { return rate_; }
  bool has_seed() const { return has_seed_; }
  uint64_t seed() const { return seed_; }
  // Restarts the masks from `state` (tests: the same mask for every forward).
  void reseed(uint64_t state) { state_ = state; }

 private:
  double rate_;
  bool has_seed_;
  uint64_t seed_, state_ = 0;
  long size_ = 0;
  int batch_ = 0;
  bool passed_ = true;  // the last forward let x through unchanged
  BatchBuffer y_, mask_, dx_;
};

}  // namespace digitrain
