#pragma once
// A layer of a Sequential model. Tensors are batch-major views (one sample per row);
// each layer owns its outputs and gradients in BatchBuffers sized by reserve(), so a
// training step allocates nothing.
#include <memory>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/tensor.h"
#include "layers/activation.h"

namespace digitrain {

class Layer {
 public:
  explicit Layer(std::string name) : name_(std::move(name)) {}
  virtual ~Layer() = default;

  const std::string& name() const { return name_; }
  virtual const char* class_name() const = 0;  // Keras' class name: "Dense"

  // Fixes the input shape (one sample) and returns the output shape. Throws an Error
  // naming the layer if the input does not fit. Allocates nothing, so a file's topology
  // can be sized (params()' names and shapes) before anything is built.
  virtual Shape plan(const Shape& input_shape) = 0;
  // Allocates the weights plan() sized.
  virtual void allocate() {}
  Shape build(const Shape& input_shape) {
    Shape out = plan(input_shape);
    allocate();
    return out;
  }
  const Shape& input_shape() const { return input_shape_; }
  const Shape& output_shape() const { return output_shape_; }

  // Draws the weights from the layer's initialisers.
  virtual void initialize(Rng& /*rng*/) {}
  // Sizes the per-batch buffers for batches of up to `max_batch` samples.
  virtual void reserve(int max_batch) = 0;

  // Forward keeps a view of x for backward; the returned view stays valid until the
  // next forward. x has input_shape size columns.
  virtual ConstMatrixView forward(ConstMatrixView x, bool training) = 0;
  // dy: gradient of the loss w.r.t. this layer's output. Overwrites (not adds to) the
  // parameter gradients and returns the gradient w.r.t. the input, or an empty view
  // when the input gradient is not needed (first layer).
  virtual ConstMatrixView backward(ConstMatrixView dy) = 0;

  // The trainable weights, what the optimiser updates.
  virtual std::vector<Param> params() { return {}; }
  // Weights the optimiser must not touch (BatchNormalization's moving statistics; grad is
  // null): the layer updates them itself, the files keep them.
  virtual std::vector<Param> state() { return {}; }
  // Every weight in TF.js' and Keras' order (trainable, then not): what the files hold.
  std::vector<Param> weights() {
    std::vector<Param> all = params();
    for (Param& p : state()) all.push_back(p);
    return all;
  }
  long param_count() {  // trainable
    long n = 0;
    for (const Param& p : params()) n += p.size;
    return n;
  }
  long weight_count() {  // all, as Keras' summary counts a layer's Param #
    long n = param_count();
    for (const Param& p : state()) n += p.size;
    return n;
  }

  // The activation applied last, for fusing softmax with cross-entropy.
  virtual Activation activation() const { return Activation::linear; }
  // Backward from the gradient w.r.t. the pre-activation (the fused softmax-CE path).
  virtual ConstMatrixView backward_from_preactivation(ConstMatrixView dz) { return backward(dz); }

  // The first layer's input gradient is never used; skipping it saves a whole GEMM (and
  // the col2im pass of a first Conv2D).
  void set_needs_input_gradient(bool needed) { needs_input_gradient_ = needed; }
  // The layer before ends in a ReLU, whose output is this layer's input. A layer that can
  // returns the input gradient already multiplied by ReLU's derivative (input > 0), and
  // says so; Sequential then calls the layer before through backward_from_preactivation,
  // which saves that layer its own pass over the gradient.
  virtual bool fold_input_relu(bool /*fold*/) { return false; }
  // Plain gradient descent folded into backward (Sequential::train_step). With rate > 0 a
  // layer that can subtracts rate × each parameter's gradient from the parameter as it
  // computes that gradient, instead of writing the gradient for an optimiser to read: one
  // pass over the weights instead of three (write dW; read dW and W, write W). Its
  // gradients in params() are then not kept. Returns whether the layer does; 0 turns it off.
  virtual bool descend_in_backward(float /*rate*/) { return false; }

 protected:
  static ConstMatrixView empty_view() { return ConstMatrixView(nullptr, 0, 0); }

  std::string name_;
  Shape input_shape_, output_shape_;
  bool needs_input_gradient_ = true;
};

}  // namespace digitrain
