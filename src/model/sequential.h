#pragma once
// A Keras-style Sequential model: layers in a line, a loss and an optimiser.
//   input (batch, input_size) -> layers -> probabilities (batch, classes)
#include <memory>
#include <string>
#include <vector>

#include "data/batch.h"
#include "data/dataset.h"
#include "layers/layer.h"
#include "loss/cross_entropy.h"
#include "optim/optimizer.h"

namespace digitrain {

struct BatchResult {
  double loss = 0.0;  // mean over the batch
  int correct = 0;    // samples whose argmax matches the label
  int count = 0;
};

struct EvalResult {
  double loss = 0.0;
  double accuracy = 0.0;
  int count = 0;
};

// MNIST's digits: labels are 0-9, so a model trained or evaluated on them has exactly
// this many outputs (smaller models serve the parity tests).
constexpr int kClasses = 10;

// The checks on the last layer, for a built model and for a planned one (plan_model):
// compile() makes the first (a flat softmax output), require_mnist_outputs() the second.
void check_output_layer(const std::string& model, const Layer& last, LossKind loss);
void check_class_outputs(const std::string& model, const Layer& last);

class Sequential {
 public:
  Sequential(std::string name, Shape input_shape);

  // Builds the layer on the previous layer's output shape; an Error names the layer
  // whose input does not fit.
  void add(std::unique_ptr<Layer> layer);
  void compile(LossKind loss, std::unique_ptr<Optimizer> optimizer);
  // Draws every layer's weights in order from one seeded generator.
  void initialize(uint64_t seed);

  // Input scaling of raw pixels (x = pixel / scale).
  void set_pixel_scale(float scale) { scaler_ = PixelScaler(scale); }
  const PixelScaler& scaler() const { return scaler_; }

  // Sizes every per-batch buffer; calls with larger batches grow them (and allocate).
  void reserve(int max_batch);

  ConstMatrixView forward(ConstMatrixView x, bool training);
  // Forward, loss and backward: leaves the gradients in params(), no update.
  BatchResult compute_gradients(ConstMatrixView x, const uint8_t* labels);
  // One training step: forward and loss, then, only if the loss is finite (so a NaN
  // never reaches the weights or the optimiser's state), backward and the optimiser's
  // update. Plain SGD is applied by the layers that can during backward
  // (Layer::descend_in_backward) and by the optimiser for the rest.
  BatchResult train_step(ConstMatrixView x, const uint8_t* labels);

  EvalResult evaluate(const Samples& samples, int batch_size = 32);
  // Probabilities for n raw uint8 images, scaled with this model's pixel scale.
  void predict_images(const uint8_t* pixels, int n, float* probs);
  // Every layer's output for one raw uint8 image, in layer order: what the teaching views
  // draw (feature maps, hidden units). Copies, so training's buffers stay untouched.
  std::vector<std::vector<float>> layer_outputs(const uint8_t* pixels);

  // Cached: the list is built once, so a training step does not rebuild it.
  const std::vector<Param>& params();
  // Every weight, trainable or not (BatchNormalization's moving statistics), layer by layer
  // in TF.js' order: what the files hold and what the trainer keeps as the best weights.
  const std::vector<Param>& weights();
  long param_count();   // trainable
  long weight_count();  // all
  std::string summary();

  const std::string& name() const { return name_; }
  const Shape& input_shape() const { return input_shape_; }
  int input_size() const { return static_cast<int>(shape_size(input_shape_)); }
  int output_size() const;
  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  LossKind loss() const { return loss_; }
  Optimizer* optimizer() { return optimizer_.get(); }
  void set_optimizer(std::unique_ptr<Optimizer> optimizer) { optimizer_ = std::move(optimizer); }

  // Throws an Error unless the output has kClasses units; every path that feeds MNIST
  // labels to the model calls it (labels index the output row).
  void require_mnist_outputs() const;

 private:
  void require_compiled() const;
  BatchResult forward_and_loss(ConstMatrixView x, const uint8_t* labels);
  // From the last forward, whose batch had these labels.
  void backward(const uint8_t* labels);
  // Tells the layers to descend at `rate` (0: write gradients) and lists the parameters
  // the optimiser still updates itself; a no-op while the rate stays the same.
  void set_descent_rate(float rate);

  std::string name_;
  Shape input_shape_;
  std::vector<std::unique_ptr<Layer>> layers_;
  // Per layer: its input gradient comes back through the ReLU before it. (Not vector<bool>:
  // its bit packing costs the page's module 2 KB.)
  std::vector<uint8_t> relu_folded_;
  LossKind loss_ = LossKind::sparse_categorical_crossentropy;
  std::unique_ptr<Optimizer> optimizer_;
  PixelScaler scaler_;
  int reserved_batch_ = 0;
  std::vector<Param> params_, weights_;
  bool params_valid_ = false;
  float descent_rate_ = 0.0f;
  bool descent_valid_ = false;
  std::vector<Param> optimizer_params_;  // of the layers that do not descend in backward
  const float* probs_ = nullptr;  // the last forward's output
  int batch_ = 0;
  BatchBuffer dprobs_, eval_x_;
  std::vector<uint8_t> eval_labels_;
};

}  // namespace digitrain
