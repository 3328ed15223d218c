#include "model/sequential.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace digitrain {

Sequential::Sequential(std::string name, Shape input_shape) : name_(std::move(name)), input_shape_(std::move(input_shape)) {
  if (input_shape_.empty()) throw Error("model '" + name_ + "': input_shape is empty");
  for (int d : input_shape_)
    if (d <= 0 || d > 65536) throw Error("model '" + name_ + "': input_shape " + shape_string(input_shape_) + " is invalid");
}

void Sequential::add(std::unique_ptr<Layer> layer) {
  const Shape& in = layers_.empty() ? input_shape_ : layers_.back()->output_shape();
  layer->build(in);
  // The input gradient only matters if some earlier layer has weights to train: a Dense
  // after a Flatten would otherwise compute a 784-wide gradient nobody reads.
  bool weights_before = false;
  for (const auto& earlier : layers_) weights_before = weights_before || earlier->param_count() > 0;
  layer->set_needs_input_gradient(weights_before);
  relu_folded_.push_back(layer->fold_input_relu(!layers_.empty() && layers_.back()->activation() == Activation::relu));
  for (const auto& existing : layers_)
    if (existing->name() == layer->name()) throw Error("model '" + name_ + "': two layers are named '" + layer->name() + "'");
  layers_.push_back(std::move(layer));
  reserved_batch_ = 0;
  params_valid_ = false;
  descent_valid_ = false;
}

void check_output_layer(const std::string& model, const Layer& last, LossKind loss) {
  const Shape& out = last.output_shape();
  if (out.size() != 1)
    throw Error("model '" + model + "': the last layer's output " + shape_string(out) +
                " must be flat (classes); add Flatten and Dense layers");
  if (last.activation() != Activation::softmax)
    throw Error("model '" + model + "': the last layer ('" + last.name() + "') must use activation 'softmax' for " +
                loss_name(loss));
}

void check_class_outputs(const std::string& model, const Layer& last) {
  const long outputs = shape_size(last.output_shape());
  if (outputs != kClasses)
    throw Error("model '" + model + "': the last layer ('" + last.name() + "') has " + std::to_string(outputs) +
                " units; MNIST has " + std::to_string(kClasses) + " classes, so it needs " + std::to_string(kClasses));
}

void Sequential::compile(LossKind loss, std::unique_ptr<Optimizer> optimizer) {
  if (layers_.empty()) throw Error("model '" + name_ + "' has no layers");
  check_output_layer(name_, *layers_.back(), loss);
  loss_ = loss;
  optimizer_ = std::move(optimizer);
}

void Sequential::require_mnist_outputs() const {
  if (layers_.empty()) throw Error("model '" + name_ + "' has no layers");
  check_class_outputs(name_, *layers_.back());
}

void Sequential::require_compiled() const {
  if (!optimizer_) throw Error("model '" + name_ + "' is not compiled");
}

void Sequential::initialize(uint64_t seed) {
  Rng rng(seed);
  for (auto& layer : layers_) layer->initialize(rng);
}

int Sequential::output_size() const {
  return layers_.empty() ? input_size() : static_cast<int>(shape_size(layers_.back()->output_shape()));
}

void Sequential::reserve(int max_batch) {
  if (max_batch <= reserved_batch_) return;
  for (auto& layer : layers_) layer->reserve(max_batch);
  dprobs_.reserve(max_batch, output_size());
  eval_x_.reserve(max_batch, input_size());
  eval_labels_.resize(max_batch);
  reserved_batch_ = max_batch;
}

ConstMatrixView Sequential::forward(ConstMatrixView x, bool training) {
  if (x.cols() != input_size())
    throw Error("model '" + name_ + "': input has " + std::to_string(x.cols()) + " values per sample, expected " +
                std::to_string(input_size()));
  reserve(static_cast<int>(x.rows()));
  // Each layer's output view is rebuilt from its pointer and width (Eigen maps cannot be
  // reassigned to new memory).
  const float* data = x.data();
  long cols = x.cols();
  for (auto& layer : layers_) {
    const ConstMatrixView out = layer->forward(ConstMatrixView(data, x.rows(), cols), training);
    data = out.data();
    cols = out.cols();
  }
  probs_ = data;
  batch_ = static_cast<int>(x.rows());
  return ConstMatrixView(data, x.rows(), cols);
}

BatchResult Sequential::compute_gradients(ConstMatrixView x, const uint8_t* labels) {
  require_compiled();
  set_descent_rate(0.0f);
  const BatchResult result = forward_and_loss(x, labels);
  backward(labels);
  return result;
}

BatchResult Sequential::train_step(ConstMatrixView x, const uint8_t* labels) {
  require_compiled();
  set_descent_rate(optimizer_->plain_descent_rate());
  const BatchResult result = forward_and_loss(x, labels);
  if (!std::isfinite(result.loss)) return result;
  backward(labels);
  optimizer_->step(optimizer_params_);
  return result;
}

void Sequential::set_descent_rate(float rate) {
  if (!(rate > 0.0f)) rate = 0.0f;  // layers descend only at a positive rate; NaN too is off
  if (descent_valid_ && rate == descent_rate_) return;
  optimizer_params_.clear();
  for (auto& layer : layers_)
    if (!layer->descend_in_backward(rate) || rate == 0.0f)
      for (Param& p : layer->params()) optimizer_params_.push_back(p);
  descent_rate_ = rate;
  descent_valid_ = true;
}

BatchResult Sequential::forward_and_loss(ConstMatrixView x, const uint8_t* labels) {
  ConstMatrixView probs = forward(x, /*training=*/true);
  return {cross_entropy(loss_, probs, labels), count_correct(probs, labels), batch_};
}

