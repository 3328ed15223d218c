#include "layers/dropout.h"

#include "core/error.h"

namespace digitrain {

namespace {
// splitmix64: a fast, well-mixed step, the same on every target (not Rng's xoshiro: one
// draw per value, inlined here, keeps the mask off the step's critical path).
inline uint64_t next(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

Dropout::Dropout(std::string name, double rate, bool has_seed, uint64_t seed)
    : Layer(std::move(name)), rate_(rate), has_seed_(has_seed), seed_(seed), state_(seed) {
  if (!(rate >= 0.0) || !(rate < 1.0))
    throw Error("layer '" + name_ + "': rate must be from 0 up to (not including) 1");
}

Shape Dropout::plan(const Shape& input_shape) {
  input_shape_ = output_shape_ = input_shape;
  size_ = shape_size(input_shape);
  return output_shape_;
}

void Dropout::initialize(Rng& rng) {
  // Drawn even with a seed, so the layers after it get the same weights either way.
  const uint64_t drawn = rng.next_u64();
  state_ = has_seed_ ? seed_ : drawn;
}

void Dropout::reserve(int max_batch) {
  y_.reserve(max_batch, size_);
  mask_.reserve(max_batch, size_);
  dx_.reserve(max_batch, size_);
}

ConstMatrixView Dropout::forward(ConstMatrixView x, bool training) {
  batch_ = static_cast<int>(x.rows());
  passed_ = !training || rate_ == 0.0;
  if (passed_) return x;
  const long n = static_cast<long>(batch_) * size_;
  float* y = y_.rows(batch_).data();
  float* mask = mask_.rows(batch_).data();
  const float scale = static_cast<float>(1.0 / (1.0 - rate_));
  // Two 32-bit draws per step of the generator; keep where u >= rate, u in [0, 1).
  const uint64_t threshold = static_cast<uint64_t>(rate_ * 4294967296.0);
  const float* in = x.data();
  long i = 0;
  for (; i + 1 < n; i += 2) {
    const uint64_t r = next(state_);
    mask[i] = (r & 0xFFFFFFFFull) >= threshold ? scale : 0.0f;
    mask[i + 1] = (r >> 32) >= threshold ? scale : 0.0f;
    y[i] = in[i] * mask[i];
    y[i + 1] = in[i + 1] * mask[i + 1];
  }
  if (i < n) {
    mask[i] = (next(state_) & 0xFFFFFFFFull) >= threshold ? scale : 0.0f;
    y[i] = in[i] * mask[i];
  }
  return ConstMatrixView(y, batch_, size_);
}

ConstMatrixView Dropout::backward(ConstMatrixView dy) {
  if (!needs_input_gradient_) return empty_view();
  if (passed_) return dy;
  const long n = static_cast<long>(batch_) * size_;
  float* dx = dx_.rows(batch_).data();
  const float* mask = mask_.rows(batch_).data();
  for (long i = 0; i < n; ++i) dx[i] = dy.data()[i] * mask[i];
  return ConstMatrixView(dx, batch_, size_);
}

}  // namespace digitrain
