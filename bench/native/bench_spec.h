#pragma once
// What every benchmarked run trains: the tutorial's model, optimiser and batch size, but
// the peers' data handling (bench/README.md), so Digitrain and its peers do the same work:
// /255 pixels for every model (T3 feeds raw pixels), train on training images 0..54,999,
// validate on 55,000..59,999 after the epoch.
#include <string>
#include <vector>

#include "model/model_spec.h"
#include "model/presets.h"

namespace digitrain::bench {

constexpr int kTrainImages = 55000, kValidationImages = 5000;

// The presets a bench program runs when none is named, in the README's order.
inline const std::vector<std::string> kBenchPresets = {"mlp-300-100", "mlp-128-128", "mlp-256", "cnn-16-8"};

inline ModelSpec bench_spec(const std::string& preset) {
  ModelSpec spec = preset_spec(preset);
  spec.fit.pixel_scale = 255.0f;
  spec.fit.epochs = 1;
  // Keras' validation_split takes the last fraction: floor(60,000 * (1 - 1/12)) = 55,000.
  spec.fit.validation = FitSettings::Validation::split;
  spec.fit.split_fraction = static_cast<double>(kValidationImages) / (kTrainImages + kValidationImages);
  return spec;
}

}  // namespace digitrain::bench
