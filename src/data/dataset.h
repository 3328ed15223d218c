#pragma once
// Labelled images kept as uint8, as they came: 47 MB for MNIST's training set instead of
// 188 MB as floats. Batches are scaled to float as they are gathered.
#include <cstdint>
#include <string>
#include <vector>

#include "data/idx.h"

namespace digitrain {

struct Dataset {
  int count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols
  std::vector<uint8_t> labels;  // count, each 0..9

  int features() const { return rows * cols; }
  const uint8_t* image(int i) const { return pixels.data() + static_cast<size_t>(i) * features(); }
};

// Pairs images with labels; checks the counts agree and every label is 0..9.
Dataset make_dataset(IdxImages images, std::vector<uint8_t> labels, const std::string& source);

// A contiguous range of a dataset: what fit trains or validates on.
struct Samples {
  const Dataset* data = nullptr;
  int begin = 0, count = 0;
  int index(int i) const { return begin + i; }
};

inline Samples all_of(const Dataset& d) { return {&d, 0, d.count}; }
// The first `n` (at most the whole range).
Samples head(const Samples& s, int n);
// Everything after the first `n`.
Samples tail_after(const Samples& s, int n);

struct Mnist {
  Dataset train, test;
};

// The four standard files in `dir`: train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte.
Mnist load_mnist(const std::string& dir);

}  // namespace digitrain
