#include "layers/activation.h"

#include <cmath>

#include "core/error.h"
#include "kernels/elementwise.h"

namespace digitrain {

Activation parse_activation(const std::string& name, const std::string& layer_name) {
  if (name.empty() || name == "linear") return Activation::linear;
  if (name == "relu") return Activation::relu;
  if (name == "softmax") return Activation::softmax;
  if (name == "sigmoid") return Activation::sigmoid;
  if (name == "tanh") return Activation::tanh;
  if (name == "elu") return Activation::elu;
  if (name == "selu") return Activation::selu;
  if (name == "softplus") return Activation::softplus;
  throw Error("layer '" + layer_name + "': activation '" + name +
              "' is not supported (supported: linear, relu, softmax, sigmoid, tanh, elu, selu, softplus)");
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::relu: return "relu";
    case Activation::softmax: return "softmax";
    case Activation::sigmoid: return "sigmoid";
    case Activation::tanh: return "tanh";
    case Activation::elu: return "elu";
    case Activation::selu: return "selu";
    case Activation::softplus: return "softplus";
    case Activation::linear: break;
  }
  return "linear";
}

namespace {

// Subtracting the max keeps exp() finite for any finite logits.
void softmax_groups(float* z, long size, int group) {
  for (long start = 0; start < size; start += group) {
    float* v = z + start;
    float max = v[0];
    for (int i = 1; i < group; ++i) max = std::max(max, v[i]);
    float sum = 0.0f;
    for (int i = 0; i < group; ++i) {
      v[i] = std::exp(v[i] - max);
      sum += v[i];
    }
    const float inv = 1.0f / sum;
    for (int i = 0; i < group; ++i) v[i] *= inv;
  }
}

// The softmax Jacobian applied to dy: dz_i = y_i (dy_i - Σ_j dy_j y_j).
void softmax_backward_groups(const float* y, const float* dy, float* dz, long size, int group) {
  for (long start = 0; start < size; start += group) {
    float dot = 0.0f;
    for (int i = 0; i < group; ++i) dot += dy[start + i] * y[start + i];
    for (int i = 0; i < group; ++i) dz[start + i] = y[start + i] * (dy[start + i] - dot);
  }
}

// The element-wise activations, forward (from z) and backward (from y = f(z)). TF.js' cpu
// kernels are the reference: ELU and SELU take the exponential branch below 0 only, and
// softplus is written so that neither branch overflows (TF.js switches to z or exp(z) past
// ±13.9, which agrees to float precision).
template <class F>
void map_in_place(float* __restrict z, long n, F f) {
  for (long i = 0; i < n; ++i) z[i] = f(z[i]);
}

template <class F>
void map_backward(const float* __restrict y, const float* __restrict dy, float* __restrict dz, long n, F f) {
  for (long i = 0; i < n; ++i) dz[i] = dy[i] * f(y[i]);
}

void pointwise_forward(Activation a, float* z, long n) {
  switch (a) {
    case Activation::sigmoid: return map_in_place(z, n, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
    case Activation::tanh: return map_in_place(z, n, [](float v) { return std::tanh(v); });
    case Activation::elu: return map_in_place(z, n, [](float v) { return v >= 0.0f ? v : std::expm1(v); });
    case Activation::selu:
      return map_in_place(z, n,
                          [](float v) { return v >= 0.0f ? kSeluScale * v : kSeluScale * kSeluAlpha * std::expm1(v); });
    case Activation::softplus:
      return map_in_place(z, n,
                          [](float v) { return v > 0.0f ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v)); });
    default: return;
  }
}

void pointwise_backward(Activation a, const float* y, const float* dy, float* dz, long n) {
  switch (a) {
    case Activation::sigmoid: return map_backward(y, dy, dz, n, [](float v) { return v * (1.0f - v); });
    case Activation::tanh: return map_backward(y, dy, dz, n, [](float v) { return 1.0f - v * v; });
    // y = exp(z) - 1 below 0, so exp(z) = y + 1.
    case Activation::elu: return map_backward(y, dy, dz, n, [](float v) { return v >= 0.0f ? 1.0f : v + 1.0f; });
    // y = scale·alpha·(exp(z) - 1) below 0, so scale·alpha·exp(z) = y + scale·alpha.
    case Activation::selu:
      return map_backward(y, dy, dz, n, [](float v) { return v > 0.0f ? kSeluScale : v + kSeluScale * kSeluAlpha; });
    // softplus' derivative is sigmoid(z) = 1 - exp(-y); expm1 keeps it exact where y is tiny.
    case Activation::softplus: return map_backward(y, dy, dz, n, [](float v) { return -std::expm1(-v); });
    default: return;
  }
}

}  // namespace

void activation_forward(Activation a, MatrixView z, int group) {
  switch (a) {
    case Activation::linear: return;
    case Activation::relu: add_bias_relu(z.data(), z.rows(), static_cast<int>(z.cols()), nullptr, true); return;
    case Activation::softmax: softmax_groups(z.data(), z.size(), group); return;
    default: pointwise_forward(a, z.data(), z.size()); return;
  }
}

void activation_backward(Activation a, ConstMatrixView y, ConstMatrixView dy, MatrixView dz, int group) {
  switch (a) {
    case Activation::linear: dz = dy; return;
    // y > 0 exactly where z > 0; at the kink (z == 0) the gradient is 0, as in TF.
    case Activation::relu: relu_backward(y.data(), dy.data(), dz.data(), y.size()); return;
    case Activation::softmax: softmax_backward_groups(y.data(), dy.data(), dz.data(), y.size(), group); return;
    default: pointwise_backward(a, y.data(), dy.data(), dz.data(), y.size()); return;
  }
}

}  // namespace digitrain
