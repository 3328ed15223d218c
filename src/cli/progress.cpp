#include "cli/progress.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace digitrain {

namespace {
constexpr int kBarWidth = 30;
// Redrawing more often than this only costs time; the eye does not see it.
constexpr auto kRedrawEvery = std::chrono::milliseconds(100);

std::string metric(const char* name, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, " - %s: %.4f", name, value);
  return buf;
}
}  // namespace

std::string format_duration(double seconds) {
  const long s = std::lround(seconds);
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%lds", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

std::string format_per_step(double seconds) {
  char buf[32];
  if (seconds >= 1.0) std::snprintf(buf, sizeof buf, "%.0fs/step", seconds);
  else if (seconds >= 1e-3) std::snprintf(buf, sizeof buf, "%.0fms/step", seconds * 1e3);
  else std::snprintf(buf, sizeof buf, "%.0fus/step", seconds * 1e6);
  return buf;
}

ProgressPrinter::ProgressPrinter(std::ostream& out, bool interactive, int epochs)
    : out_(out), interactive_(interactive), epochs_(epochs) {}

std::string ProgressPrinter::bar(int step, int steps) const {
  const int digits = static_cast<int>(std::to_string(steps).size());
  char count[48];
  std::snprintf(count, sizeof count, "%*d/%d", digits, step, steps);
  std::string s = std::string(count) + " [";
  const int filled = steps > 0 ? step * kBarWidth / steps : kBarWidth;
  for (int i = 0; i < kBarWidth; ++i) s += i < filled - 1 || (i == filled - 1 && step == steps) ? '=' : i == filled - 1 ? '>' : '.';
  return s + "]";
}

void ProgressPrinter::epoch_begin(int epoch) {
  epoch_start_ = last_draw_ = Clock::now();
  if (interactive_) out_ << "Epoch " << epoch + 1 << "/" << epochs_ << "\n" << std::flush;
}

void ProgressPrinter::batch_end(const BatchLogs& logs) {
  last_ = logs;
  if (!interactive_ || logs.step == logs.steps_per_epoch) return;
  const auto now = Clock::now();
  if (now - last_draw_ < kRedrawEvery) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  const double eta = elapsed / logs.step * (logs.steps_per_epoch - logs.step);
  out_ << "\r" << bar(logs.step, logs.steps_per_epoch) << " - ETA: " << format_duration(eta)
       << metric("loss", logs.loss) << metric("accuracy", logs.accuracy) << "\x1b[K" << std::flush;
}

void ProgressPrinter::epoch_end(const EpochLogs& logs, int steps) {
  const double elapsed = std::chrono::duration<double>(Clock::now() - epoch_start_).count();
  std::string line = interactive_ ? "\r" + bar(steps, steps) + " - "
                                  : "Epoch " + std::to_string(logs.epoch + 1) + "/" + std::to_string(epochs_) + " - " +
                                        std::to_string(steps) + "/" + std::to_string(steps) + " - ";
  line += format_duration(elapsed) + " " + format_per_step(steps > 0 ? elapsed / steps : 0.0);
  line += metric("loss", logs.loss) + metric("accuracy", logs.accuracy);
  if (logs.has_validation) line += metric("val_loss", logs.val_loss) + metric("val_accuracy", logs.val_accuracy);
  out_ << line << (interactive_ ? "\x1b[K\n" : "\n") << std::flush;
}

}  // namespace digitrain
