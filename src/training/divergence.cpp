#include "training/divergence.h"

#include <algorithm>
#include <string>

#include "core/number_text.h"

namespace digitrain {

namespace {
// About the last 20 batches: batch losses of 32 images swing by a factor of two.
constexpr double kSmoothing = 0.05;
// "Well above": the running loss at least this many times its start (or its lowest, once
// the run learned) and at least kRiseMargin above it. Legitimate runs never come near (their
// running loss stays below the start after the first steps).
constexpr double kRiseRatio = 2.0;
constexpr double kRiseMargin = 1.0;
// Accuracy: chance on MNIST's ten classes is ~0.10 (0.098-0.114 by class).
constexpr double kChanceAccuracy = 0.2;   // at most this counts as chance
constexpr double kLearnedAccuracy = 0.5;  // at least this counts as "well above chance"
// A few hundred steps: every preset at its tutorial rate is past 0.5 by step 200.
constexpr long kStuckSteps = 300;
// The loss of a network that answers every image with the classes' frequencies: ln 10.
constexpr double kChanceLoss = 2.302585;

// fixed_text, not snprintf: the C library's floating-point printf is 5 KB of the page's module.
std::string two_digits(double v) { return fixed_text(v, v >= 100 ? 0 : v >= 10 ? 1 : 2); }

std::string steps_text(long n) { return std::to_string(n) + (n == 1 ? " step" : " steps"); }

}  // namespace

std::optional<Divergence> DivergenceWatch::observe(double batch_loss, double batch_accuracy) {
  ++steps_;
  if (loss_ < 0.0) {
    loss_ = batch_loss;
    accuracy_ = batch_accuracy;
  } else {
    loss_ += kSmoothing * (batch_loss - loss_);
    accuracy_ += kSmoothing * (batch_accuracy - accuracy_);
  }
  // The loss a run starts from is its first batch's: the only one computed before any
  // update (a rate of 10 sends the second batch's loss from 2.3 to 15). cnn-16-8 on raw
  // pixels starts near 13, the MLPs near ln 10 = 2.30.
  if (steps_ == 1) {
    start_loss_ = lowest_loss_ = batch_loss;
    lowest_step_ = 1;
    return std::nullopt;
  }
  if (loss_ < lowest_loss_) {
    lowest_loss_ = loss_;
    lowest_step_ = steps_;
    peak_since_lowest_ = 0.0;
  }
  peak_batch_loss_ = std::max(peak_batch_loss_, batch_loss);
  peak_since_lowest_ = std::max(peak_since_lowest_, batch_loss);
  if (accuracy_ > best_accuracy_) {
    best_accuracy_ = accuracy_;
    best_accuracy_step_ = steps_;
  }
  if (reported_) return std::nullopt;
  std::optional<Divergence> found = check();
  reported_ = found.has_value();
  return found;
}

std::optional<Divergence> DivergenceWatch::check() {
  // Measured from the start, or from the lowest point once the run had learned something:
  // a rate raised mid-run shows as a climb from the trained loss.
  const bool learned = lowest_loss_ < 0.5 * start_loss_;
  const double from = learned ? lowest_loss_ : start_loss_;
  const long since = learned ? steps_ - lowest_step_ : steps_;
  // Said with the highest batch loss: the running loss lags it, and the climb is steep.
  if (loss_ > kRiseRatio * from && loss_ > from + kRiseMargin)
    return Divergence{DivergenceKind::loss_rose, "the loss rose from " + two_digits(from) + " to " +
                                                     two_digits(learned ? peak_since_lowest_ : peak_batch_loss_) +
                                                     " in " + steps_text(since)};
  if (best_accuracy_ >= kLearnedAccuracy && accuracy_ <= kChanceAccuracy)
    return Divergence{DivergenceKind::accuracy_fell,
                      "the accuracy fell from " + two_digits(best_accuracy_) + " back to " + two_digits(accuracy_) +
                          ", chance level, in " + steps_text(steps_ - best_accuracy_step_)};
  // Stuck at chance after a violent start: large steps killed the ReLU units and the
  // network answers the same for every image, its loss at ln 10 (the MLPs' spike to ~15),
  // or the loss fell from cnn-16-8's raw-pixel 13 to ln 10 with no accuracy gained. A rate
  // that is merely too small leaves the accuracy low too, but its loss neither spikes nor
  // falls far, so it is not reported.
  const bool spiked = peak_batch_loss_ > kRiseRatio * start_loss_ && peak_batch_loss_ > start_loss_ + kRiseMargin;
  const bool fell_without_learning = start_loss_ - loss_ > kRiseMargin;
  if (steps_ >= kStuckSteps && best_accuracy_ < kLearnedAccuracy && accuracy_ <= kChanceAccuracy &&
      loss_ < kChanceLoss + kRiseMargin && (spiked || fell_without_learning))
    return Divergence{DivergenceKind::stuck_at_chance,
                      "after " + steps_text(steps_) + " the loss is stuck at " + two_digits(loss_) +
                          " and the accuracy at " + two_digits(accuracy_) + ", chance level: the network stopped learning"};
  return std::nullopt;
}

}  // namespace digitrain
