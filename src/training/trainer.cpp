#include "training/trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "core/number_text.h"

namespace digitrain {

namespace {
// Often enough that a diverged run loses little, rarely enough to cost nothing measurable
// (a copy and a finiteness check of the weights: ~0.2 % of the steps' time).
constexpr long kCheckpointEvery = 100;
// A running loss this far above its lowest means trouble: no checkpoint counts as good then.
constexpr double kHealthyLossRatio = 1.5;
constexpr double kHealthyLossMargin = 0.05;  // batch noise around tiny losses
// How many batches after a checkpoint score its weights, and how far above the best score
// a later checkpoint may be and still become the best.
constexpr int kCandidateBatches = 10;
constexpr double kBestTolerance = 1.25;

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
  for (const Param& p : model_.weights()) weights += p.size;
  best_weights_.resize(weights);
  candidate_weights_.resize(weights);
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

// Weights can turn non-finite before the loss shows it: the sparse first layer skips the
// rows of unlit pixels, so an infinite weight there leaves the loss finite until its pixel
// lights up. Such weights are never kept as the good ones.
bool Trainer::weights_finite() const {
  for (const Param& p : model_.weights())
    for (long i = 0; i < p.size; ++i)
      if (!std::isfinite(p.value[i])) return false;
  return true;
}

static void copy_weights(Sequential& model, std::vector<float>& out) {
  float* to = out.data();
  for (const Param& p : model.weights()) to = std::copy(p.value, p.value + p.size, to);
}

void Trainer::checkpoint() {
  candidate_step_ = -1;
  if (!weights_finite()) return;
  if (total_steps_ == 0) {  // the start: the best there is until a checkpoint proves better
    copy_weights(model_, best_weights_);
    best_step_ = 0;
    best_scored_ = false;
    return;
  }
  const double loss = watch_.running_loss();
  if (watch_.found() || loss > kHealthyLossRatio * watch_.lowest_loss() + kHealthyLossMargin) return;
  copy_weights(model_, candidate_weights_);
  candidate_step_ = total_steps_;
  candidate_loss_sum_ = 0.0;
  candidate_batches_ = 0;
}

// The batches right after a checkpoint are computed with weights close to the candidate's:
// their mean loss is its score. A healthy score within kBestTolerance of the best's makes
// it the best (batch noise must not keep an older, worse model as "best" for long).
void Trainer::score_candidate(double batch_loss) {
  if (candidate_step_ < 0) return;
  candidate_loss_sum_ += batch_loss;
  if (++candidate_batches_ < kCandidateBatches) return;
  const double score = candidate_loss_sum_ / candidate_batches_;
  const bool healthy = !watch_.found() && score <= kHealthyLossRatio * watch_.lowest_loss() + kHealthyLossMargin;
  if (healthy && (!best_scored_ || score <= kBestTolerance * best_score_)) {
    best_weights_.swap(candidate_weights_);
    best_step_ = candidate_step_;
    best_score_ = best_scored_ ? std::min(best_score_, score) : score;
    best_scored_ = true;
  }
  candidate_step_ = -1;
}

// What to try: the optimiser's usual rate (Keras' default) when the rate is far above it,
// else a tenth of the rate.
std::string Trainer::advice() const {
  const Optimizer& optimizer = *model_.optimizer();
  const double rate = optimizer.learning_rate();
  const double usual = std::string(optimizer.class_name()) == "SGD" ? 0.01 : 0.001;
  const std::string said = "the learning rate " + number_text(static_cast<float>(rate));
  if (rate > 10.0 * usual) return said + " is far too high; try " + number_text(static_cast<float>(usual));
  return said + " is too high for this model; try " + number_text(static_cast<float>(rate / 10.0));
}

void Trainer::diverged(const std::string& what, const Callbacks& callbacks, bool must_stop) {
  history_.error = what + ": " + advice();
  if (callbacks.on_divergence) callbacks.on_divergence(history_.error);
  if (!must_stop) return;
  const float* in = best_weights_.data();
  for (const Param& p : model_.weights()) {
    std::copy(in, in + p.size, p.value);
    in += p.size;
  }
  // Momenta built on the diverged weights go with them.
  model_.optimizer()->reset_state();
  history_.stopped_diverged = true;
  history_.restored_step = best_step_;
  finished_ = true;
}

bool Trainer::run(int steps, const Callbacks& callbacks) {
  for (int done = 0; done < steps && !finished_; ++done) {
    if (step_ == 0) begin_epoch();
    if (total_steps_ % kCheckpointEvery == 0) checkpoint();
    const int first = step_ * options_.batch_size;
    const int n = std::min(options_.batch_size, train_.count - first);
    MatrixView x = x_.rows(n);
    gather_batch(*train_.data, order_.data() + first, n, model_.scaler(), x.data(), labels_.data());
    // A non-finite loss stops the step before backward: no NaN reaches the weights.
    const BatchResult r = model_.train_step(as_const(x), labels_.data());
    if (!std::isfinite(r.loss)) {
      diverged("the loss became " + std::string(std::isnan(r.loss) ? "NaN" : "infinite") + " at epoch " +
                   std::to_string(epoch_ + 1) + ", step " + std::to_string(step_ + 1),
               callbacks, /*must_stop=*/true);
      return false;
    }
    ++step_;
    ++total_steps_;
    loss_sum_ += r.loss * n;
    correct_ += r.correct;
    seen_ += n;
    const double batch_accuracy = static_cast<double>(r.correct) / n;
    const std::optional<Divergence> found = watch_.observe(r.loss, batch_accuracy);
    score_candidate(r.loss);
    if (callbacks.on_batch_end) {
      BatchLogs logs{epoch_, step_, steps_per_epoch_, loss_sum_ / seen_, static_cast<double>(correct_) / seen_,
                     r.loss, batch_accuracy};
      if (!callbacks.on_batch_end(logs)) stop();
    }
    if (found) {
      diverged(found->what, callbacks, options_.stop_on_divergence);
      if (finished_ && history_.stopped_diverged) return false;
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
