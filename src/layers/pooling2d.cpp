#include "layers/pooling2d.h"

#include <algorithm>

#include "core/error.h"

namespace digitrain {

namespace {
// Output size and the padding before the first row, as TF works them out.
void pool_extent(int in, int pool, int stride, bool same, int& out, int& pad_before) {
  if (same) {
    out = (in + stride - 1) / stride;
    const int total = std::max((out - 1) * stride + pool - in, 0);
    pad_before = total / 2;
  } else {
    out = in >= pool ? (in - pool) / stride + 1 : 0;
    pad_before = 0;
  }
}
}  // namespace

Pooling2D::Pooling2D(std::string name, Pooling2DOptions options) : Layer(std::move(name)), options_(options) {
  if (options_.stride_h <= 0) options_.stride_h = options_.pool_h;
  if (options_.stride_w <= 0) options_.stride_w = options_.pool_w;
  if (options_.pool_h <= 0 || options_.pool_w <= 0 || options_.pool_h > 1024 || options_.pool_w > 1024 ||
      options_.stride_h > 1024 || options_.stride_w > 1024)
    throw Error("layer '" + name_ + "': pool_size and strides must be from 1 to 1024");
}

Shape Pooling2D::plan(const Shape& input_shape) {
  if (input_shape.size() != 3)
    throw Error("layer '" + name_ + "' (" + class_name() + "): expects an input of shape (height, width, channels), got " +
                shape_string(input_shape));
  H_ = input_shape[0];
  W_ = input_shape[1];
  C_ = input_shape[2];
  pool_extent(H_, options_.pool_h, options_.stride_h, options_.same_padding, OH_, pad_top_);
  pool_extent(W_, options_.pool_w, options_.stride_w, options_.same_padding, OW_, pad_left_);
  if (OH_ <= 0 || OW_ <= 0)
    throw Error("layer '" + name_ + "' (" + class_name() + "): pool " + std::to_string(options_.pool_h) + "x" +
                std::to_string(options_.pool_w) + " is larger than its input " + shape_string(input_shape) +
                " (padding 'valid')");
  input_shape_ = input_shape;
  output_shape_ = {OH_, OW_, C_};
  return output_shape_;
}

void Pooling2D::reserve(int max_batch) {
  const long out = static_cast<long>(OH_) * OW_ * C_;
  y_.reserve(max_batch, out);
  dx_.reserve(max_batch, shape_size(input_shape_));
  if (options_.kind == Pooling2DOptions::Kind::max) argmax_.resize(static_cast<size_t>(max_batch) * out);
}

ConstMatrixView Pooling2D::forward(ConstMatrixView x, bool /*training*/) {
  batch_ = static_cast<int>(x.rows());
  const long in_size = static_cast<long>(H_) * W_ * C_, out_size = static_cast<long>(OH_) * OW_ * C_;
  MatrixView y = y_.rows(batch_);
  const bool max = options_.kind == Pooling2DOptions::Kind::max;
  for (int n = 0; n < batch_; ++n) {
    const float* xi = x.data() + n * in_size;
    float* yi = y.data() + n * out_size;
    int32_t* arg = max ? argmax_.data() + n * out_size : nullptr;
    for (int oy = 0; oy < OH_; ++oy) {
      const int y0 = oy * options_.stride_h - pad_top_;
      const int r0 = std::max(y0, 0), r1 = std::min(y0 + options_.pool_h, H_);
      for (int ox = 0; ox < OW_; ++ox) {
        const int x0 = ox * options_.stride_w - pad_left_;
        const int c0 = std::max(x0, 0), c1 = std::min(x0 + options_.pool_w, W_);
        float* out = yi + (static_cast<long>(oy) * OW_ + ox) * C_;
        int32_t* where = max ? arg + (static_cast<long>(oy) * OW_ + ox) * C_ : nullptr;
        // The window's first pixel starts every channel; the rest compare (max) or add (average).
        const int first = (r0 * W_ + c0) * C_;
        for (int c = 0; c < C_; ++c) {
          out[c] = xi[first + c];
          if (max) where[c] = first + c;
        }
        for (int r = r0; r < r1; ++r)
          for (int col = (r == r0 ? c0 + 1 : c0); col < c1; ++col) {
            const int at = (r * W_ + col) * C_;
            if (max) {
              for (int c = 0; c < C_; ++c)
                if (xi[at + c] > out[c]) {
                  out[c] = xi[at + c];
                  where[c] = at + c;
                }
            } else {
              for (int c = 0; c < C_; ++c) out[c] += xi[at + c];
            }
          }
        if (!max) {
          const float inv = 1.0f / static_cast<float>((r1 - r0) * (c1 - c0));
          for (int c = 0; c < C_; ++c) out[c] *= inv;
        }
      }
    }
  }
  return ConstMatrixView(y.data(), batch_, out_size);
}

ConstMatrixView Pooling2D::backward(ConstMatrixView dy) {
  if (!needs_input_gradient_) return empty_view();
  const long in_size = static_cast<long>(H_) * W_ * C_, out_size = static_cast<long>(OH_) * OW_ * C_;
  MatrixView dx = dx_.rows(batch_);
  dx.setZero();
  const bool max = options_.kind == Pooling2DOptions::Kind::max;
  for (int n = 0; n < batch_; ++n) {
    float* dxi = dx.data() + n * in_size;
    const float* dyi = dy.data() + n * out_size;
    if (max) {
      // Each output's gradient goes to the input it came from.
      const int32_t* arg = argmax_.data() + n * out_size;
      for (long o = 0; o < out_size; ++o) dxi[arg[o]] += dyi[o];
      continue;
    }
    for (int oy = 0; oy < OH_; ++oy) {
      const int y0 = oy * options_.stride_h - pad_top_;
      const int r0 = std::max(y0, 0), r1 = std::min(y0 + options_.pool_h, H_);
      for (int ox = 0; ox < OW_; ++ox) {
        const int x0 = ox * options_.stride_w - pad_left_;
        const int c0 = std::max(x0, 0), c1 = std::min(x0 + options_.pool_w, W_);
        const float inv = 1.0f / static_cast<float>((r1 - r0) * (c1 - c0));
        const float* g = dyi + (static_cast<long>(oy) * OW_ + ox) * C_;
        for (int r = r0; r < r1; ++r)
          for (int col = c0; col < c1; ++col) {
            float* d = dxi + (static_cast<long>(r) * W_ + col) * C_;
            for (int c = 0; c < C_; ++c) d[c] += g[c] * inv;
          }
      }
    }
  }
  return ConstMatrixView(dx.data(), batch_, in_size);
}

}  // namespace digitrain
