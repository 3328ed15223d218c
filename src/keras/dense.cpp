// Dense's Keras contract (the maths: layers/dense.cpp).
#include "keras/initializers.h"
#include "keras/layer_class.h"
#include "layers/dense.h"

namespace digitrain {

const LayerClass& dense_class() {
  static const LayerClass c{
      "Dense",
      "needs a flat input (put a `Flatten` first); kernel `[in, units]`",
      {{"units", KeyKind::positive_int},
       {"activation", KeyKind::activation, "linear"},
       {"use_bias", KeyKind::boolean, true},
       {"kernel_initializer", KeyKind::initializer, "glorot_uniform"},
       {"bias_initializer", KeyKind::initializer, "zeros"},
       {"kernel_regularizer", KeyKind::ignored},
       {"bias_regularizer", KeyKind::ignored},
       {"activity_regularizer", KeyKind::ignored},
       {"kernel_constraint", KeyKind::ignored},
       {"bias_constraint", KeyKind::ignored}},
      [](const std::string& name, const LayerArgs& a) -> std::unique_ptr<Layer> {
        DenseOptions o;
        o.units = a["units"];
        o.activation = parse_activation(a["activation"], name);
        o.use_bias = a["use_bias"];
        o.kernel_initializer = parse_initializer(a["kernel_initializer"], name);
        o.bias_initializer = parse_initializer(a["bias_initializer"], name);
        return std::make_unique<Dense>(name, o);
      },
      [](const Layer& layer) -> LayerArgs {
        const DenseOptions& o = static_cast<const Dense&>(layer).options();
        return {{"units", o.units},
                {"activation", activation_name(o.activation)},
                {"use_bias", o.use_bias},
                {"kernel_initializer", initializer_to_json(o.kernel_initializer)},
                {"bias_initializer", initializer_to_json(o.bias_initializer)}};
      }};
  return c;
}

}  // namespace digitrain
