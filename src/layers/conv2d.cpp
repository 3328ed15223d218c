#include "layers/conv2d.h"

#include <algorithm>

#include "core/error.h"
#include "kernels/elementwise.h"

namespace digitrain {

Conv2D::Conv2D(std::string name, Conv2DOptions options) : Layer(std::move(name)), options_(options) {
  if (options_.filters <= 0 || options_.filters > 65536)
    throw Error("layer '" + name_ + "': filters must be between 1 and 65536, got " + std::to_string(options_.filters));
  if (options_.kernel_h <= 0 || options_.kernel_w <= 0 || options_.kernel_h > 1024 || options_.kernel_w > 1024)
    throw Error("layer '" + name_ + "': kernel_size must be positive, got [" + std::to_string(options_.kernel_h) +
                ", " + std::to_string(options_.kernel_w) + "]");
  if (options_.stride_h <= 0 || options_.stride_w <= 0 || options_.stride_h > 1024 || options_.stride_w > 1024)
    throw Error("layer '" + name_ + "': strides must be positive, got [" + std::to_string(options_.stride_h) + ", " +
                std::to_string(options_.stride_w) + "]");
}

namespace {
// TF's 'same': ceil(in / stride) outputs; the padding they need, the odd one after.
void same_padding(int in, int kernel, int stride, int* before, int* after) {
  const int out = (in + stride - 1) / stride;
  const int total = std::max((out - 1) * stride + kernel - in, 0);
  *before = total / 2;
  *after = total - total / 2;
}
}  // namespace

Shape Conv2D::plan(const Shape& input_shape) {
  if (input_shape.size() != 3)
    throw Error("layer '" + name_ + "' (Conv2D): expects an input of shape (height, width, channels), got " +
                shape_string(input_shape));
  in_h_ = input_shape[0];
  in_w_ = input_shape[1];
  pad_top_ = pad_bottom_ = pad_left_ = pad_right_ = 0;
  if (options_.same_padding) {
    same_padding(in_h_, options_.kernel_h, options_.stride_h, &pad_top_, &pad_bottom_);
    same_padding(in_w_, options_.kernel_w, options_.stride_w, &pad_left_, &pad_right_);
  }
  geometry_ = {in_h_ + pad_top_ + pad_bottom_,
               in_w_ + pad_left_ + pad_right_,
               input_shape[2],
               options_.kernel_h,
               options_.kernel_w,
               options_.stride_h,
               options_.stride_w};
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
  if (padded()) {
    const long bordered = static_cast<long>(geometry_.H) * geometry_.W * geometry_.C;
    xp_.reserve(max_batch, bordered);
    dxp_.reserve(max_batch, bordered);
    // The borders are written here once and never again: pad_input fills only the inside.
    std::fill_n(xp_.data(), static_cast<long>(max_batch) * bordered, 0.0f);
  }
}

const float* Conv2D::pad_input(const float* x) {
  const int C = geometry_.C;
  const long row = static_cast<long>(in_w_) * C;
  float* xp = xp_.data();
  for (int n = 0; n < batch_; ++n)
    for (int iy = 0; iy < in_h_; ++iy)
      std::copy_n(x + (static_cast<long>(n) * in_h_ + iy) * row, row,
                  xp + ((static_cast<long>(n) * geometry_.H + pad_top_ + iy) * geometry_.W + pad_left_) * C);
  return xp;
}

ConstMatrixView Conv2D::forward(ConstMatrixView x, bool /*training*/) {
  batch_ = static_cast<int>(x.rows());
  const int rows = batch_ * pixels_out(), F = options_.filters;
  x_ = padded() ? pad_input(x.data()) : x.data();
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
  // Padded: the gradient of the bordered image (masked by the bordered input, whose border
  // is 0), then its inside.
  float* dxp = padded() ? dxp_.data() : dx;
  conv_input_grad(geometry_, F, batch_, dz.data(), K_.data(), dxp, dx_scratch_.data(), fold_input_relu_ ? x_ : nullptr);
  if (padded()) {
    const int C = geometry_.C;
    const long row = static_cast<long>(in_w_) * C;
    for (int n = 0; n < batch_; ++n)
      for (int iy = 0; iy < in_h_; ++iy)
        std::copy_n(dxp + ((static_cast<long>(n) * geometry_.H + pad_top_ + iy) * geometry_.W + pad_left_) * C, row,
                    dx + (static_cast<long>(n) * in_h_ + iy) * row);
  }
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
