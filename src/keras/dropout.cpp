// Dropout's Keras contract (the layer: layers/dropout.cpp).
#include "core/error.h"
#include "keras/layer_class.h"
#include "layers/dropout.h"

namespace digitrain {

const LayerClass& dropout_class() {
  static const LayerClass c{
      "Dropout",
      "training only: zeroes a `rate` share of values, scales the rest by 1/(1 − rate); seeded from the model's "
      "seed unless `seed` is set",
      {{"rate", KeyKind::fraction, nullptr},
       {"noise_shape", KeyKind::fixed, nullptr},
       {"seed", KeyKind::seed}},
      [](const std::string& name, const LayerArgs& a) -> std::unique_ptr<Layer> {
        if (a["rate"].is_null()) throw Error("layer '" + name + "': missing 'rate'");
        const bool seeded = !a["seed"].is_null();
        return std::make_unique<Dropout>(name, a["rate"].get<double>(), seeded,
                                         seeded ? a["seed"].get<uint64_t>() : 0);
      },
      [](const Layer& layer) -> LayerArgs {
        const auto& d = static_cast<const Dropout&>(layer);
        return {{"rate", d.rate()}, {"seed", d.has_seed() ? nlohmann::json(d.seed()) : nlohmann::json()}};
      }};
  return c;
}

}  // namespace digitrain
