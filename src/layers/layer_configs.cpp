// The layers' Keras-style configs (model files, TF.js topologies), kept apart from their
// maths so the page's WebAssembly module can compile them for size (CMakeLists.txt).
#include "layers/conv2d.h"
#include "layers/dense.h"

namespace digitrain {

nlohmann::json Dense::config() const {
  return {{"name", name_},
          {"units", options_.units},
          {"activation", activation_name(options_.activation)},
          {"use_bias", options_.use_bias},
          {"kernel_initializer", initializer_to_json(options_.kernel_initializer)},
          {"bias_initializer", initializer_to_json(options_.bias_initializer)}};
}

nlohmann::json Conv2D::config() const {
  return {{"name", name_},
          {"filters", options_.filters},
          {"kernel_size", {options_.kernel_h, options_.kernel_w}},
          {"strides", {1, 1}},
          {"padding", "valid"},
          {"activation", activation_name(options_.activation)},
          {"use_bias", options_.use_bias},
          {"kernel_initializer", initializer_to_json(options_.kernel_initializer)},
          {"bias_initializer", initializer_to_json(options_.bias_initializer)}};
}

}  // namespace digitrain
