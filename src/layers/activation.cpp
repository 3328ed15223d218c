#include "layers/activation.h"

#include <cmath>

#include "core/error.h"
#include "kernels/elementwise.h"

namespace digitrain {

Activation parse_activation(const std::string& name, const std::string& layer_name) {
  if (name.empty() || name == "linear") return Activation::linear;
  if (name == "relu") return Activation::relu;
  if (name == "softmax") return Activation::softmax;
  throw Error("layer '" + layer_name + "': activation '" + name +
              "' is not supported (supported: linear, relu, softmax)");
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::relu: return "relu";
    case Activation::softmax: return "softmax";
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

}  // namespace

void activation_forward(Activation a, MatrixView z, int group) {
  switch (a) {
    case Activation::linear: return;
    case Activation::relu: add_bias_relu(z.data(), z.rows(), static_cast<int>(z.cols()), nullptr, true); return;
    case Activation::softmax: softmax_groups(z.data(), z.size(), group); return;
  }
}

void activation_backward(Activation a, ConstMatrixView y, ConstMatrixView dy, MatrixView dz, int group) {
  switch (a) {
    case Activation::linear: dz = dy; return;
    // y > 0 exactly where z > 0; at the kink (z == 0) the gradient is 0, as in TF.
    case Activation::relu: relu_backward(y.data(), dy.data(), dz.data(), y.size()); return;
    case Activation::softmax: softmax_backward_groups(y.data(), dy.data(), dz.data(), y.size(), group); return;
  }
}

}  // namespace digitrain
