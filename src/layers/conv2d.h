#pragma once
// Conv2D, valid padding, stride 1, channels-last (as tutorial T3):
//   x (batch, H, W, C)  kernel (KH, KW, C, F)  bias (F)  y (batch, H-KH+1, W-KW+1, F)
// Computed as products on the shared micro-kernel that read the images in place (kernels/conv.h).
#include "kernels/conv.h"
#include "layers/initializer.h"
#include "layers/layer.h"

namespace digitrain {

struct Conv2DOptions {
  int filters = 0;
  int kernel_h = 3, kernel_w = 3;
  Activation activation = Activation::linear;
  bool use_bias = true;
  Initializer kernel_initializer{Initializer::Kind::glorot_uniform};
  Initializer bias_initializer{Initializer::Kind::zeros};
};

class Conv2D final : public Layer {
 public:
  Conv2D(std::string name, Conv2DOptions options);
  const char* class_name() const override { return "Conv2D"; }
  Shape plan(const Shape& input_shape) override;
  void allocate() override;
  void initialize(Rng& rng) override;
  void reserve(int max_batch) override;
  ConstMatrixView forward(ConstMatrixView x, bool training) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  ConstMatrixView backward_from_preactivation(ConstMatrixView dz) override;
  bool fold_input_relu(bool fold) override { return fold_input_relu_ = fold; }
  std::vector<Param> params() override;
  Activation activation() const override { return options_.activation; }
  const Conv2DOptions& options() const { return options_; }

  Matrix& kernel() { return K_; }  // (KH*KW*C, F) = TF's [kh, kw, in, out] flattened
  RowVector& bias() { return b_; }

 private:
  int pixels_out() const { return geometry_.out_h() * geometry_.out_w(); }

  Conv2DOptions options_;
  ConvGeometry geometry_{};
  Matrix K_, dK_;
  RowVector b_, db_;
  int batch_ = 0;
  const float* x_ = nullptr;  // the last forward's input, for dK
  bool fold_input_relu_ = false;
  BatchBuffer y_, dz_, dx_, dx_scratch_;
};

}  // namespace digitrain
