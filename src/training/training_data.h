#pragma once
// Which images train and which validate, as each tutorial does it (the "fit" section of
// a model description): the first N training images (T1), the last fraction (T4's
// validation_split), the test set (T3), or none (T2).
#include <optional>
#include <string>

#include "data/dataset.h"
#include "model/model_spec.h"

namespace digitrain {

struct TrainingData {
  Samples train;
  std::optional<Samples> validation;
  std::string validation_description;  // "first 5,000 training images", ...
};

// `limit` > 0 keeps only the first `limit` images of the training part.
TrainingData plan_training_data(const FitSettings& fit, const Dataset& train, const Dataset& test, int limit = 0);

}  // namespace digitrain
