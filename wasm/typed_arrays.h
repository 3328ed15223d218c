#pragma once
// Typed arrays in and out of the WASM heap.
#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace digitrain {

// Whether `array` has at least `count` elements. null and undefined have none (reading
// their length would throw in JS, past the bindings' C++ guards); anything else without a
// numeric length ({}, a number) neither: its length converts to NaN, which compares false
// either way, so the test is written so that NaN fails it.
inline bool has_at_least(const emscripten::val& array, double count) {
  if (array.isNull() || array.isUndefined()) return false;
  return array["length"].as<double>() >= count;
}

// The first `count` elements of a JS typed array (or a plain array of numbers) into memory
// the caller owns.
template <class T>
void copy_in_to(const emscripten::val& array, T* destination, size_t count) {
  const bool longer = array["length"].as<double>() > static_cast<double>(count);
  const char* part = array["subarray"].isUndefined() ? "slice" : "subarray";  // a view, where there can be one
  const emscripten::val source = longer ? array.call<emscripten::val>(part, 0, count) : array;
  emscripten::val(emscripten::typed_memory_view(count, destination)).call<void>("set", source);
}

// One copy from a JS typed array into the WASM heap.
template <class T>
std::vector<T> copy_in(const emscripten::val& array) {
  if (!has_at_least(array, 1)) return {};  // null, {}, a number: nothing; callers say what is missing
  std::vector<T> out(array["length"].as<size_t>());
  copy_in_to(array, out.data(), out.size());
  return out;
}

// A JS-owned copy (views into the heap die when it grows).
template <class T>
emscripten::val copy_out(const T* data, size_t size) {
  return emscripten::val(emscripten::typed_memory_view(size, data)).call<emscripten::val>("slice");
}

}  // namespace digitrain
