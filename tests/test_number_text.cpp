// number_text must read as printf's %g does (messages used to be written with it), and
// hex_text as "0x%0*X".
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "core/number_text.h"
#include "core/random.h"

namespace digitrain {
namespace {

std::string printf_g(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

TEST(NumberText, MatchesPrintfGOnEdgeValues) {
  const double inf = std::numeric_limits<double>::infinity();
  for (double v : {0.0, 1.0, -1.0, 0.001, 0.0001, 0.00001, 1e-5, 2.302585092994046, 9.9999995, 9.999994, 99999.96,
                   999999.4, 999999.5, 1e6, 123456.0, 1234567.0, 0.1 + 0.2, 1e300, 1e-300, 5e-324,
                   1e6 - 0.5, 0.000099999995, 0.5, 100.0, 1000000.0, 3.14159265, -0.000123456789,
                   static_cast<double>(0.01f), static_cast<double>(0.001f), -0.0})
    EXPECT_EQ(number_text(v), printf_g(v)) << "value " << v;
  EXPECT_EQ(number_text(std::nan("")), "nan");
  EXPECT_EQ(number_text(inf), "inf");
  EXPECT_EQ(number_text(-inf), "-inf");
}

TEST(NumberText, MatchesPrintfGOnRandomValues) {
  Rng rng(7);
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    // Magnitudes from 1e-12 to 1e12, mantissas anywhere.
    const double mantissa = rng.uniform() + rng.uniform() / 16777216.0;  // 48 random bits
    const double v = (mantissa - 0.5) * std::pow(10.0, std::floor(rng.uniform() * 24) - 12);
    if (v == 0) continue;
    ASSERT_EQ(number_text(v), printf_g(v)) << "value " << v;
    ++checked;
  }
  EXPECT_GT(checked, 19000);
}

TEST(NumberText, MoreDigitsMatchPrintf) {
  Rng rng(11);
  for (int i = 0; i < 5000; ++i) {
    const double mantissa = rng.uniform() + rng.uniform() / 16777216.0;
    const double v = (mantissa - 0.5) * std::pow(10.0, std::floor(rng.uniform() * 24) - 12);
    char text[64];
    std::snprintf(text, sizeof text, "%.10g", v);
    ASSERT_EQ(number_text(v, 10), text) << "value " << v;
  }
}

// 99999.95 is stored as 99999.9499999...: printf rounds down, scaling it by 10 rounds up to
// the tie. Either neighbour is a fine message.
TEST(NumberText, AnExactTieMayRoundEitherWay) {
  const std::string text = number_text(99999.95);
  EXPECT_TRUE(text == "99999.9" || text == "100000") << text;
}

// fixed_text reads as printf's %.Nf (the divergence messages used to be written with it).
TEST(NumberText, FixedMatchesPrintfF) {
  Rng rng(13);
  for (int decimals = 0; decimals <= 3; ++decimals) {
    char format[8];
    std::snprintf(format, sizeof format, "%%.%df", decimals);
    for (double v : {0.0, -0.0, 1.0, 2.302585, 14.7, 0.1, 0.104, 1.6, 99.96, 150.4, -3.25001, 0.005001, 123456.789, 1e11 + 0.375}) {
      char text[64];
      std::snprintf(text, sizeof text, format, v);
      EXPECT_EQ(fixed_text(v, decimals), text) << "value " << v << ", " << decimals << " decimals";
    }
    for (int i = 0; i < 5000; ++i) {
      const double v = (rng.uniform() - 0.5) * std::pow(10.0, std::floor(rng.uniform() * 10) - 3);
      char text[64];
      std::snprintf(text, sizeof text, format, v);
      ASSERT_EQ(fixed_text(v, decimals), text) << "value " << v << ", " << decimals << " decimals";
    }
  }
  EXPECT_EQ(fixed_text(1e20, 2), "1e+20");
  EXPECT_EQ(fixed_text(std::nan(""), 2), "nan");
  EXPECT_EQ(fixed_text(-std::numeric_limits<double>::infinity(), 0), "-inf");
}

TEST(NumberText, HexPadsAndNeverTruncates) {
  EXPECT_EQ(hex_text(0x803, 8), "0x00000803");
  EXPECT_EQ(hex_text(0, 2), "0x00");
  EXPECT_EQ(hex_text(0x08, 2), "0x08");
  EXPECT_EQ(hex_text(0xDEADBEEF, 2), "0xDEADBEEF");
  for (uint32_t v : {0u, 1u, 0xFu, 0x10u, 0xABCDu, 0xFFFFFFFFu}) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%0*X", 8, v);
    EXPECT_EQ(hex_text(v, 8), text);
  }
}

}  // namespace
}  // namespace digitrain
