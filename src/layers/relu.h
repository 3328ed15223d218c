#pragma once
// ReLU and LeakyReLU as layers of their own (Keras' layers.ReLU, layers.LeakyReLU):
//   y = x where x > 0, else slope·x      x (batch, n) -> y (batch, n)
// ReLU is slope 0; LeakyReLU's slope is Keras' `alpha` (0.3 by default in Keras 2 and TF.js).
// No weights. backward reads the input it was given (the layer before keeps it), so any
// slope, even a negative one, has its gradient.
#include "layers/layer.h"

namespace digitrain {

class ReLU final : public Layer {
 public:
  // leaky: written and read as LeakyReLU (with its slope) rather than ReLU.
  ReLU(std::string name, bool leaky, double negative_slope);
  const char* class_name() const override { return leaky_ ? "LeakyReLU" : "ReLU"; }
  Shape plan(const Shape& input_shape) override;
  void reserve(int max_batch) override;
  ConstMatrixView forward(ConstMatrixView x, bool training) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  // A plain ReLU says so, so that a Conv2D after it masks its input gradient while it has
  // it in cache (Layer::fold_input_relu); Sequential then hands this layer that gradient
  // through backward_from_preactivation, which passes it on untouched.
  Activation activation() const override { return slope_ == 0.0f ? Activation::relu : Activation::linear; }
  ConstMatrixView backward_from_preactivation(ConstMatrixView dz) override;
  bool leaky() const { return leaky_; }
  double negative_slope() const { return negative_slope_; }  // as configured (written back exactly)

 private:
  bool leaky_;
  double negative_slope_;
  float slope_;
  long size_ = 0;
  int batch_ = 0;
  const float* x_ = nullptr;  // the last forward's input
  BatchBuffer y_, dx_;
};

}  // namespace digitrain
