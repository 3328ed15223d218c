#pragma once
// The 4×8 micro-kernel: one 4×8 tile of C from kc steps of an A and a B operand.
//   a  tile element (row r, step k) of op(A) at a[r*a_row + k*a_step]
//   b  tile element (step k, column j) of op(B) at b[k*b_step + j]: 8 adjacent floats
//   c  a full 4×8 tile, row stride ldc: C = a·b, or C += a·b when accumulate
// Packed panels are a_row = 1, a_step = 4 and b_step = 8. Other strides let gemm read
// operands in place: A stored K×M (a_row 1, a_step lda), A stored M×K (a_row lda,
// a_step 1), B stored K×N (b_step ldb). a_row == 1 takes the faster loop.
// Nothing need be aligned. The kernel always reads and writes the whole tile: the caller
// handles edge tiles (zero-padded panels, and a local 4×8 tile with ldc = 8).
// kc == 0 is allowed (writes zeros, or leaves C unchanged when accumulate).
namespace digitrain {

void gemm_4x8(int kc, const float* a, int a_row, int a_step, const float* b, int b_step, float* c,
              int ldc, bool accumulate);

// GNU vector extensions rather than wasm_simd128.h or x86 intrinsics: g++ (native tests)
// and em++ -msimd128 compile the kernel and the packing to SSE/AVX and to f32x4 ops alike.
typedef float v4f __attribute__((vector_size(16)));

// memcpy keeps loads and stores alignment-free; both compilers emit one vector move.
inline v4f load4(const float* p) {
  v4f v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, v4f v) { __builtin_memcpy(p, &v, sizeof v); }

}  // namespace digitrain
