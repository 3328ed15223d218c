#pragma once
// Dense: y = f(x·W + b)     x (batch, in)  W (in, out)  b (1, out)
#include "layers/initializer.h"
#include "layers/layer.h"

namespace digitrain {

struct DenseOptions {
  int units = 0;
  Activation activation = Activation::linear;
  bool use_bias = true;
  Initializer kernel_initializer{Initializer::Kind::glorot_uniform};
  Initializer bias_initializer{Initializer::Kind::zeros};
};

class Dense final : public Layer {
 public:
  Dense(std::string name, DenseOptions options);
  const char* class_name() const override { return "Dense"; }
  Shape plan(const Shape& input_shape) override;
  void allocate() override;
  void initialize(Rng& rng) override;
  void reserve(int max_batch) override;
  ConstMatrixView forward(ConstMatrixView x, bool training) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  ConstMatrixView backward_from_preactivation(ConstMatrixView dz) override;
  std::vector<Param> params() override;
  bool descend_in_backward(float rate) override {
    descent_rate_ = rate;
    return true;
  }
  Activation activation() const override { return options_.activation; }
  const DenseOptions& options() const { return options_; }

  Matrix& kernel() { return W_; }
  RowVector& bias() { return b_; }

 private:
  DenseOptions options_;
  int in_ = 0;
  Matrix W_, dW_;
  RowVector b_, db_;
  const float* x_ = nullptr;  // the last forward's input, for dW
  int batch_ = 0;
  bool sparse_input_ = false;  // the last forward's x was mostly zeros (MNIST pixels)
  float descent_rate_ = 0.0f;
  BatchBuffer y_, dz_, dx_, xt_;  // xt_: x transposed, for a sparse x's weight gradient
};

}  // namespace digitrain
