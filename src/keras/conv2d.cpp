// Conv2D's Keras contract (the maths: layers/conv2d.cpp).
#include "keras/initializers.h"
#include "keras/layer_class.h"
#include "layers/conv2d.h"

namespace digitrain {

const LayerClass& conv2d_class() {
  using nlohmann::json;
  static const LayerClass c{
      "Conv2D",
      "channels last; kernel `[kh, kw, in, filters]`; `same` pads as TF (the odd row or column after)",
      {{"filters", KeyKind::positive_int},
       {"kernel_initializer", KeyKind::initializer, "glorot_uniform"},
       {"kernel_regularizer", KeyKind::ignored},
       {"kernel_constraint", KeyKind::ignored},
       {"kernel_size", KeyKind::int_pair},
       {"strides", KeyKind::int_pair, json::array({1, 1})},
       {"padding", KeyKind::choice, "valid", {"valid", "same"}},
       {"data_format", KeyKind::fixed, "channels_last"},
       {"dilation_rate", KeyKind::fixed, json::array({1, 1})},
       {"groups", KeyKind::fixed_unwritten, 1},
       {"activation", KeyKind::activation, "linear"},
       {"use_bias", KeyKind::boolean, true},
       {"bias_initializer", KeyKind::initializer, "zeros"},
       {"bias_regularizer", KeyKind::ignored},
       {"activity_regularizer", KeyKind::ignored},
       {"bias_constraint", KeyKind::ignored}},
      [](const std::string& name, const LayerArgs& a) -> std::unique_ptr<Layer> {
        Conv2DOptions o;
        o.filters = a["filters"];
        o.kernel_h = a["kernel_size"][0];
        o.kernel_w = a["kernel_size"][1];
        o.stride_h = a["strides"][0];
        o.stride_w = a["strides"][1];
        o.same_padding = a["padding"] == "same";
        o.activation = parse_activation(a["activation"], name);
        o.use_bias = a["use_bias"];
        o.kernel_initializer = parse_initializer(a["kernel_initializer"], name);
        o.bias_initializer = parse_initializer(a["bias_initializer"], name);
        return std::make_unique<Conv2D>(name, o);
      },
      [](const Layer& layer) -> LayerArgs {
        const Conv2DOptions& o = static_cast<const Conv2D&>(layer).options();
        return {{"filters", o.filters},
                {"kernel_size", {o.kernel_h, o.kernel_w}},
                {"strides", {o.stride_h, o.stride_w}},
                {"padding", o.same_padding ? "same" : "valid"},
                {"activation", activation_name(o.activation)},
                {"use_bias", o.use_bias},
                {"kernel_initializer", initializer_to_json(o.kernel_initializer)},
                {"bias_initializer", initializer_to_json(o.bias_initializer)}};
      }};
  return c;
}

}  // namespace digitrain
