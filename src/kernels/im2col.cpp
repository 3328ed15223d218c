#include "kernels/im2col.h"

#include <cstring>

namespace digitrain {

// For fixed (n, oy, ky) the kx and c indices cover KW*C consecutive input floats, so each
// patch row is KH contiguous copies.
void im2col(const ConvGeometry& g, int batch, const float* x, float* cols) {
  const int OH = g.out_h(), OW = g.out_w(), span = g.KW * g.C;
  const long image = static_cast<long>(g.H) * g.W * g.C;
  float* out = cols;
  for (int n = 0; n < batch; ++n) {
    const float* img = x + n * image;
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox)
        for (int ky = 0; ky < g.KH; ++ky) {
          std::memcpy(out, img + (static_cast<long>(oy + ky) * g.W + ox) * g.C, sizeof(float) * span);
          out += span;
        }
  }
}

void col2im(const ConvGeometry& g, int batch, const float* dcols, float* dx) {
  const int OH = g.out_h(), OW = g.out_w(), span = g.KW * g.C;
  const long image = static_cast<long>(g.H) * g.W * g.C;
  std::memset(dx, 0, sizeof(float) * image * batch);
  const float* in = dcols;
  for (int n = 0; n < batch; ++n) {
    float* img = dx + n * image;
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox)
        for (int ky = 0; ky < g.KH; ++ky) {
          float* dst = img + (static_cast<long>(oy + ky) * g.W + ox) * g.C;
          for (int i = 0; i < span; ++i) dst[i] += in[i];
          in += span;
        }
  }
}

}  // namespace digitrain
