#include "data/dataset_catalog.h"

namespace digitrain {

namespace {

// Fashion-MNIST's class names as its authors and TensorFlow's "Basic classification"
// tutorial write them.
const DatasetInfo kDatasets[] = {
    {"mnist", "MNIST", {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
    {"fashion-mnist",
     "Fashion-MNIST",
     {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}},
};

}  // namespace

const DatasetInfo* find_dataset(const std::string& name) {
  for (const DatasetInfo& d : kDatasets)
    if (name == d.name) return &d;
  return nullptr;
}

std::string dataset_names() {
  std::string names;
  for (const DatasetInfo& d : kDatasets) names += (names.empty() ? "" : ", ") + std::string(d.name);
  return names;
}

}  // namespace digitrain
