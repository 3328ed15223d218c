// Rng and the weight initialisers: reproducibility, the distributions' moments, and the
// generator itself pinned against an independent reference. A seed must give the same
// model natively and in WASM, today and after any refactor, so a change to the bit
// stream has to fail here rather than silently reshuffle every seeded run.
//
// The statistical checks use fixed seeds, so they are deterministic; each tolerance is
// about 5 standard errors of the estimate (given next to it), wide enough for any sound
// generator and narrow enough that a wrong range, scale or a modulo bias fails.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/random.h"
#include "layers/conv2d.h"
#include "layers/initializer.h"

namespace digitrain {
namespace {

// ---- An independent reference: Vigna's splitmix64.c and xoshiro256starstar.c ----------

struct ReferenceSplitMix64 {
  uint64_t state;
  uint64_t next() {
    state += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

struct ReferenceXoshiro256StarStar {
  uint64_t s[4];

  // Seeding as the xoshiro authors recommend: four consecutive splitmix64 outputs.
  explicit ReferenceXoshiro256StarStar(uint64_t seed) {
    ReferenceSplitMix64 sm{seed};
    for (uint64_t& word : s) word = sm.next();
  }
  static uint64_t rotate_left(uint64_t x, unsigned k) { return (x << k) | (x >> (64u - k)); }
  uint64_t next() {
    const uint64_t result = rotate_left(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotate_left(s[3], 45);
    return result;
  }
};

TEST(ReferenceGenerator, SplitMix64MatchesPublishedOutputs) {
  // The published first outputs of splitmix64 from state 0: they check the reference
  // itself, so the comparison below is not one implementation agreeing with its copy.
  ReferenceSplitMix64 sm{0};
  EXPECT_EQ(sm.next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(sm.next(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(sm.next(), 0x06C45D188009454FULL);
  EXPECT_EQ(sm.next(), 0xF88BB8A8724C81ECULL);
}

TEST(Rng, NextU64IsXoshiro256StarStarSeededBySplitMix64) {
  for (uint64_t seed : {uint64_t{0}, uint64_t{1}, uint64_t{42}, uint64_t{123456789}, ~uint64_t{0}}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Rng rng(seed);
    ReferenceXoshiro256StarStar ref(seed);
    int mismatches = 0;
    for (int i = 0; i < 1000; ++i) {
      const uint64_t got = rng.next_u64(), want = ref.next();
      if (got != want && ++mismatches <= 3) ADD_FAILURE() << "draw " << i << ": " << got << ", expected " << want;
    }
    EXPECT_EQ(mismatches, 0);
  }
}

TEST(Rng, UniformIsTheTop24BitsOfNextU64) {
  Rng rng(42);
  ReferenceXoshiro256StarStar ref(42);
  for (int i = 0; i < 1000; ++i) {
    const float want = static_cast<float>(ref.next() >> 40) / 16777216.0f;
    ASSERT_EQ(rng.uniform(), want) << "draw " << i;
  }
}

TEST(Rng, NormalIsMarsagliaPolarOnNextU64) {
  // The polar method written out again in double: the pairs (u·f, v·f), u first.
  Rng rng(42);
  ReferenceXoshiro256StarStar ref(42);
  for (int pair = 0; pair < 500; ++pair) {
    double u, v, s;
    do {
      u = static_cast<double>(ref.next() >> 11) / 9007199254740992.0 * 2.0 - 1.0;
      v = static_cast<double>(ref.next() >> 11) / 9007199254740992.0 * 2.0 - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    ASSERT_DOUBLE_EQ(rng.normal(), u * f) << "pair " << pair;
    ASSERT_DOUBLE_EQ(rng.normal(), v * f) << "pair " << pair;
  }
}

// ---- Reproducibility -------------------------------------------------------------------

TEST(Rng, SameSeedGivesTheSameSequence) {
  Rng a(7), b(7);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(a.next_u64(), b.next_u64()) << "draw " << i;
    ASSERT_EQ(a.uniform(), b.uniform()) << "draw " << i;
    ASSERT_EQ(a.normal(), b.normal()) << "draw " << i;
    ASSERT_EQ(a.below(10), b.below(10)) << "draw " << i;
  }
}

TEST(Rng, ReseedRestartsTheSequenceAndDropsTheSpareNormal) {
  Rng fresh(5);
  const double first = fresh.normal();
  const uint64_t next = fresh.next_u64();
  Rng used(99);
  used.normal();  // leaves a spare normal behind; reseed must forget it
  used.reseed(5);
  EXPECT_EQ(used.normal(), first);
  EXPECT_EQ(used.next_u64(), next);
}

TEST(Rng, DifferentSeedsGiveDifferentSequences) {
  const uint64_t seeds[] = {0, 1, 2, 42, 43, ~uint64_t{0}};
  std::vector<std::vector<uint64_t>> streams;
  for (uint64_t seed : seeds) {
    Rng rng(seed);
    std::vector<uint64_t> s(1000);
    for (uint64_t& x : s) x = rng.next_u64();
    streams.push_back(s);
  }
  for (size_t i = 0; i < streams.size(); ++i)
    for (size_t j = i + 1; j < streams.size(); ++j) {
      int equal = 0;
      for (size_t k = 0; k < streams[i].size(); ++k) equal += streams[i][k] == streams[j][k];
      EXPECT_EQ(equal, 0) << "seeds " << seeds[i] << " and " << seeds[j] << " share " << equal << " of 1000 draws";
    }
}

// ---- Distributions ---------------------------------------------------------------------

constexpr int kDraws = 100000;

TEST(Rng, UniformIsInZeroOneWithTheRightMoments) {
  Rng rng(2024);
  double sum = 0.0, sum_sq = 0.0;
  float lo = 1.0f, hi = 0.0f;
  for (int i = 0; i < kDraws; ++i) {
    const float u = rng.uniform();
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
    sum_sq += static_cast<double>(u) * u;
  }
  const double mean = sum / kDraws, var = sum_sq / kDraws - mean * mean;
  EXPECT_NEAR(mean, 0.5, 0.005);         // standard error sqrt(1/12/1e5) = 9.1e-4
  EXPECT_NEAR(var, 1.0 / 12.0, 0.0012);  // standard error sqrt((1/80 - 1/144)/1e5) = 2.4e-4
  // Both ends of the interval are reached (a half-range generator would fail here).
  EXPECT_LT(lo, 1e-3f);
  EXPECT_GT(hi, 1.0f - 1e-3f);
}

TEST(Rng, UniformRangeStaysInside) {
  Rng rng(3);
  double sum = 0.0;
  for (int i = 0; i < kDraws; ++i) {
    const float u = rng.uniform(-2.0f, 6.0f);
    ASSERT_GE(u, -2.0f);
    ASSERT_LE(u, 6.0f);  // lo + (hi-lo)·u in float may round up to hi
    sum += u;
  }
  EXPECT_NEAR(sum / kDraws, 2.0, 0.04);  // standard error 8/sqrt(12e5) = 7.3e-3
}

TEST(Rng, NormalHasMeanZeroStdOneAndTheGaussianShape) {
  Rng rng(2024);
  double sum = 0.0, sum_sq = 0.0;
  int within_1 = 0, within_2 = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double z = rng.normal();
    ASSERT_TRUE(std::isfinite(z));
    sum += z;
    sum_sq += z * z;
    within_1 += std::fabs(z) < 1.0;
    within_2 += std::fabs(z) < 2.0;
  }
  const double mean = sum / kDraws, sd = std::sqrt(sum_sq / kDraws - mean * mean);
  EXPECT_NEAR(mean, 0.0, 0.016);  // standard error 1/sqrt(1e5) = 3.2e-3
  EXPECT_NEAR(sd, 1.0, 0.011);    // standard error 1/sqrt(2e5) = 2.2e-3
  // Moments alone would pass a uniform scaled to unit variance; the mass within 1σ and
  // 2σ tells the shapes apart (uniform: 0.577 and 1.0).
  EXPECT_NEAR(static_cast<double>(within_1) / kDraws, 0.6827, 0.0074);  // se 1.5e-3
  EXPECT_NEAR(static_cast<double>(within_2) / kDraws, 0.9545, 0.0033);  // se 6.6e-4
}

TEST(Rng, BelowOneIsAlwaysZero) {
  Rng rng(1);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(rng.below(1), 0u);
}

TEST(Rng, BelowIsInRangeAndUniform) {
  Rng rng(11);
  for (uint64_t n : {uint64_t{2}, uint64_t{3}, uint64_t{7}, uint64_t{10}}) {
    SCOPED_TRACE("n = " + std::to_string(n));
    std::vector<long> counts(n, 0);
    for (int i = 0; i < kDraws; ++i) {
      const uint64_t k = rng.below(n);
      ASSERT_LT(k, n);
      ++counts[k];
    }
    // Pearson's chi-square against equal counts; with at most 9 degrees of freedom it
    // exceeds 30 with probability below 5e-4.
    const double expected = static_cast<double>(kDraws) / n;
    double chi2 = 0.0;
    for (long c : counts) chi2 += (c - expected) * (c - expected) / expected;
    EXPECT_LT(chi2, 30.0);
  }
}

TEST(Rng, BelowRejectsInsteadOfTakingTheModulo) {
  // With n = 3·2^62, a bare r % n would land in [0, 2^62) twice as often as elsewhere
  // (1/2 of draws instead of 1/3): the bias the rejection step exists to remove.
  const uint64_t n = 3ULL << 62, quarter = 1ULL << 62;
  Rng rng(12);
  int low = 0;
  const int draws = 20000;
  for (int i = 0; i < draws; ++i) {
    const uint64_t k = rng.below(n);
    ASSERT_LT(k, n);
    low += k < quarter;
  }
  EXPECT_NEAR(static_cast<double>(low) / draws, 1.0 / 3.0, 0.017);  // standard error 3.3e-3
}

// ---- Initialisers ----------------------------------------------------------------------

struct Moments {
  double mean, sd, min, max;
};

Moments moments(const std::vector<float>& v) {
  double sum = 0.0, sum_sq = 0.0, lo = v[0], hi = v[0];
  for (float x : v) {
    sum += x;
    sum_sq += static_cast<double>(x) * x;
    lo = std::min(lo, static_cast<double>(x));
    hi = std::max(hi, static_cast<double>(x));
  }
  const double mean = sum / v.size();
  return {mean, std::sqrt(sum_sq / v.size() - mean * mean), lo, hi};
}

// NaN first, so a value the initialiser forgot to write cannot pass.
std::vector<float> initialized(const Initializer& init, long size, long fan_in, long fan_out, uint64_t seed) {
  std::vector<float> v(size, std::numeric_limits<float>::quiet_NaN());
  Rng rng(seed);
  initialize_weights(init, v.data(), size, fan_in, fan_out, rng);
  return v;
}

TEST(Initializer, GlorotUniformOnA784x300Kernel) {
  const long in = 784, out = 300;
  const std::vector<float> w = initialized(Initializer{Initializer::Kind::glorot_uniform}, in * out, in, out, 1);
  const double limit = std::sqrt(6.0 / (in + out));  // 0.0744
  for (float x : w) ASSERT_LE(std::fabs(x), limit * (1 + 1e-6)) << "limit " << limit;
  const Moments m = moments(w);
  EXPECT_NEAR(m.mean, 0.0, 1e-3);                               // standard error 8.9e-5
  EXPECT_NEAR(m.sd, limit / std::sqrt(3.0), 0.01 * limit / std::sqrt(3.0));  // relative se 9e-4
  // The whole interval is used: a narrower range would pass the bound above.
  EXPECT_LT(m.min, -0.999 * limit);
  EXPECT_GT(m.max, 0.999 * limit);
}

TEST(Initializer, GlorotUniformOnAConvKernelCountsTheReceptiveField) {
  // Keras' fans for a 3x3 kernel, 1 -> 16 channels: fan_in 9·1, fan_out 9·16.
  Conv2DOptions o;
  o.filters = 16;
  Conv2D conv("conv", o);
  conv.build({28, 28, 1});
  Rng rng(3);
  conv.initialize(rng);
  const Matrix& k = conv.kernel();
  const double limit = std::sqrt(6.0 / (9 + 144));  // 0.198
  EXPECT_LE(k.cwiseAbs().maxCoeff(), limit * (1 + 1e-6));
  // 144 draws: the largest |w| comes within 5% of the limit unless the fans are wrong
  // (fan_in + fan_out = 10 would give a limit of 0.77; 160 + 160, a limit of 0.137).
  EXPECT_GT(k.cwiseAbs().maxCoeff(), 0.95 * limit);
  EXPECT_TRUE((conv.bias().array() == 0.0f).all());
}

TEST(Initializer, RandomNormalHasTheGivenMeanAndStd) {
  const long size = 784 * 300;
  for (double mean : {0.0, 0.3}) {
    SCOPED_TRACE("mean " + std::to_string(mean));
    Initializer init{Initializer::Kind::random_normal};
    init.mean = mean;
    init.stddev = 0.05;
    const Moments m = moments(initialized(init, size, 784, 300, 5));
    EXPECT_NEAR(m.mean, mean, 5e-4);  // standard error 0.05/sqrt(235200) = 1.0e-4
    EXPECT_NEAR(m.sd, 0.05, 5e-4);    // relative standard error 1.5e-3
  }
}

TEST(Initializer, RandomUniformStaysInItsRange) {
  Initializer init{Initializer::Kind::random_uniform};
  init.minval = -0.05;
  init.maxval = 0.15;
  const Moments m = moments(initialized(init, 100000, 10, 10, 6));
  EXPECT_GE(m.min, -0.05);
  EXPECT_LE(m.max, 0.15 + 1e-7);
  EXPECT_NEAR(m.mean, 0.05, 2e-3);  // standard error 0.2/sqrt(12e5) = 1.8e-4
}

TEST(Initializer, ZerosAndOnesAreExact) {
  for (float x : initialized(Initializer{Initializer::Kind::zeros}, 1000, 10, 100, 1)) ASSERT_EQ(x, 0.0f);
  for (float x : initialized(Initializer{Initializer::Kind::ones}, 1000, 10, 100, 1)) ASSERT_EQ(x, 1.0f);
}

TEST(Initializer, SameSeedSameWeights) {
  const Initializer init{Initializer::Kind::glorot_uniform};
  EXPECT_EQ(initialized(init, 5000, 50, 100, 9), initialized(init, 5000, 50, 100, 9));
  EXPECT_NE(initialized(init, 5000, 50, 100, 9), initialized(init, 5000, 50, 100, 10));
}

}  // namespace
}  // namespace digitrain
