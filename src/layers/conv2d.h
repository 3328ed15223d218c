#pragma once
// Conv2D, channels-last, valid or same padding, any strides:
//   x (batch, H, W, C)  kernel (KH, KW, C, F)  bias (F)  y (batch, OH, OW, F)
//   valid: OH = (H - KH) / SH + 1     same: OH = ceil(H / SH) (and the same along W)
// Computed as products on the shared micro-kernel that read the images in place (kernels/conv.h).
// 'same' pads as TF does (the odd zero row or column after, not before): x is copied into a
// zero-bordered image first, and the input gradient cropped back out of the bordered one.
#include "kernels/conv.h"
#include "layers/initializer.h"
#include "layers/layer.h"

namespace digitrain {

struct Conv2DOptions {
  int filters = 0;
  int kernel_h = 3, kernel_w = 3;
  int stride_h = 1, stride_w = 1;
  bool same_padding = false;
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
  bool padded() const { return pad_top_ + pad_left_ + pad_bottom_ + pad_right_ > 0; }
  // x into the bordered image xp_ (borders stay zero from reserve); returns xp_'s rows.
  const float* pad_input(const float* x);

  Conv2DOptions options_;
  ConvGeometry geometry_{};  // of the bordered image when padded
  int in_h_ = 0, in_w_ = 0;  // the unbordered input
  int pad_top_ = 0, pad_left_ = 0, pad_bottom_ = 0, pad_right_ = 0;
  Matrix K_, dK_;
  RowVector b_, db_;
  int batch_ = 0;
  const float* x_ = nullptr;  // the last forward's input, for dK
  bool fold_input_relu_ = false;
  BatchBuffer y_, dz_, dx_, dx_scratch_;
  BatchBuffer xp_, dxp_;  // same padding only: the bordered input and its gradient
};

}  // namespace digitrain
