// The optimisers as Keras writes them ({"class_name", "config"}), kept apart from their
// update loops so the page's WebAssembly module can compile them for size (CMakeLists.txt).
#include "optim/adam.h"
#include "optim/sgd.h"

namespace digitrain {

nlohmann::json Adam::to_json() const {
  return {{"class_name", "Adam"},
          {"config",
           {{"learning_rate", learning_rate_}, {"beta_1", beta_1_}, {"beta_2", beta_2_}, {"epsilon", epsilon_}}}};
}

nlohmann::json Sgd::to_json() const {
  return {{"class_name", "SGD"},
          {"config", {{"learning_rate", learning_rate_}, {"momentum", momentum_}, {"nesterov", nesterov_}}}};
}

}  // namespace digitrain
