#pragma once
// Watches a run's batch losses and accuracies for the signs that the learning rate is too
// high, beyond the loss becoming NaN (which the trainer sees itself):
//   - the running loss climbs well above where it started (or, after the run had learned,
//     well above its lowest);
//   - the running accuracy falls back to chance after it was well above it;
//   - the run is stuck at chance: after a few hundred steps the accuracy is still ~0.1
//     while the loss spiked on the way (dead ReLU units: the loss then sits at ln 10).
// Thresholds are set from runs on real MNIST (tests/test_training.cpp, Divergence*): every
// preset at its tutorial rate stays far from them, every rate of 10 crosses one.
#include <optional>
#include <string>

namespace digitrain {

enum class DivergenceKind { loss_rose, accuracy_fell, stuck_at_chance };

struct Divergence {
  DivergenceKind kind;
  std::string what;  // what happened, in words, e.g. "the loss rose from 2.30 to 14.7 in 200 steps"
};

class DivergenceWatch {
 public:
  // One batch: its mean loss and its accuracy. Returns what went wrong the first time it
  // does, then nothing more (one finding per run).
  std::optional<Divergence> observe(double batch_loss, double batch_accuracy);

  // Running (exponentially smoothed) loss and accuracy; the loss is -1 before any batch.
  double running_loss() const { return loss_; }
  double running_accuracy() const { return accuracy_; }
  double lowest_loss() const { return lowest_loss_; }
  long steps() const { return steps_; }
  bool found() const { return reported_; }

 private:
  std::optional<Divergence> check();

  long steps_ = 0;
  double loss_ = -1.0, accuracy_ = 0.0;
  double start_loss_ = 0.0;  // the first batch's loss
  double lowest_loss_ = 0.0, best_accuracy_ = 0.0;  // of the running values
  long lowest_step_ = 0, best_accuracy_step_ = 0;
  double peak_batch_loss_ = 0.0, peak_since_lowest_ = 0.0;
  bool reported_ = false;
};

}  // namespace digitrain
