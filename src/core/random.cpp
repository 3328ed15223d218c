#include "core/random.h"

#include <cmath>

namespace digitrain {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

void Rng::reseed(uint64_t seed) {
  // splitmix64 spreads any seed (0 included) over the whole state.
  for (auto& s : s_) s = splitmix64(seed);
  has_spare_ = false;
}

uint64_t Rng::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

float Rng::uniform() { return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f); }

float Rng::uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // Polar method: needs only log and sqrt, so WASM (musl) and glibc agree to the last
  // float bit in practice; sqrt is exact by IEEE and log differs by at most an ulp.
  double u, v, s;
  do {
    u = static_cast<double>(next_u64() >> 11) * (2.0 / 9007199254740992.0) - 1.0;
    v = static_cast<double>(next_u64() >> 11) * (2.0 / 9007199254740992.0) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * f;
  has_spare_ = true;
  return u * f;
}

uint64_t Rng::below(uint64_t n) {
  if (n <= 1) return 0;
  // Rejection keeps the draw unbiased; the threshold is (2^64 - n) % n.
  const uint64_t threshold = (0 - n) % n;
  for (;;) {
    const uint64_t r = next_u64();
    if (r >= threshold) return r % n;
  }
}

}  // namespace digitrain
