#include "layers/conv2d.h"

#include "core/error.h"
#include "kernels/elementwise.h"

namespace digitrain {

Conv2D::Conv2D(std::string name, Conv2DOptions options) : Layer(std::move(name)), options_(options) {
  if (options_.filters <= 0 || options_.filters > 65536)
    throw Error("layer '" + name_ + "': filters must be between 1 and 65536, got " + std::to_string(options_.filters));
  if (options_.kernel_h <= 0 || options_.kernel_w <= 0 || options_.kernel_h > 1024 || options_.kernel_w > 1024)
    throw Error("layer '" + name_ + "': kernel_size must be positive, got [" + std::to_string(options_.kernel_h) +
                ", " + std::to_string(options_.kernel_w) + "]");
}

Shape Conv2D::plan(const Shape& input_shape) {
  if (input_shape.size() != 3)
    throw Error("layer '" + name_ + "' (Conv2D): expects an input of shape (height, width, channels), got " +
                shape_string(input_shape));
  geometry_ = {input_shape[0], input_shape[1], input_shape[2], options_.kernel_h, options_.kernel_w};
  if (geometry_.out_h() <= 0 || geometry_.out_w() <= 0)
    throw Error("layer '" + name_ + "' (Conv2D): kernel " + std::to_string(options_.kernel_h) + "x" +
                std::to_string(options_.kernel_w) + " is larger than its input " + shape_string(input_shape));
  const uint64_t kernel = static_cast<uint64_t>(geometry_.patch()) * static_cast<uint64_t>(options_.filters);
  const uint64_t output = static_cast<uint64_t>(geometry_.out_h()) * geometry_.out_w() * options_.filters;
  if (kernel > kMaxTensorFloats || output > kMaxTensorFloats)
    throw Error("layer '" + name_ + "' (Conv2D): " + std::to_string(options_.filters) + " filters of " +
                std::to_string(options_.kernel_h) + "x" + std::to_string(options_.kernel_w) + " on " +
                shape_string(input_shape) + " are larger than this build allows");
  input_shape_ = input_shape;
  output_shape_ = {geometry_.out_h(), geometry_.out_w(), options_.filters};
  return output_shape_;
}

void Conv2D::allocate() {
  K_.setZero(geometry_.patch(), options_.filters);
  dK_.setZero(geometry_.patch(), options_.filters);
  b_.setZero(options_.filters);
  db_.setZero(options_.filters);
}

void Conv2D::initialize(Rng& rng) {
  const long receptive = static_cast<long>(options_.kernel_h) * options_.kernel_w;
  initialize_weights(options_.kernel_initializer, K_.data(), K_.size(), receptive * geometry_.C,
                     receptive * options_.filters, rng);
  if (options_.use_bias)
    initialize_weights(options_.bias_initializer, b_.data(), b_.size(), receptive * geometry_.C,
                       receptive * options_.filters, rng);
}

void Conv2D::reserve(int max_batch) {
  // 64-bit: max_batch * pixels can exceed an int; the buffers reject what is too large.
  const uint64_t rows64 = static_cast<uint64_t>(max_batch) * static_cast<uint64_t>(pixels_out());
  if (rows64 > kMaxTensorFloats)
    throw Error("layer '" + name_ + "': a batch of " + std::to_string(max_batch) + " is too large for this layer");
  const int rows = static_cast<int>(rows64);
  y_.reserve(rows, options_.filters);
  dz_.reserve(rows, options_.filters);
  // Reserved even for a first layer (small), so set_needs_input_gradient may change later.
  dx_.reserve(max_batch, static_cast<int>(shape_size(input_shape_)));
  dx_scratch_.reserve(1, static_cast<long>(conv_input_grad_scratch(geometry_, options_.filters, max_batch)));
}

ConstMatrixView Conv2D::forward(ConstMatrixView x, bool /*training*/) {
  batch_ = static_cast<int>(x.rows());
  const int rows = batch_ * pixels_out(), F = options_.filters;
  x_ = x.data();
  MatrixView y = y_.rows(rows);
  // Bias and ReLU inside the convolution; other activations (softmax) after the bias.
  const bool relu = options_.activation == Activation::relu;
  conv_forward(geometry_, F, batch_, x_, K_.data(), y.data(), options_.use_bias ? b_.data() : nullptr, relu);
  if (!relu) activation_forward(options_.activation, y, F);
  return ConstMatrixView(y.data(), batch_, static_cast<long>(pixels_out()) * F);
}

ConstMatrixView Conv2D::backward(ConstMatrixView dy) {
  const int rows = batch_ * pixels_out(), F = options_.filters;
  MatrixView dz = dz_.rows(rows);
  activation_backward(options_.activation, as_const(y_.rows(rows)), ConstMatrixView(dy.data(), rows, F), dz, F);
  return backward_from_preactivation(ConstMatrixView(dz.data(), batch_, static_cast<long>(pixels_out()) * F));
}

ConstMatrixView Conv2D::backward_from_preactivation(ConstMatrixView dz_batch) {
  const int rows = batch_ * pixels_out(), F = options_.filters;
  ConstMatrixView dz(dz_batch.data(), rows, F);
  conv_kernel_grad(geometry_, F, batch_, x_, dz.data(), dK_.data());
  if (options_.use_bias) column_sums(dz.data(), rows, F, db_.data());
  if (!needs_input_gradient_) return empty_view();
  float* dx = dx_.data();
  conv_input_grad(geometry_, F, batch_, dz.data(), K_.data(), dx, dx_scratch_.data(), fold_input_relu_ ? x_ : nullptr);
  return ConstMatrixView(dx, batch_, shape_size(input_shape_));
}

std::vector<Param> Conv2D::params() {
  std::vector<Param> p{{name_ + "/kernel",
                        {options_.kernel_h, options_.kernel_w, geometry_.C, options_.filters},
                        K_.data(), dK_.data(), K_.size()}};
  if (options_.use_bias) p.push_back({name_ + "/bias", {options_.filters}, b_.data(), db_.data(), b_.size()});
  return p;
}

}  // namespace digitrain
