#pragma once
// MaxPooling2D and AveragePooling2D, channels last:
//   x (batch, H, W, C)  y (batch, OH, OW, C)
// valid: OH = (H - PH) / SH + 1;  same: OH = ceil(H / SH), padded as TF pads (the extra row
// at the bottom, the extra column on the right). Padding never wins a max and is not
// counted in an average (TF's rule).
#include "layers/layer.h"

namespace digitrain {

struct Pooling2DOptions {
  enum class Kind { max, average } kind = Kind::max;
  int pool_h = 2, pool_w = 2;
  int stride_h = 0, stride_w = 0;  // 0: the pool size (Keras' strides=None)
  bool same_padding = false;
};

class Pooling2D final : public Layer {
 public:
  Pooling2D(std::string name, Pooling2DOptions options);
  const char* class_name() const override {
    return options_.kind == Pooling2DOptions::Kind::max ? "MaxPooling2D" : "AveragePooling2D";
  }
  Shape plan(const Shape& input_shape) override;
  void reserve(int max_batch) override;
  ConstMatrixView forward(ConstMatrixView x, bool training) override;
  ConstMatrixView backward(ConstMatrixView dy) override;
  const Pooling2DOptions& options() const { return options_; }

 private:
  int H_ = 0, W_ = 0, C_ = 0, OH_ = 0, OW_ = 0, pad_top_ = 0, pad_left_ = 0;
  Pooling2DOptions options_;
  int batch_ = 0;
  BatchBuffer y_, dx_;
  std::vector<int32_t> argmax_;  // max: the input index (within its image) each output came from
};

}  // namespace digitrain
