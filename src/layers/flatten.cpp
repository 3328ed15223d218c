#include "layers/flatten.h"

namespace digitrain {

Shape Flatten::plan(const Shape& input_shape) {
  input_shape_ = input_shape;
  output_shape_ = {static_cast<int>(shape_size(input_shape))};
  return output_shape_;
}

}  // namespace digitrain
