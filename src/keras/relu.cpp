// ReLU's and LeakyReLU's Keras contract (the maths: layers/relu.cpp).
#include "layers/relu.h"
#include "keras/layer_class.h"

namespace digitrain {

const LayerClass& relu_class() {
  using nlohmann::json;
  static const LayerClass c{"ReLU",
                            "max(x, 0) as a layer of its own; no weights",
                            // TF.js writes max_value; Keras also negative_slope and threshold.
                            {{"max_value", KeyKind::fixed, nullptr},
                             {"negative_slope", KeyKind::fixed_unwritten, 0.0},
                             {"threshold", KeyKind::fixed_unwritten, 0.0}},
                            [](const std::string& name, const LayerArgs&) -> std::unique_ptr<Layer> {
                              return std::make_unique<ReLU>(name, /*leaky=*/false, /*negative_slope=*/0.0f);
                            },
                            [](const Layer&) -> LayerArgs {
                              return {{"max_value", nullptr}};
                            }};
  return c;
}

const LayerClass& leaky_relu_class() {
  static const LayerClass c{"LeakyReLU",
                            "x where x > 0, else `alpha`·x; no weights",
                            // Keras 2's and TF.js' name and default; Keras 3 calls it negative_slope
                            // (same default), read as alpha, written as alpha (what TF.js reads).
                            {{"alpha", KeyKind::number, 0.3},
                             {"negative_slope", KeyKind::alias, nullptr, {}, "", "alpha"}},
                            [](const std::string& name, const LayerArgs& a) -> std::unique_ptr<Layer> {
                              return std::make_unique<ReLU>(name, /*leaky=*/true, a["alpha"].get<double>());
                            },
                            [](const Layer& layer) -> LayerArgs {
                              return {{"alpha", static_cast<const ReLU&>(layer).negative_slope()}};
                            }};
  return c;
}

}  // namespace digitrain
