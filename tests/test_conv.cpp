// The in-place convolution products (kernels/conv.h) against naive loops in double: the
// forward output, the kernel gradient and the input gradient, on shapes that give whole
// tiles, edge tiles in both directions, a single output row or column, 1×1 and full-size
// kernels, and the preset's two layers. Also the adjoint identities that make the two
// gradients the gradients of the forward.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/random.h"
#include "kernels/conv.h"

namespace digitrain {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<float> random_vector(Rng& rng, size_t n) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform(-1, 1);
  return v;
}

struct Shape {
  ConvGeometry g;
  int F, batch;
};

std::string describe(const Shape& s) {
  return "H W C KH KW F batch = " + std::to_string(s.g.H) + " " + std::to_string(s.g.W) + " " + std::to_string(s.g.C) +
         " " + std::to_string(s.g.KH) + " " + std::to_string(s.g.KW) + " " + std::to_string(s.F) + " " +
         std::to_string(s.batch) + ", strides " + std::to_string(s.g.SH) + "x" + std::to_string(s.g.SW);
}

// x[n, y, x, c], kernel[ky, kx, c, f], y[n, oy, ox, f] as flat indices.
struct Index {
  const Shape& s;
  long x(int n, int y, int xx, int c) const { return ((static_cast<long>(n) * s.g.H + y) * s.g.W + xx) * s.g.C + c; }
  long k(int ky, int kx, int c, int f) const { return ((static_cast<long>(ky) * s.g.KW + kx) * s.g.C + c) * s.F + f; }
  long y(int n, int oy, int ox, int f) const {
    return ((static_cast<long>(n) * s.g.out_h() + oy) * s.g.out_w() + ox) * s.F + f;
  }
};

// Calls f(n, oy, ox, ky, kx, c, f) for every term of the convolution.
template <class Fn>
void for_each_term(const Shape& s, Fn fn) {
  for (int n = 0; n < s.batch; ++n)
    for (int oy = 0; oy < s.g.out_h(); ++oy)
      for (int ox = 0; ox < s.g.out_w(); ++ox)
        for (int ky = 0; ky < s.g.KH; ++ky)
          for (int kx = 0; kx < s.g.KW; ++kx)
            for (int c = 0; c < s.g.C; ++c)
              for (int f = 0; f < s.F; ++f) fn(n, oy, ox, ky, kx, c, f);
}

