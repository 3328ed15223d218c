#pragma once
// The per-element passes around a layer's product, written as plain loops over __restrict
// pointers so that both g++ and clang (WASM) vectorise them. Eigen's expressions for the
// same work (rowwise() += b, select(), colwise().sum()) stayed scalar in WASM and took a
// fifth of a CNN step there.
//   y, dy, dz: (rows, cols) row-major   bias, sums: (cols)
namespace digitrain {

// y = y + bias (bias may be null), then max(y, 0) when relu: one pass. NaN stays NaN.
void add_bias_relu(float* y, long rows, int cols, const float* bias, bool relu);

// dz = dy where y > 0, else 0 (ReLU's gradient from its output; 0 at the kink, as TF).
void relu_backward(const float* y, const float* dy, float* dz, long n);

// d = 0 where y ≤ 0, in place: relu_backward with dz = dy.
void mask_where_not_positive(const float* y, float* d, long n);

// sums[j] = Σ_i x[i, j] (the bias gradient), overwritten.
void column_sums(const float* x, long rows, int cols, float* sums);

}  // namespace digitrain
