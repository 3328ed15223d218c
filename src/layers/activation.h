#pragma once
// Activations applied inside Dense and Conv2D, as Keras' `activation=` argument.
// Softmax runs over the last axis (units, or channels of each pixel).
#include <string>

#include "core/tensor.h"

namespace digitrain {

enum class Activation { linear, relu, softmax, sigmoid, tanh, elu, selu, softplus };

// Keras' names: "linear" (also null/absent), "relu", "softmax", "sigmoid", "tanh", "elu",
// "selu", "softplus". Unknown names are an Error that names the layer.
Activation parse_activation(const std::string& name, const std::string& layer_name);
const char* activation_name(Activation a);

// y = f(z) in place; `group` is the size of the last axis (softmax normalises over it).
void activation_forward(Activation a, MatrixView z, int group);
// dz = dy ⊙ f'(z), written from the activation's output y (all three may not alias). Every
// activation here has a derivative that its output determines, so no layer keeps z.
void activation_backward(Activation a, ConstMatrixView y, ConstMatrixView dy, MatrixView dz, int group);

// SELU's constants (Klambauer et al. 2017), as Keras and TF.js write them.
constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

}  // namespace digitrain
