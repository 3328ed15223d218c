#include "layers/initializer.h"

#include <cmath>

namespace digitrain {

void initialize_weights(const Initializer& init, float* values, long size, long fan_in, long fan_out, Rng& rng) {
  switch (init.kind) {
    case Initializer::Kind::glorot_uniform: {
      // Glorot: keeps activation variance the same forward and backward (Keras' default).
      const float limit = static_cast<float>(std::sqrt(6.0 / static_cast<double>(fan_in + fan_out)));
      for (long i = 0; i < size; ++i) values[i] = rng.uniform(-limit, limit);
      return;
    }
    case Initializer::Kind::random_normal:
      for (long i = 0; i < size; ++i) values[i] = static_cast<float>(init.mean + init.stddev * rng.normal());
      return;
    case Initializer::Kind::random_uniform:
      for (long i = 0; i < size; ++i)
        values[i] = rng.uniform(static_cast<float>(init.minval), static_cast<float>(init.maxval));
      return;
    case Initializer::Kind::zeros:
      for (long i = 0; i < size; ++i) values[i] = 0.0f;
      return;
    case Initializer::Kind::ones:
      for (long i = 0; i < size; ++i) values[i] = 1.0f;
      return;
  }
}

}  // namespace digitrain
