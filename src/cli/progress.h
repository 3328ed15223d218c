#pragma once
// Keras-style training output. On a terminal: a progress bar redrawn in place with step
// count, ETA, loss and accuracy. Elsewhere (a pipe, a log file): one plain line per epoch.
#include <chrono>
#include <ostream>

#include "training/trainer.h"

namespace digitrain {

class ProgressPrinter {
 public:
  ProgressPrinter(std::ostream& out, bool interactive, int epochs);
  void epoch_begin(int epoch);
  void batch_end(const BatchLogs& logs);
  void epoch_end(const EpochLogs& logs, int steps);

 private:
  using Clock = std::chrono::steady_clock;
  std::string bar(int step, int steps) const;

  std::ostream& out_;
  bool interactive_;
  int epochs_;
  Clock::time_point epoch_start_, last_draw_;
  BatchLogs last_{};
};

std::string format_duration(double seconds);  // "3s", "1:02", "2:01:07"
std::string format_per_step(double seconds);  // "3ms/step", "850us/step"

}  // namespace digitrain
