#pragma once
// Float vectors of W lanes (4, 8 or 16) in GNU vector extensions, so one kernel source
// compiles to WASM SIMD (f32x4) with em++ and to SSE, AVX2 or AVX-512 with g++.
// wasm_simd128.h or x86 intrinsics would each tie the source to one target.
namespace digitrain {

template <int W>
struct VecOf;
template <>
struct VecOf<4> {
  typedef float type __attribute__((vector_size(16)));
};
template <>
struct VecOf<8> {
  typedef float type __attribute__((vector_size(32)));
};
template <>
struct VecOf<16> {
  typedef float type __attribute__((vector_size(64)));
};
template <int W>
using Vec = typename VecOf<W>::type;
typedef Vec<4> v4f;

// The widest vector this build's target has: 16 lanes with AVX-512, 8 with AVX2, else 4
// (WASM SIMD, SSE). Wider types still compile elsewhere (as pairs of narrower ops), but
// the kernels only pick what the target has.
#if defined(__AVX512F__)
constexpr int kMaxLanes = 16;
#elif defined(__AVX2__) && defined(__FMA__)
constexpr int kMaxLanes = 8;
#else
constexpr int kMaxLanes = 4;
#endif

// memcpy keeps loads and stores alignment-free; both compilers emit one vector move.
template <int W>
inline Vec<W> load(const float* p) {
  Vec<W> v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
template <int W>
inline void store(float* p, Vec<W> v) {
  __builtin_memcpy(p, &v, sizeof v);
}
inline v4f load4(const float* p) { return load<4>(p); }
inline void store4(float* p, v4f v) { store<4>(p, v); }

// A shuffle of lane 0 becomes v128.load32_splat in WASM and vbroadcastss natively.
// v4f{} + s would add an f32x4.add of zero that clang may not drop (signed zeros), which
// halved throughput in V8 (docs/toolchain.md).
template <int W>
inline Vec<W> splat(const float* p) {
  const Vec<W> v = {*p};
  if constexpr (W == 4)
    return __builtin_shufflevector(v, v, 0, 0, 0, 0);
  else if constexpr (W == 8)
    return __builtin_shufflevector(v, v, 0, 0, 0, 0, 0, 0, 0, 0);
  else
    return __builtin_shufflevector(v, v, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

}  // namespace digitrain
