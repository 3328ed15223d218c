#pragma once
// y = x·W where most entries of x are zero: MNIST's pixels are 19 % non-zero, so the first
// Dense layer's dense product spends four fifths of its multiplies on zeros. Each row of x
// is listed as (column, value) pairs, and y's row is summed over the listed rows of W only,
// four vectors of columns at a time (16 columns in WASM, 64 with AVX-512).
//   x (rows, k)   W (k, n)   y (rows, n), all row-major and contiguous.
// y = alpha·x·W, or y += alpha·x·W when accumulate (then rows of x with no non-zero entry
// leave y's row untouched): Dense's weight gradient xᵀ·dz, and its fused SGD step.
// The sums skip x's zeros instead of adding 0·w: equal to gemm's up to rounding order, but
// a zero times an infinite weight gives 0 here rather than NaN.
namespace digitrain {

void sparse_rows_gemm(const float* x, int rows, int k, const float* w, int n, float* y, bool accumulate = false,
                      float alpha = 1.0f);

// xt (cols, rows) = x (rows, cols)ᵀ: Dense's weight gradient lists its sparse input by column.
void transpose(const float* x, int rows, int cols, float* xt);

// Whether y = x·W, x (count entries), W n columns wide, is sparse enough for
// sparse_rows_gemm to beat gemm: at most 30 % non-zero. 256 MNIST images through 784×300
// took 1.5 ms against gemm's 4.2 in WASM (4 lanes, no FMA) and 0.75 against 1.12 natively
// (AVX-512); 32 images 87 against 140 us. Outputs narrower than 16 columns stay with gemm:
// the CNN's 10-unit Dense after its ReLUs predicted 9 % slower with its columns summed one
// at a time.
bool sparse_rows_pay(const float* x, long count, int n);

}  // namespace digitrain
