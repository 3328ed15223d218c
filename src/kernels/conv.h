#pragma once
// Valid convolutions (any strides) on channels-last images as products on the micro-kernel,
// reading the images in place (implicit im2col):
//   x  (batch, H, W, C)   kernel (KH*KW*C, F) = TF's [kh, kw, in, out]   y, dz (batch, OH, OW, F)
//   OH = (H - KH) / SH + 1, OW = (W - KW) / SW + 1
// 'same' padding is the caller's: Conv2D copies x into a zero-bordered image first.
// Within one image row, the patches of adjacent output pixels overlap: patch (oy, ox) for
// kernel row ky is the KW*C floats at x[n, oy*SH+ky, ox*SW, 0], so a row of outputs is a product
// whose A rows are SW*C floats apart, one micro-kernel run per kernel row (gemm_tile.h). An
// im2col copy would be KH*KW times the image (10.6 MB per batch of 32 for T3's second
// layer) and its traffic cost more than the arithmetic.
#include <cstddef>

namespace digitrain {

struct ConvGeometry {
  int H, W, C, KH, KW;
  int SH = 1, SW = 1;  // strides
  int out_h() const { return H < KH ? 0 : (H - KH) / SH + 1; }
  int out_w() const { return W < KW ? 0 : (W - KW) / SW + 1; }
  int patch() const { return KH * KW * C; }
};

// y = conv(x, kernel) + bias (bias may be null), then max(y, 0) when relu; overwritten.
// Each output row gets its bias and ReLU while it is still in L1: as a pass of its own over
// y (1.4 MB for T3's first layer, more than L2) it took a tenth of a cnn-16-8 step natively.
void conv_forward(const ConvGeometry& g, int F, int batch, const float* x, const float* kernel, float* y,
                  const float* bias = nullptr, bool relu = false);

// dkernel = Σ over the batch of patchesᵀ·dz, overwritten.
void conv_kernel_grad(const ConvGeometry& g, int F, int batch, const float* x, const float* dz, float* dkernel);

// dx = the gradient w.r.t. x (the adjoint of conv_forward), overwritten. Computed as the
// full convolution of dz, zero-padded by KH-1/KW-1, with the flipped kernel; with strides,
// dz's pixels are spread SW apart along x (zeros between) and, along y, only the kernel rows
// that meet an output row are summed. Pixels no window reads (valid padding whose stride
// does not divide H - KH or W - KW) get 0.
// scratch: conv_input_grad_scratch(g, F, batch) floats.
// relu_mask (x itself, when x is a ReLU's output, or null): dx is 0 where relu_mask ≤ 0,
// which is the gradient through that ReLU. Applied to each row while it is in L1: as the
// ReLU layer's own pass it read and wrote 1.4 MB per batch more (T3's first layer).
void conv_input_grad(const ConvGeometry& g, int F, int batch, const float* dz, const float* kernel, float* dx,
                     float* scratch, const float* relu_mask = nullptr);
size_t conv_input_grad_scratch(const ConvGeometry& g, int F, int batch);

}  // namespace digitrain
