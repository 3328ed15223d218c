#pragma once
// The 4×8 micro-kernel: one 4×8 tile of C from kc steps of two operand panels.
//   a  at each k, op(A)'s 4 tile rows as 4 adjacent floats; the next k is a_step floats on.
//   b  at each k, op(B)'s 8 tile columns as 8 adjacent floats; the next k is b_step on.
//   c  a full 4×8 tile, row stride ldc: C = a·b, or C += a·b when accumulate.
// Packed panels have a_step = 4 and b_step = 8. The steps also let gemm read A stored K×M
// (a_step = lda) and B stored K×N (b_step = ldb) in place, with no packing.
// Nothing need be aligned. The kernel always reads and writes the whole tile: the caller
// handles edge tiles (zero-padded panels, and a local 4×8 tile with ldc = 8).
// kc == 0 is allowed (writes zeros, or leaves C unchanged when accumulate).
namespace digitrain {

void gemm_4x8(int kc, const float* a, int a_step, const float* b, int b_step, float* c, int ldc,
              bool accumulate);

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
