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
#include "training/divergence.h"

namespace digitrain {

struct FitOptions {
  int batch_size = 32;
  int epochs = 1;
  bool shuffle = true;
  uint64_t seed = 0;  // shuffle order
  // A run whose loss climbs, whose accuracy falls back to chance or that is stuck at chance
  // (divergence.h) stops and gets the best weights it saw back, as the page wants. Off,
  // training goes on as Keras' fit does (the terminal trainer prints a warning). A NaN or
  // infinite loss stops either way: no step could follow it.
  bool stop_on_divergence = false;
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
  // Once per run, when the watch sees it diverge: what happened and what to try.
  std::function<void(const std::string&)> on_divergence;
};

struct History {
  std::vector<EpochLogs> epochs;
  bool stopped_early = false;
  // Set when training diverged: what happened and what to try ("the loss rose from 2.30 to
  // 14.7 in 200 steps: the learning rate 10 is far too high; try 0.001").
  std::string error;
  bool stopped_diverged = false;  // the run stopped for it (always for NaN)
  long restored_step = -1;        // then: the step whose weights were restored (0: the start)
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
  void checkpoint();
  void score_candidate(double batch_loss);
  bool weights_finite() const;
  void diverged(const std::string& what, const Callbacks& callbacks, bool must_stop);
  std::string advice() const;

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
  // The best weights the run saw, restored when it diverges. Every kCheckpointEvery steps,
  // while the run is healthy, the weights become a candidate; the mean loss of the next few
  // batches (computed with nearly those weights) scores it, and a healthy score close to the
  // best's makes it the best (weights taken just before the loss climbs score badly). The
  // start (step 0) is the best until then.
  std::vector<float> best_weights_, candidate_weights_;
  long best_step_ = 0, candidate_step_ = -1;
  double best_score_ = 0.0, candidate_loss_sum_ = 0.0;
  int candidate_batches_ = 0;
  bool best_scored_ = false;
  DivergenceWatch watch_;
  History history_;
};

// Keras' validation_split: the LAST `fraction` of the samples validates (taken before
// any shuffling); returns {train, validation}.
std::pair<Samples, Samples> split_validation(const Samples& samples, double fraction);

}  // namespace digitrain
