#include "core/number_text.h"

#include <cmath>

namespace digitrain {

std::string number_text(double value, int significant) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if (value == 0) return std::signbit(value) ? "-0" : "0";
  // Up to 15 digits: a long long holds them, and a double carries no more.
  const int kDigits = significant < 1 ? 1 : significant > 15 ? 15 : significant;
  long long top = 1;  // 10^kDigits
  for (int i = 0; i < kDigits; ++i) top *= 10;
  std::string sign = value < 0 ? "-" : "";
  const double magnitude = std::fabs(value);
  int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  // The significant digits as an integer; rounding may carry into one more (9.999995 -> 10).
  const auto scaled = [magnitude](int power) {
    // 10^power overflows past 308; subnormals need up to 10^329, in two factors.
    return power > 300 ? magnitude * 1e300 * std::pow(10.0, power - 300) : magnitude * std::pow(10.0, power);
  };
  long long digits = std::llround(scaled(kDigits - 1 - exponent));
  if (digits >= top) {
    digits = std::llround(static_cast<double>(digits) / 10);
    ++exponent;
  } else if (digits < top / 10) {  // log10 rounded the other way
    digits = std::llround(scaled(kDigits - exponent));
    --exponent;
  }
  std::string text = std::to_string(digits);  // kDigits characters
  const bool scientific = exponent < -4 || exponent >= kDigits;
  const int point = scientific ? 1 : exponent + 1;  // digits before the decimal point
  std::string out;
  if (point <= 0) {
    out = "0." + std::string(-point, '0') + text;
  } else {
    out = text.substr(0, point) + "." + text.substr(point);
  }
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  if (scientific) {
    const int e = std::abs(exponent);
    out += std::string(exponent < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + std::to_string(e);
  }
  return sign + out;
}

std::string fixed_text(double value, int decimals) {
  const int kDecimals = decimals < 0 ? 0 : decimals > 6 ? 6 : decimals;
  long long unit = 1;  // 10^kDecimals
  for (int i = 0; i < kDecimals; ++i) unit *= 10;
  // Past 10^15 the scaled double no longer holds every decimal digit.
  if (!std::isfinite(value) || std::fabs(value) * static_cast<double>(unit) >= 1e15) return number_text(value);
  const long long scaled = std::llround(std::fabs(value) * static_cast<double>(unit));
  std::string text = std::to_string(scaled / unit);
  if (kDecimals > 0) {
    const std::string fraction = std::to_string(scaled % unit);
    text += "." + std::string(kDecimals - fraction.size(), '0') + fraction;
  }
  return (std::signbit(value) ? "-" : "") + text;
}

std::string hex_text(uint32_t value, int digits) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (; value; value >>= 4) out.insert(out.begin(), kHex[value & 0xF]);
  if (static_cast<int>(out.size()) < digits) out.insert(0, digits - out.size(), '0');
  return "0x" + out;
}

}  // namespace digitrain
