#pragma once
// Tensors are row-major float matrices with one sample per row. Image tensors keep
// Keras' channels-last order inside a row (H, W, C), so Flatten is free and weights
// line up with TF.js / Keras without transposes.
#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace digitrain {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVector = Eigen::Matrix<float, 1, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixView = Eigen::Map<Matrix>;
using ConstMatrixView = Eigen::Map<const Matrix>;

// 1 GiB of floats: the most one tensor (weights or a batch's activations) may hold. A wasm32
// heap tops out at 4 GiB, and a model description is untrusted input.
constexpr uint64_t kMaxTensorFloats = uint64_t{1} << 28;

inline ConstMatrixView as_const(const MatrixView& m) { return ConstMatrixView(m.data(), m.rows(), m.cols()); }

// Storage for a per-batch tensor, sized once for the largest batch. The last batch of
// an epoch is usually smaller; resizing an Eigen matrix to it would free and allocate,
// a view of fewer rows does not.
class BatchBuffer {
 public:
  // Throws an Error (not bad_alloc, not a wrapped size on wasm32) past kMaxTensorFloats.
  void reserve(int max_rows, long cols) {
    const uint64_t floats = static_cast<uint64_t>(max_rows) * static_cast<uint64_t>(cols);
    if (max_rows < 0 || cols < 0 || floats > kMaxTensorFloats)
      throw Error("a tensor of " + std::to_string(max_rows) + " x " + std::to_string(cols) +
                  " floats is larger than this build allows (" + std::to_string(kMaxTensorFloats) +
                  "); use a smaller model or batch size");
    if (floats > data_.size()) data_.resize(static_cast<size_t>(floats));
    cols_ = static_cast<int>(cols);
  }
  int max_rows() const { return cols_ == 0 ? 0 : static_cast<int>(data_.size() / cols_); }
  MatrixView rows(int n) { return MatrixView(data_.data(), n, cols_); }
  float* data() { return data_.data(); }

 private:
  std::vector<float> data_;
  int cols_ = 0;
};

// Shape of one sample, without the batch dimension: {784}, {28, 28, 1}, ...
using Shape = std::vector<int>;

inline long shape_size(const Shape& shape) {
  long n = 1;
  for (int d : shape) n *= d;
  return n;
}

// "(None, 26, 26, 16)" as Keras prints output shapes.
inline std::string shape_string(const Shape& shape) {
  std::string s = "(None";
  for (int d : shape) s += ", " + std::to_string(d);
  return s + ")";
}

// A trainable tensor and its gradient, as the optimiser sees it.
struct Param {
  std::string name;  // "dense/kernel"
  Shape shape;       // Keras shape: Dense kernel {in, out}, Conv2D kernel {kh, kw, in, out}
  float* value;
  float* grad;
  long size;
};

}  // namespace digitrain
