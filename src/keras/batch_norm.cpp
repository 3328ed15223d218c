// BatchNormalization's Keras contract (the maths: layers/batch_norm.cpp).
#include "keras/initializers.h"
#include "keras/layer_class.h"
#include "layers/batch_norm.h"

namespace digitrain {

const LayerClass& batch_norm_class() {
  static const LayerClass c{
      "BatchNormalization",
      "over the last axis only (features, or channels after a Conv2D); training normalises by the batch's "
      "statistics and moves `moving_mean`/`moving_variance` toward them, inference uses the moving ones; "
      "weights `gamma`, `beta` (trainable), `moving_mean`, `moving_variance` (not), `[C]` each",
      // TF.js' keys in its order; Keras 3 adds synchronized (false).
      {{"axis", KeyKind::fixed, -1},
       {"momentum", KeyKind::fraction, 0.99},
       {"epsilon", KeyKind::positive_number, 1e-3},
       {"center", KeyKind::boolean, true},
       {"scale", KeyKind::boolean, true},
       {"beta_initializer", KeyKind::initializer, "zeros"},
       {"gamma_initializer", KeyKind::initializer, "ones"},
       {"moving_mean_initializer", KeyKind::initializer, "zeros"},
       {"moving_variance_initializer", KeyKind::initializer, "ones"},
       {"beta_regularizer", KeyKind::ignored},
       {"gamma_regularizer", KeyKind::ignored},
       {"beta_constraint", KeyKind::ignored},
       {"gamma_constraint", KeyKind::ignored},
       {"synchronized", KeyKind::fixed_unwritten, false}},
      [](const std::string& name, const LayerArgs& a) -> std::unique_ptr<Layer> {
        BatchNormOptions o;
        o.momentum = a["momentum"].get<double>();
        o.epsilon = a["epsilon"].get<double>();
        o.center = a["center"];
        o.scale = a["scale"];
        o.beta_initializer = parse_initializer(a["beta_initializer"], name);
        o.gamma_initializer = parse_initializer(a["gamma_initializer"], name);
        o.moving_mean_initializer = parse_initializer(a["moving_mean_initializer"], name);
        o.moving_variance_initializer = parse_initializer(a["moving_variance_initializer"], name);
        return std::make_unique<BatchNorm>(name, o);
      },
      [](const Layer& layer) -> LayerArgs {
        const BatchNormOptions& o = static_cast<const BatchNorm&>(layer).options();
        return {{"axis", -1},
                {"momentum", o.momentum},
                {"epsilon", o.epsilon},
                {"center", o.center},
                {"scale", o.scale},
                {"beta_initializer", initializer_to_json(o.beta_initializer)},
                {"gamma_initializer", initializer_to_json(o.gamma_initializer)},
                {"moving_mean_initializer", initializer_to_json(o.moving_mean_initializer)},
                {"moving_variance_initializer", initializer_to_json(o.moving_variance_initializer)}};
      }};
  return c;
}

}  // namespace digitrain
