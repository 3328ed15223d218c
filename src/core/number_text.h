#pragma once
// Numbers in messages. Not snprintf or std::to_string(double): the C library's
// floating-point printf (with its long-double arithmetic) is about 5 KB of the page's
// WebAssembly module, there only for a handful of error messages.
#include <cstdint>
#include <string>

namespace digitrain {

// As printf's %g: 6 significant digits (or `significant`, up to 15), trailing zeros
// dropped, exponent form below 1e-4 and from 10^significant ("0.001", "2.30259", "1e+06",
// "nan", "-inf"). It rounds the scaled double, not the exact decimal value, so a value
// within a rounding error of halfway between two texts may get the other one.
std::string number_text(double value, int significant = 6);

// "0x00000803" for (0x803, 8).
std::string hex_text(uint32_t value, int digits);

}  // namespace digitrain
