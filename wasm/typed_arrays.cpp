#include "typed_arrays.h"

namespace digitrain {

template <class T>
std::vector<T> copy_in(const emscripten::val& array) {
  std::vector<T> out(array["length"].as<size_t>());
  copy_in_to(array, out.data(), out.size());
  return out;
}

template std::vector<uint8_t> copy_in<uint8_t>(const emscripten::val&);
template std::vector<float> copy_in<float>(const emscripten::val&);

}  // namespace digitrain
