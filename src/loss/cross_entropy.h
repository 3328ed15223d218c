#pragma once
// Cross-entropy losses as Keras computes them from softmax probabilities: the mean over
// the batch of -log(p[label]), probabilities clipped to [1e-7, 1 - 1e-7].
// Labels are class indices; categorical_crossentropy uses them as one-hot targets.
#include <cstdint>
#include <string>

#include "core/tensor.h"

namespace digitrain {

enum class LossKind { sparse_categorical_crossentropy, categorical_crossentropy };

LossKind parse_loss(const std::string& name);
const char* loss_name(LossKind kind);

// Keras' backend epsilon.
constexpr float kProbabilityEpsilon = 1e-7f;

// Mean loss over the batch (rows of probs).
double cross_entropy(LossKind kind, ConstMatrixView probs, const uint8_t* labels);
// Number of rows whose argmax (first maximum, as tf.argMax) equals the label.
int count_correct(ConstMatrixView probs, const uint8_t* labels);

// Gradient of the mean loss w.r.t. the probabilities (the unfused path).
void cross_entropy_gradient(LossKind kind, ConstMatrixView probs, const uint8_t* labels, MatrixView dprobs);
// Softmax and cross-entropy fused: the gradient w.r.t. the logits, (p - onehot) / batch.
// Exact for both losses while p stays inside the clip range.
void softmax_cross_entropy_gradient(ConstMatrixView probs, const uint8_t* labels, MatrixView dlogits);

}  // namespace digitrain
