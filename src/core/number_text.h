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

// As printf's %.Nf for N = `decimals` (0 to 6): "2.30", "14.7" with 1, "150" with 0. It rounds
// the scaled double (as number_text does), so a value within a rounding error of halfway may
// get the other neighbour. From value × 10^N ≥ 10^15 (no loss a message names gets there) it
// falls back to number_text's 6 significant digits ("1e+20"), as do nan and inf.
std::string fixed_text(double value, int decimals);

// "0x00000803" for (0x803, 8).
std::string hex_text(uint32_t value, int digits);

}  // namespace digitrain
