#pragma once
// The training loop as Keras' fit runs it, cut into steps: the terminal trainer runs it to
// the end, the page's worker runs a few hundred steps per call and reports in between.
// Per epoch: shuffle, train batch by batch, then validate.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "model/sequential.h"

namespace digitrain {

struct FitOptions {
  int batch_size = 32;
  int epochs = 1;
  bool shuffle = true;
  uint64_t seed = 0;  // shuffle order
};

// Running means over the epoch so far, as Keras' progress bar shows them.
struct BatchLogs {
  int epoch = 0;            // 0-based
  int step = 0;             // steps done in this epoch (1-based after the first)
  int steps_per_epoch = 0;
  double loss = 0.0, accuracy = 0.0;
  double batch_loss = 0.0, batch_accuracy = 0.0;  // this batch alone
};

struct EpochLogs {
  int epoch = 0;  // 0-based
  double loss = 0.0, accuracy = 0.0;
  bool has_validation = false;
  double val_loss = 0.0, val_accuracy = 0.0;
};

// Return false to stop training (Keras' model.stop_training).
struct Callbacks {
  std::function<bool(const BatchLogs&)> on_batch_end;
  std::function<bool(const EpochLogs&)> on_epoch_end;
};

struct History {
  std::vector<EpochLogs> epochs;
  bool stopped_early = false;
  std::string error;  // set when training diverged
};

class Trainer {
 public:
  Trainer(Sequential& model, Samples train, std::optional<Samples> validation, FitOptions options);

  // Runs up to `steps` steps, crossing epoch ends (which validate and call on_epoch_end).
  // Returns false once training is over: all epochs done, stopped, or diverged.
  bool run(int steps, const Callbacks& callbacks = {});
  // Runs to the end.
  History fit(const Callbacks& callbacks = {});

  bool finished() const { return finished_; }
  void stop() { finished_ = true; history_.stopped_early = true; }
  const History& history() const { return history_; }
  int epoch() const { return epoch_; }
  int step_in_epoch() const { return step_; }
  int steps_per_epoch() const { return steps_per_epoch_; }
  long total_steps() const { return total_steps_; }
  const FitOptions& options() const { return options_; }

 private:
  void begin_epoch();
  bool finish_epoch(const Callbacks& callbacks);
  void snapshot_weights();
  void restore_weights();

  Sequential& model_;
  Samples train_;
  std::optional<Samples> validation_;
  FitOptions options_;
  Rng rng_;
  std::vector<int> order_;
  BatchBuffer x_;
  std::vector<uint8_t> labels_;
  int steps_per_epoch_ = 0;
  int epoch_ = 0, step_ = 0;
  long total_steps_ = 0;
  bool finished_ = false;
  double loss_sum_ = 0.0;
  long correct_ = 0, seen_ = 0;
  // The last weights known to train well, restored if training diverges. A snapshot is
  // taken only while the smoothed loss is near its best: weights taken while the loss
  // climbs towards NaN are finite but useless.
  std::vector<float> good_weights_;
  long good_weights_step_ = -1;
  double smoothed_loss_ = -1.0, best_smoothed_loss_ = 0.0;
  History history_;
};

// Keras' validation_split: the LAST `fraction` of the samples validates (taken before
// any shuffling); returns {train, validation}.
std::pair<Samples, Samples> split_validation(const Samples& samples, double fraction);

}  // namespace digitrain