void Sequential::backward(const uint8_t* labels) {
  const ConstMatrixView probs(probs_, batch_, output_size());
  MatrixView dlogits = dprobs_.rows(batch_);
  // Softmax + cross-entropy fused: (p - y)/batch, one pass instead of a Jacobian.
  softmax_cross_entropy_gradient(probs, labels, dlogits);
  const ConstMatrixView last = layers_.back()->backward_from_preactivation(as_const(dlogits));
  const float* grad = last.data();
  long rows = last.rows(), cols = last.cols();
  // Stops at the first layer that returns no input gradient: no layer before it learns.
  for (int i = static_cast<int>(layers_.size()) - 2; i >= 0 && grad != nullptr; --i) {
    const ConstMatrixView dy(grad, rows, cols);
    const ConstMatrixView next = relu_folded_[i + 1] ? layers_[i]->backward_from_preactivation(dy) : layers_[i]->backward(dy);
    grad = next.data();
    rows = next.rows();
    cols = next.cols();
  }
}

EvalResult Sequential::evaluate(const Samples& samples, int batch_size) {
  if (batch_size <= 0) throw Error("batch size must be positive");
  require_mnist_outputs();
  if (samples.count > 0 && samples.data->features() != input_size())
    throw Error("the images have " + std::to_string(samples.data->features()) + " pixels but model '" + name_ +
                "' expects " + std::to_string(input_size()) + " values per sample");
  reserve(batch_size);
  double loss_sum = 0.0;
  long correct = 0;
  for (int first = 0; first < samples.count; first += batch_size) {
    const int n = std::min(batch_size, samples.count - first);
    MatrixView x = eval_x_.rows(n);
    gather_range(samples, first, n, scaler_, x.data(), eval_labels_.data());
    ConstMatrixView probs = forward(as_const(x), /*training=*/false);
    loss_sum += cross_entropy(loss_, probs, eval_labels_.data()) * n;
    correct += count_correct(probs, eval_labels_.data());
  }
  EvalResult r;
  r.count = samples.count;
  if (samples.count > 0) {
    r.loss = loss_sum / samples.count;
    r.accuracy = static_cast<double>(correct) / samples.count;
  }
  return r;
}

void Sequential::predict_images(const uint8_t* pixels, int n, float* probs) {
  const int chunk = std::max(1, std::min(n, std::max(reserved_batch_, 256)));
  reserve(chunk);
  const int in = input_size(), out = output_size();
  for (int first = 0; first < n; first += chunk) {
    const int m = std::min(chunk, n - first);
    MatrixView x = eval_x_.rows(m);
    scaler_.convert(pixels + static_cast<long>(first) * in, static_cast<long>(m) * in, x.data());
    ConstMatrixView p = forward(as_const(x), /*training=*/false);
    std::copy(p.data(), p.data() + static_cast<long>(m) * out, probs + static_cast<long>(first) * out);
  }
}

std::vector<std::vector<float>> Sequential::layer_outputs(const uint8_t* pixels) {
  reserve(1);
  MatrixView x = eval_x_.rows(1);
  scaler_.convert(pixels, input_size(), x.data());
  std::vector<std::vector<float>> outputs;
  outputs.reserve(layers_.size());
  const float* data = x.data();
  long cols = x.cols();
  for (auto& layer : layers_) {
    const ConstMatrixView out = layer->forward(ConstMatrixView(data, 1, cols), /*training=*/false);
    outputs.emplace_back(out.data(), out.data() + out.cols());
    data = out.data();
    cols = out.cols();
  }
  return outputs;
}

const std::vector<Param>& Sequential::params() {
  if (!params_valid_) {
    params_.clear();
    weights_.clear();
    for (auto& layer : layers_) {
      for (Param& p : layer->params()) params_.push_back(p);
      for (Param& p : layer->weights()) weights_.push_back(p);
    }
    params_valid_ = true;
  }
  return params_;
}

const std::vector<Param>& Sequential::weights() {
  params();
  return weights_;
}

long Sequential::param_count() {
  long n = 0;
  for (auto& layer : layers_) n += layer->param_count();
  return n;
}

long Sequential::weight_count() {
  long n = 0;
  for (auto& layer : layers_) n += layer->weight_count();
  return n;
}

namespace {
std::string with_commas(long n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(i, ",");
  return s;
}
std::string padded(const std::string& s, size_t width) { return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' '); }
}  // namespace

// Keras 2's layout for Sequential models: columns at 45% and 85% of 65 characters.
// (Plain string building: std::ostringstream would pull iostreams into the page's module.)
std::string Sequential::summary() {
  const std::string rule(65, '_'), double_rule(65, '=');
  std::string out = "Model: \"" + name_ + "\"\n" + rule + "\n";
  out += padded(" Layer (type)", 29) + padded("Output Shape", 26) + "Param #\n" + double_rule + "\n";
  for (size_t i = 0; i < layers_.size(); ++i) {
    Layer& l = *layers_[i];
    out += padded(" " + l.name() + " (" + l.class_name() + ")", 29) + padded(shape_string(l.output_shape()), 26) +
           std::to_string(l.weight_count()) + "\n";
    if (i + 1 < layers_.size()) out += "\n";
  }
  // Keras counts every weight in Param # and the total; the moving statistics are the
  // non-trainable ones.
  const long total = weight_count(), trainable = param_count();
  out += double_rule + "\nTotal params: " + with_commas(total) + "\nTrainable params: " + with_commas(trainable) +
         "\nNon-trainable params: " + with_commas(total - trainable) + "\n" + rule + "\n";
  return out;
}

}  // namespace digitrain
