#pragma once
// im2col for valid, stride-1 convolutions on channels-last images.
//   x    (batch, H, W, C)
//   cols (batch*OH*OW, KH*KW*C), row (n, oy, ox), column (ky, kx, c)
// The column order is TF's kernel layout [kh, kw, in, out] flattened, so
// conv = cols · kernel(KH*KW*C, F) gives (batch, OH, OW, F) directly.
namespace digitrain {

struct ConvGeometry {
  int H, W, C, KH, KW;
  int out_h() const { return H - KH + 1; }
  int out_w() const { return W - KW + 1; }
  int patch() const { return KH * KW * C; }
};

void im2col(const ConvGeometry& g, int batch, const float* x, float* cols);
// dx = col2im(dcols): the adjoint of im2col; overwrites dx.
void col2im(const ConvGeometry& g, int batch, const float* dcols, float* dx);

}  // namespace digitrain
