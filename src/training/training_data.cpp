#include "training/training_data.h"

#include "core/error.h"
#include "training/trainer.h"

namespace digitrain {

TrainingData plan_training_data(const FitSettings& fit, const Dataset& train, const Dataset& test, int limit) {
  if (limit < 0) throw Error("--limit must not be negative, got " + std::to_string(limit));
  TrainingData plan;
  const Samples all = all_of(train);
  switch (fit.validation) {
    case FitSettings::Validation::none:
      plan.train = all;
      break;
    case FitSettings::Validation::head:
      if (fit.head_count >= all.count)
        throw Error("validation takes the first " + std::to_string(fit.head_count) + " images but there are only " +
                    std::to_string(all.count));
      plan.validation = head(all, fit.head_count);
      plan.train = tail_after(all, fit.head_count);
      plan.validation_description = "the first " + std::to_string(fit.head_count) + " training images";
      break;
    case FitSettings::Validation::split: {
      auto [t, v] = split_validation(all, fit.split_fraction);
      plan.train = t;
      plan.validation = v;
      plan.validation_description = "the last " + std::to_string(v.count) + " training images";
      break;
    }
    case FitSettings::Validation::test:
      plan.train = all;
      plan.validation = all_of(test);
      plan.validation_description = "the " + std::to_string(test.count) + " test images";
      break;
  }
  if (limit > 0) plan.train = head(plan.train, limit);
  return plan;
}

}  // namespace digitrain