void expect_close(const std::vector<float>& got, const std::vector<double>& want, const std::vector<double>& bound,
                  const char* what) {
  ASSERT_EQ(got.size(), want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (!(std::fabs(got[i] - want[i]) <= 1e-5 * bound[i] + 1e-30)) {
      ++bad;
      ADD_FAILURE() << what << "[" << i << "] = " << got[i] << ", expected " << want[i];
    }
}

void check(const Shape& s, uint64_t seed) {
  SCOPED_TRACE(describe(s));
  const ConvGeometry& g = s.g;
  const Index at{s};
  Rng rng(seed);
  const size_t x_size = static_cast<size_t>(s.batch) * g.H * g.W * g.C;
  const size_t y_size = static_cast<size_t>(s.batch) * g.out_h() * g.out_w() * s.F;
  const size_t k_size = static_cast<size_t>(g.patch()) * s.F;
  const std::vector<float> x = random_vector(rng, x_size), kernel = random_vector(rng, k_size),
                           dz = random_vector(rng, y_size);

  std::vector<double> y_ref(y_size), dk_ref(k_size), dx_ref(x_size), y_abs(y_size), dk_abs(k_size), dx_abs(x_size);
  for_each_term(s, [&](int n, int oy, int ox, int ky, int kx, int c, int f) {
    const long xi = at.x(n, oy * g.SH + ky, ox * g.SW + kx, c);
    const double xv = x[xi], kv = kernel[at.k(ky, kx, c, f)], dv = dz[at.y(n, oy, ox, f)];
    y_ref[at.y(n, oy, ox, f)] += xv * kv;
    y_abs[at.y(n, oy, ox, f)] += std::fabs(xv * kv);
    dk_ref[at.k(ky, kx, c, f)] += xv * dv;
    dk_abs[at.k(ky, kx, c, f)] += std::fabs(xv * dv);
    dx_ref[xi] += dv * kv;
    dx_abs[xi] += std::fabs(dv * kv);
  });

  // Outputs start as NaN: every element must be overwritten.
  std::vector<float> y(y_size, kNaN), dk(k_size, kNaN), dx(x_size, kNaN);
  std::vector<float> scratch(conv_input_grad_scratch(g, s.F, s.batch), kNaN);
  conv_forward(g, s.F, s.batch, x.data(), kernel.data(), y.data());
  conv_kernel_grad(g, s.F, s.batch, x.data(), dz.data(), dk.data());
  conv_input_grad(g, s.F, s.batch, dz.data(), kernel.data(), dx.data(), scratch.data());
  expect_close(y, y_ref, y_abs, "y");
  expect_close(dk, dk_ref, dk_abs, "dkernel");
  expect_close(dx, dx_ref, dx_abs, "dx");
}

TEST(Conv, AgainstNaiveLoops) {
  const Shape shapes[] = {
      {{3, 3, 1, 3, 3}, 1, 1},     // one output pixel
      {{5, 6, 2, 3, 2}, 3, 2},     // the gradient tests' layer
      {{4, 4, 3, 1, 1}, 5, 2},     // 1×1 kernel
      {{7, 5, 1, 7, 1}, 2, 1},     // kernel as tall as the image: one output row
      {{5, 9, 3, 2, 9}, 4, 2},     // kernel as wide as the image: one output column
      {{8, 9, 4, 3, 3}, 8, 2},     // whole 8-wide panels
      {{14, 15, 2, 3, 3}, 17, 2},  // 17 filters: a full panel and an edge
      {{9, 30, 5, 2, 4}, 33, 1},   // wide rows, filters past 32
      {{28, 28, 1, 3, 3}, 16, 2},  // T3's first layer
      {{26, 26, 16, 3, 3}, 8, 2},  // T3's second layer
  };
  uint64_t seed = 1;
  for (const Shape& s : shapes) check(s, seed++);
}

// Strides: pixels a stride apart, strides that do not divide H - KH (the last rows and
// columns are read by no window, so their input gradient is 0), strides larger than the
// kernel (some pixels between windows are read by none), unequal strides.
TEST(Conv, StridedAgainstNaiveLoops) {
  const Shape shapes[] = {
      {{6, 6, 1, 2, 2, 2, 2}, 3, 2},     // stride = kernel: windows tile the image
      {{7, 8, 2, 3, 3, 2, 2}, 5, 2},     // overlapping windows; W - KW odd: a column unread
      {{9, 9, 3, 2, 2, 3, 3}, 4, 1},     // stride past the kernel: pixels between windows unread
      {{10, 7, 2, 3, 2, 2, 1}, 17, 2},   // unequal strides, 17 filters
      {{28, 28, 1, 5, 5, 2, 2}, 16, 2},  // MNIST-sized, 5x5 stride 2
      {{5, 5, 4, 5, 5, 2, 3}, 3, 1},     // one output pixel
  };
  uint64_t seed = 20;
  for (const Shape& s : shapes) check(s, seed++);
}

// The bias and ReLU that conv_forward applies row by row equal a pass over its plain output.
TEST(Conv, ForwardAddsBiasAndRelu) {
  const Shape shapes[] = {{{28, 28, 1, 3, 3}, 16, 2}, {{26, 26, 16, 3, 3}, 8, 2}, {{9, 30, 5, 2, 4}, 33, 1}};
  Rng rng(91);
  for (const Shape& s : shapes) {
    const ConvGeometry& g = s.g;
    const size_t x_size = static_cast<size_t>(s.batch) * g.H * g.W * g.C;
    const size_t y_size = static_cast<size_t>(s.batch) * g.out_h() * g.out_w() * s.F;
    const std::vector<float> x = random_vector(rng, x_size), kernel = random_vector(rng, static_cast<size_t>(g.patch()) * s.F),
                             bias = random_vector(rng, s.F);
    std::vector<float> plain(y_size), fused(y_size, kNaN);
    conv_forward(g, s.F, s.batch, x.data(), kernel.data(), plain.data());
    conv_forward(g, s.F, s.batch, x.data(), kernel.data(), fused.data(), bias.data(), /*relu=*/true);
    for (size_t i = 0; i < y_size; ++i)
      ASSERT_EQ(fused[i], std::max(plain[i] + bias[i % s.F], 0.0f)) << describe(s) << " at " << i;
  }
}

// With x as its mask, the input gradient is 0 exactly where x ≤ 0 and unchanged elsewhere.
TEST(Conv, InputGradientThroughTheReluBefore) {
  const Shape s{{26, 26, 16, 3, 3}, 8, 2};
  const ConvGeometry& g = s.g;
  Rng rng(92);
  const size_t x_size = static_cast<size_t>(s.batch) * g.H * g.W * g.C;
  const std::vector<float> x = random_vector(rng, x_size), kernel = random_vector(rng, static_cast<size_t>(g.patch()) * s.F),
                           dz = random_vector(rng, static_cast<size_t>(s.batch) * g.out_h() * g.out_w() * s.F);
  std::vector<float> plain(x_size), masked(x_size, kNaN), scratch(conv_input_grad_scratch(g, s.F, s.batch));
  conv_input_grad(g, s.F, s.batch, dz.data(), kernel.data(), plain.data(), scratch.data());
  conv_input_grad(g, s.F, s.batch, dz.data(), kernel.data(), masked.data(), scratch.data(), /*relu_mask=*/x.data());
  for (size_t i = 0; i < x_size; ++i) ASSERT_EQ(masked[i], x[i] > 0.0f ? plain[i] : 0.0f) << "at " << i;
}

// <conv(x, K), dz> = <K, dkernel(x, dz)> = <x, dx(dz, K)>: the two gradients are the
// adjoints of the forward in K and in x.
TEST(Conv, GradientsAreAdjointsOfTheForward) {
  const Shape s{{11, 10, 3, 3, 2}, 6, 3};
  const ConvGeometry& g = s.g;
  Rng rng(90);
  const size_t x_size = static_cast<size_t>(s.batch) * g.H * g.W * g.C;
  const size_t y_size = static_cast<size_t>(s.batch) * g.out_h() * g.out_w() * s.F;
  const size_t k_size = static_cast<size_t>(g.patch()) * s.F;
  const std::vector<float> x = random_vector(rng, x_size), kernel = random_vector(rng, k_size),
                           dz = random_vector(rng, y_size);
  std::vector<float> y(y_size), dk(k_size), dx(x_size), scratch(conv_input_grad_scratch(g, s.F, s.batch));
  conv_forward(g, s.F, s.batch, x.data(), kernel.data(), y.data());
  conv_kernel_grad(g, s.F, s.batch, x.data(), dz.data(), dk.data());
  conv_input_grad(g, s.F, s.batch, dz.data(), kernel.data(), dx.data(), scratch.data());
  auto dot = [](const std::vector<float>& a, const std::vector<float>& b) {
    double sum = 0.0;
    for (size_t i = 0; i < a.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
    return sum;
  };
  const double forward = dot(y, dz), scale = std::sqrt(static_cast<double>(y_size) * g.patch());
  EXPECT_NEAR(dot(kernel, dk), forward, 1e-5 * scale);
  EXPECT_NEAR(dot(x, dx), forward, 1e-5 * scale);
}

}  // namespace
}  // namespace digitrain
