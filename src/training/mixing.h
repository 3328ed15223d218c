#pragma once
// Training data with a few extra samples mixed in: the learner's own drawings ("My digits"
// in the page, --extra-data in the terminal trainer). A few dozen images among 60,000 would
// pass unnoticed, so each is repeated, and each repeat changed a little (data/augment.h) so
// that the model learns the drawing's shape rather than its exact pixels.
#include <cstdint>

#include "data/augment.h"
#include "data/dataset.h"

namespace digitrain {

struct MixOptions {
  double extra_share = 0.2;  // aim: this fraction of the mixed samples are extra ones...
  int max_copies = 100;      // ...but no image repeated more often than this
  AugmentRange range;
  uint64_t seed = 1;
};

// How many times each of `extra_count` images is repeated among `base_count` others.
int copies_per_extra_image(int base_count, int extra_count, const MixOptions& options);

// One dataset: the samples of `base`, then each extra image once as drawn and
// copies_per_extra_image - 1 times changed. Trainer shuffles it as any other.
Dataset mix_extra_samples(const Samples& base, const Dataset& extra, const MixOptions& options);

}  // namespace digitrain
