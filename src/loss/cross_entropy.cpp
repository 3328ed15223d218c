#include "loss/cross_entropy.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace digitrain {

LossKind parse_loss(const std::string& name) {
  if (name == "sparse_categorical_crossentropy" || name == "sparseCategoricalCrossentropy")
    return LossKind::sparse_categorical_crossentropy;
  if (name == "categorical_crossentropy" || name == "categoricalCrossentropy")
    return LossKind::categorical_crossentropy;
  throw Error("loss '" + name +
              "' is not supported (supported: sparse_categorical_crossentropy, categorical_crossentropy)");
}

const char* loss_name(LossKind kind) {
  return kind == LossKind::categorical_crossentropy ? "categorical_crossentropy" : "sparse_categorical_crossentropy";
}

namespace {
float clip(float p) { return std::min(std::max(p, kProbabilityEpsilon), 1.0f - kProbabilityEpsilon); }

// Keras' categorical_crossentropy first rescales the probabilities to sum to 1.
float row_scale(LossKind kind, const float* row, long classes) {
  if (kind != LossKind::categorical_crossentropy) return 1.0f;
  float sum = 0.0f;
  for (long j = 0; j < classes; ++j) sum += row[j];
  return sum;
}
}  // namespace

double cross_entropy(LossKind kind, ConstMatrixView probs, const uint8_t* labels) {
  const long batch = probs.rows(), classes = probs.cols();
  double total = 0.0;
  for (long i = 0; i < batch; ++i) {
    const float* row = probs.data() + i * classes;
    total -= std::log(clip(row[labels[i]] / row_scale(kind, row, classes)));
  }
  return batch == 0 ? 0.0 : total / static_cast<double>(batch);
}

int count_correct(ConstMatrixView probs, const uint8_t* labels) {
  int correct = 0;
  for (long i = 0; i < probs.rows(); ++i) {
    Eigen::Index best;
    probs.row(i).maxCoeff(&best);
    correct += best == labels[i];
  }
  return correct;
}

void cross_entropy_gradient(LossKind kind, ConstMatrixView probs, const uint8_t* labels, MatrixView dprobs) {
  const long batch = probs.rows(), classes = probs.cols();
  const float inv_batch = 1.0f / static_cast<float>(batch);
  for (long i = 0; i < batch; ++i) {
    const float* p = probs.data() + i * classes;
    float* d = dprobs.data() + i * classes;
    const float scale = row_scale(kind, p, classes);
    const float q = p[labels[i]] / scale;
    const bool clipped = q < kProbabilityEpsilon || q > 1.0f - kProbabilityEpsilon;
    // d/dp_k of -log(p_y / S) = -[k == y] / p_y + 1 / S   (the second term only when S = Σp)
    const float common = (kind == LossKind::categorical_crossentropy && !clipped) ? inv_batch / scale : 0.0f;
    for (long j = 0; j < classes; ++j) d[j] = common;
    if (!clipped) d[labels[i]] -= inv_batch / p[labels[i]];
  }
}

void softmax_cross_entropy_gradient(ConstMatrixView probs, const uint8_t* labels, MatrixView dlogits) {
  const long batch = probs.rows();
  const float inv_batch = 1.0f / static_cast<float>(batch);
  dlogits = probs * inv_batch;
  for (long i = 0; i < batch; ++i) dlogits(i, labels[i]) -= inv_batch;
}

}  // namespace digitrain
