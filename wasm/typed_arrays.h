#pragma once
// Typed arrays in and out of the WASM heap.
#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace digitrain {

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
