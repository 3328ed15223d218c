#pragma once
// Typed arrays in and out of the WASM heap.
#include <emscripten/val.h>

#include <vector>

namespace digitrain {

// One copy from a JS typed array into the WASM heap.
template <class T>
std::vector<T> copy_in(const emscripten::val& array) {
  std::vector<T> out(array["length"].as<size_t>());
  emscripten::val(emscripten::typed_memory_view(out.size(), out.data())).call<void>("set", array);
  return out;
}

// A JS-owned copy (views into the heap die when it grows).
template <class T>
emscripten::val copy_out(const T* data, size_t size) {
  return emscripten::val(emscripten::typed_memory_view(size, data)).call<emscripten::val>("slice");
}

}  // namespace digitrain
