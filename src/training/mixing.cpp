#include "training/mixing.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace digitrain {

int copies_per_extra_image(int base_count, int extra_count, const MixOptions& options) {
  if (extra_count <= 0) return 0;
  const double share = std::clamp(options.extra_share, 0.0, 0.9);
  const double wanted = share / (1.0 - share) * base_count / extra_count;
  return static_cast<int>(std::clamp(std::round(wanted), 1.0, static_cast<double>(std::max(1, options.max_copies))));
}

Dataset mix_extra_samples(const Samples& base, const Dataset& extra, const MixOptions& options) {
  const Dataset& d = *base.data;
  if (extra.count > 0 && (extra.rows != d.rows || extra.cols != d.cols))
    throw Error("the extra images are " + std::to_string(extra.rows) + "x" + std::to_string(extra.cols) +
                ", the training images " + std::to_string(d.rows) + "x" + std::to_string(d.cols));
  const int copies = copies_per_extra_image(base.count, extra.count, options);
  const long total = static_cast<long>(base.count) + static_cast<long>(extra.count) * copies;
  if (total > 100'000'000) throw Error("too many mixed samples: " + std::to_string(total));
  Dataset mixed;
  mixed.rows = d.rows;
  mixed.cols = d.cols;
  mixed.count = static_cast<int>(total);
  const size_t features = d.features();
  mixed.pixels.resize(static_cast<size_t>(total) * features);
  mixed.labels.resize(total);
  std::copy(d.image(base.begin), d.image(base.begin) + base.count * features, mixed.pixels.begin());
  std::copy(d.labels.begin() + base.begin, d.labels.begin() + base.begin + base.count, mixed.labels.begin());
  Rng rng(options.seed);
  long at = base.count;
  for (int copy = 0; copy < copies; ++copy) {
    for (int i = 0; i < extra.count; ++i, ++at) {
      uint8_t* out = mixed.pixels.data() + at * features;
      if (copy == 0) std::copy(extra.image(i), extra.image(i) + features, out);
      else augment_image(extra.image(i), extra.rows, extra.cols, rng, options.range, out);
      mixed.labels[at] = extra.labels[i];
    }
  }
  return mixed;
}

}  // namespace digitrain
