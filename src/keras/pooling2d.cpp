// MaxPooling2D's and AveragePooling2D's Keras contract (the maths: layers/pooling2d.cpp).
#include "keras/layer_class.h"
#include "layers/pooling2d.h"

namespace digitrain {

namespace {

using nlohmann::json;

std::vector<KeyRule> pooling_keys() {
  // TF.js' getConfig order: pool_size, padding, strides, data_format.
  return {{"pool_size", KeyKind::int_pair, json::array({2, 2})},
          {"padding", KeyKind::choice, "valid", {"valid", "same"}},
          {"strides", KeyKind::optional_int_pair},
          {"data_format", KeyKind::fixed, "channels_last"}};
}

std::unique_ptr<Layer> make_pooling(Pooling2DOptions::Kind kind, const std::string& name, const LayerArgs& a) {
  Pooling2DOptions o;
  o.kind = kind;
  o.pool_h = a["pool_size"][0];
  o.pool_w = a["pool_size"][1];
  if (!a["strides"].is_null()) {
    o.stride_h = a["strides"][0];
    o.stride_w = a["strides"][1];
  }
  o.same_padding = a["padding"] == "same";
  return std::make_unique<Pooling2D>(name, o);
}

LayerArgs pooling_args(const Layer& layer) {
  const Pooling2DOptions& o = static_cast<const Pooling2D&>(layer).options();
  return {{"pool_size", {o.pool_h, o.pool_w}},
          {"padding", o.same_padding ? "same" : "valid"},
          {"strides", {o.stride_h, o.stride_w}}};
}

}  // namespace

const LayerClass& max_pooling2d_class() {
  static const LayerClass c{
      "MaxPooling2D", "the largest value of each window, per channel; no weights", pooling_keys(),
      [](const std::string& name, const LayerArgs& a) { return make_pooling(Pooling2DOptions::Kind::max, name, a); },
      pooling_args};
  return c;
}

const LayerClass& average_pooling2d_class() {
  static const LayerClass c{
      "AveragePooling2D", "the mean of each window, per channel (padding not counted); no weights", pooling_keys(),
      [](const std::string& name, const LayerArgs& a) { return make_pooling(Pooling2DOptions::Kind::average, name, a); },
      pooling_args};
  return c;
}

}  // namespace digitrain
