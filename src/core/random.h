#pragma once
// A small seeded generator with our own uniform and normal draws. std:: distributions
// differ between libstdc++ (native) and libc++ (WASM); these do not, so one seed gives
// one model and one shuffle order on every build.
#include <cstdint>

namespace digitrain {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed);

  uint64_t next_u64();           // xoshiro256**
  float uniform();               // [0, 1), 24 random bits
  float uniform(float lo, float hi);
  double normal();               // mean 0, std 1 (Marsaglia polar, in double)
  uint64_t below(uint64_t n);    // uniform integer in [0, n), unbiased; 0 when n <= 1

 private:
  uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace digitrain
