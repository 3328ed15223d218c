#pragma once
// Shared by the libFuzzer harnesses (docs/fuzzing.md): every parser must either
// return or throw digitrain::Error; anything else (another exception, a crash, a sanitizer
// report, a hang, gigabytes allocated) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"

namespace digitrain::fuzz {

inline std::string text_of(const uint8_t* data, size_t size) { return std::string(reinterpret_cast<const char*>(data), size); }

// Runs `f`; a digitrain::Error is the expected answer to bad input and is dropped.
template <class F>
void expect_only_errors(F f) {
  try {
    f();
  } catch (const Error&) {
  }
}

}  // namespace digitrain::fuzz
