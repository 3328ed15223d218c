#include "training/trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "core/number_text.h"

namespace digitrain {

namespace {
// Often enough that a diverged run loses little, rarely enough to cost nothing measurable.
constexpr long kSnapshotEvery = 100;
// Batch losses are noisy; a smoothed loss this far above its best means trouble.
constexpr double kLossSmoothing = 0.05;
constexpr double kHealthyLossRatio = 1.5;

}  // namespace

Trainer::Trainer(Sequential& model, Samples train, std::optional<Samples> validation, FitOptions options)
    : model_(model), train_(train), validation_(validation), options_(options), rng_(options.seed) {
  if (options_.batch_size <= 0 || options_.batch_size > 65536)
    throw Error("batch size must be between 1 and 65536, got " + std::to_string(options_.batch_size));
  if (options_.epochs < 0) throw Error("epochs must not be negative, got " + std::to_string(options_.epochs));
  if (train_.count <= 0) throw Error("there are no training samples");
  model_.require_mnist_outputs();
  if (train_.data->features() != model_.input_size())
    throw Error("the data has " + std::to_string(train_.data->features()) + " values per image but model '" +
                model_.name() + "' expects " + std::to_string(model_.input_size()));
  steps_per_epoch_ = (train_.count + options_.batch_size - 1) / options_.batch_size;
  order_.resize(train_.count);
  x_.reserve(options_.batch_size, model_.input_size());
  labels_.resize(options_.batch_size);
  model_.reserve(options_.batch_size);
  long weights = 0;
  for (const Param& p : model_.params()) weights += p.size;
  good_weights_.resize(weights);
  history_.epochs.reserve(std::min(options_.epochs, 10000));
  finished_ = options_.epochs == 0;
}

void Trainer::begin_epoch() {
  std::iota(order_.begin(), order_.end(), train_.begin);
  if (options_.shuffle)
    for (int i = train_.count - 1; i > 0; --i) std::swap(order_[i], order_[rng_.below(static_cast<uint64_t>(i) + 1)]);
  step_ = 0;
  loss_sum_ = 0.0;
  correct_ = seen_ = 0;
}

void Trainer::snapshot_weights() {
  // Weights can turn non-finite before the loss shows it: the sparse first layer skips the
  // rows of unlit pixels, so an infinite weight there leaves the loss finite until its
  // pixel lights up. Such weights are never kept as the good ones.
  for (const Param& p : model_.params())
    for (long i = 0; i < p.size; ++i)
      if (!std::isfinite(p.value[i])) return;
  float* out = good_weights_.data();
  for (const Param& p : model_.params()) out = std::copy(p.value, p.value + p.size, out);
  good_weights_step_ = total_steps_;
}

void Trainer::restore_weights() {
  const float* in = good_weights_.data();
  for (const Param& p : model_.params()) {
    std::copy(in, in + p.size, p.value);
    in += p.size;
  }
}

bool Trainer::run(int steps, const Callbacks& callbacks) {
  for (int done = 0; done < steps && !finished_; ++done) {
    if (step_ == 0) begin_epoch();
    const bool healthy = smoothed_loss_ < 0.0 || smoothed_loss_ <= kHealthyLossRatio * best_smoothed_loss_;
    if (total_steps_ % kSnapshotEvery == 0 && healthy) snapshot_weights();
    const int first = step_ * options_.batch_size;
    const int n = std::min(options_.batch_size, train_.count - first);
    MatrixView x = x_.rows(n);
    gather_batch(*train_.data, order_.data() + first, n, model_.scaler(), x.data(), labels_.data());
    // A non-finite loss stops the step before backward: no NaN reaches the weights.
    const BatchResult r = model_.train_step(as_const(x), labels_.data());
    if (!std::isfinite(r.loss)) {
      restore_weights();
      model_.optimizer()->reset_state();
      history_.error = "training diverged: the loss became " + std::string(std::isnan(r.loss) ? "NaN" : "infinite") +
                       " at epoch " + std::to_string(epoch_ + 1) + ", step " + std::to_string(step_ + 1) +
                       " (learning rate " + number_text(model_.optimizer()->learning_rate()) +
                       "); the weights from step " + std::to_string(good_weights_step_) +
                       " were kept. Try a smaller learning rate.";
      finished_ = true;
      return false;
    }
    smoothed_loss_ = smoothed_loss_ < 0.0 ? r.loss : (1.0 - kLossSmoothing) * smoothed_loss_ + kLossSmoothing * r.loss;
    best_smoothed_loss_ = total_steps_ == 0 ? smoothed_loss_ : std::min(best_smoothed_loss_, smoothed_loss_);
    ++step_;
    ++total_steps_;
    loss_sum_ += r.loss * n;
    correct_ += r.correct;
    seen_ += n;
    if (callbacks.on_batch_end) {
      BatchLogs logs{epoch_, step_, steps_per_epoch_, loss_sum_ / seen_, static_cast<double>(correct_) / seen_,
                     r.loss, static_cast<double>(r.correct) / n};
      if (!callbacks.on_batch_end(logs)) stop();
    }
    if (step_ == steps_per_epoch_ && !finish_epoch(callbacks)) stop();
  }
  return !finished_;
}

bool Trainer::finish_epoch(const Callbacks& callbacks) {
  EpochLogs logs;
  logs.epoch = epoch_;
  logs.loss = loss_sum_ / seen_;
  logs.accuracy = static_cast<double>(correct_) / seen_;
  if (validation_ && validation_->count > 0) {
    const EvalResult v = model_.evaluate(*validation_, options_.batch_size);
    logs.has_validation = true;
    logs.val_loss = v.loss;
    logs.val_accuracy = v.accuracy;
  }
  history_.epochs.push_back(logs);
  ++epoch_;
  step_ = 0;
  if (epoch_ >= options_.epochs) finished_ = true;
  return !callbacks.on_epoch_end || callbacks.on_epoch_end(logs);
}

History Trainer::fit(const Callbacks& callbacks) {
  while (run(steps_per_epoch_, callbacks)) {
  }
  return history_;
}

std::pair<Samples, Samples> split_validation(const Samples& samples, double fraction) {
  if (!(fraction >= 0.0 && fraction < 1.0))
    throw Error("validation_split must be in [0, 1), got " + number_text(fraction));
  const int train_count = static_cast<int>(std::floor(samples.count * (1.0 - fraction)));
  return {head(samples, train_count), tail_after(samples, train_count)};
}

}  // namespace digitrain
