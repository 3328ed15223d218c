#pragma once
// Flatten: (H, W, C) -> (H*W*C). Rows are already flat in channels-last order, so the
// data passes through untouched.
#include "layers/layer.h"

namespace digitrain {

class Flatten final : public Layer {
 public:
  explicit Flatten(std::string name) : Layer(std::move(name)) {}
  const char* class_name() const override { return "Flatten"; }
  Shape plan(const Shape& input_shape) override;
  void reserve(int) override {}
  ConstMatrixView forward(ConstMatrixView x, bool) override { return x; }
  ConstMatrixView backward(ConstMatrixView dy) override { return needs_input_gradient_ ? dy : empty_view(); }
};

}  // namespace digitrain
