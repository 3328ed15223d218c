// Flatten's Keras contract (the layer: layers/flatten.h).
#include "keras/layer_class.h"
#include "layers/flatten.h"

namespace digitrain {

const LayerClass& flatten_class() {
  static const LayerClass c{"Flatten",
                            "(height, width, channels) to one row, channels last",
                            {{"data_format", KeyKind::fixed, "channels_last"}},
                            [](const std::string& name, const LayerArgs&) -> std::unique_ptr<Layer> {
                              return std::make_unique<Flatten>(name);
                            },
                            [](const Layer&) -> LayerArgs { return LayerArgs::object(); }};
  return c;
}

}  // namespace digitrain
