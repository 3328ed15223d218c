#include "layers/relu.h"

#include <cmath>

#include "core/error.h"
#include "kernels/elementwise.h"

namespace digitrain {

ReLU::ReLU(std::string name, bool leaky, double negative_slope)
    : Layer(std::move(name)),
      leaky_(leaky),
      negative_slope_(negative_slope),
      slope_(static_cast<float>(negative_slope)) {
  if (!std::isfinite(slope_)) throw Error("layer '" + name_ + "': the negative slope must be a finite number");
}

Shape ReLU::plan(const Shape& input_shape) {
  input_shape_ = output_shape_ = input_shape;
  size_ = shape_size(input_shape);
  return output_shape_;
}

void ReLU::reserve(int max_batch) {
  y_.reserve(max_batch, size_);
  dx_.reserve(max_batch, size_);
}

ConstMatrixView ReLU::forward(ConstMatrixView x, bool /*training*/) {
  // x (batch, n) -> y (batch, n)
  batch_ = static_cast<int>(x.rows());
  x_ = x.data();
  const long n = static_cast<long>(batch_) * size_;
  float* __restrict y = y_.rows(batch_).data();
  const float* __restrict in = x.data();
  const float slope = slope_;
  // TF.js: x < 0 ? alpha·x : x (so -0 and NaN pass unchanged).
  for (long i = 0; i < n; ++i) y[i] = in[i] < 0.0f ? slope * in[i] : in[i];
  return ConstMatrixView(y, batch_, size_);
}

ConstMatrixView ReLU::backward(ConstMatrixView dy) {
  if (!needs_input_gradient_) return empty_view();
  const long n = static_cast<long>(batch_) * size_;
  float* __restrict dx = dx_.rows(batch_).data();
  const float* __restrict x = x_;
  const float* __restrict d = dy.data();
  const float slope = slope_;
  // TF's gradient: dy where x > 0, else slope·dy (0 at the kink for ReLU).
  for (long i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? d[i] : slope * d[i];
  return ConstMatrixView(dx, batch_, size_);
}

ConstMatrixView ReLU::backward_from_preactivation(ConstMatrixView dz) {
  // Only called when activation() is relu and the next layer already masked dz by y > 0.
  return needs_input_gradient_ ? dz : empty_view();
}

}  // namespace digitrain
