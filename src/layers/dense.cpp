#include "layers/dense.h"

#include "core/error.h"
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "kernels/sparse_rows.h"

namespace digitrain {

Dense::Dense(std::string name, DenseOptions options) : Layer(std::move(name)), options_(options) {
  if (options_.units <= 0 || options_.units > (1 << 20))
    throw Error("layer '" + name_ + "': units must be between 1 and 1048576, got " + std::to_string(options_.units));
}

Shape Dense::plan(const Shape& input_shape) {
  if (input_shape.size() != 1)
    throw Error("layer '" + name_ + "' (Dense): expects a flat input, got " + shape_string(input_shape) +
                "; add a Flatten layer before it");
  if (static_cast<uint64_t>(input_shape[0]) * static_cast<uint64_t>(options_.units) > kMaxTensorFloats)
    throw Error("layer '" + name_ + "' (Dense): a " + std::to_string(input_shape[0]) + " x " +
                std::to_string(options_.units) + " kernel is larger than this build allows");
  input_shape_ = input_shape;
  in_ = input_shape[0];
  output_shape_ = {options_.units};
  return output_shape_;
}

void Dense::allocate() {
  W_.setZero(in_, options_.units);
  dW_.setZero(in_, options_.units);
  b_.setZero(options_.units);
  db_.setZero(options_.units);
}

void Dense::initialize(Rng& rng) {
  initialize_weights(options_.kernel_initializer, W_.data(), W_.size(), in_, options_.units, rng);
  if (options_.use_bias) initialize_weights(options_.bias_initializer, b_.data(), b_.size(), in_, options_.units, rng);
}

void Dense::reserve(int max_batch) {
  y_.reserve(max_batch, options_.units);
  dz_.reserve(max_batch, options_.units);
  dx_.reserve(max_batch, in_);
  xt_.reserve(max_batch, in_);
}

ConstMatrixView Dense::forward(ConstMatrixView x, bool /*training*/) {
  batch_ = static_cast<int>(x.rows());
  x_ = x.data();
  MatrixView y = y_.rows(batch_);
  // MNIST pixels are mostly zero: the first layer's products skip them where that pays.
  sparse_input_ = sparse_rows_pay(x.data(), static_cast<long>(batch_) * in_, options_.units);
  if (sparse_input_)
    sparse_rows_gemm(x.data(), batch_, in_, W_.data(), options_.units, y.data());
  else
    gemm({batch_, options_.units, in_, x.data(), in_, false, W_.data(), options_.units, false, y.data(),
          options_.units, false});
  // Bias and ReLU in one vectorised pass; other activations (softmax) after the bias.
  const bool relu = options_.activation == Activation::relu;
  add_bias_relu(y.data(), batch_, options_.units, options_.use_bias ? b_.data() : nullptr, relu);
  if (!relu) activation_forward(options_.activation, y, options_.units);
  return ConstMatrixView(y.data(), batch_, options_.units);
}

ConstMatrixView Dense::backward(ConstMatrixView dy) {
  MatrixView dz = dz_.rows(batch_);
  activation_backward(options_.activation, as_const(y_.rows(batch_)), dy, dz, options_.units);
  return backward_from_preactivation(ConstMatrixView(dz.data(), batch_, options_.units));
}

ConstMatrixView Dense::backward_from_preactivation(ConstMatrixView dz) {
  const int out = options_.units;
  // dx = dz·Wᵀ, before a descending step changes W.
  float* dx = nullptr;
  if (needs_input_gradient_) {
    dx = dx_.rows(batch_).data();
    gemm({batch_, in_, out, dz.data(), out, false, W_.data(), out, true, dx, in_, false});
  }
  // dW = xᵀ·dz, or, descending, W += -rate·xᵀ·dz in the product's accumulate.
  const bool descend = descent_rate_ > 0.0f;
  float* target = descend ? W_.data() : dW_.data();
  const float alpha = descend ? -descent_rate_ : 1.0f;
  if (sparse_input_) {
    // A sparse x listed by column (one row of xᵀ per weight row): xᵀ·dz sums only the images
    // where each pixel is lit, and a descending step leaves never-lit pixels' rows alone.
    transpose(x_, batch_, in_, xt_.data());
    sparse_rows_gemm(xt_.data(), in_, batch_, dz.data(), out, target, descend, alpha);
  } else {
    gemm({in_, out, batch_, x_, in_, true, dz.data(), out, false, target, out, descend, alpha});
  }
  if (options_.use_bias) {
    column_sums(dz.data(), batch_, out, db_.data());
    if (descend)  // the bias's gradient is small: stepped from db_
      for (int j = 0; j < out; ++j) b_[j] -= descent_rate_ * db_[j];
  }
  return dx ? ConstMatrixView(dx, batch_, in_) : empty_view();
}

std::vector<Param> Dense::params() {
  std::vector<Param> p{{name_ + "/kernel", {in_, options_.units}, W_.data(), dW_.data(), W_.size()}};
  if (options_.use_bias) p.push_back({name_ + "/bias", {options_.units}, b_.data(), db_.data(), b_.size()});
  return p;
}

}  // namespace digitrain
