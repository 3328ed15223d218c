#pragma once
// The datasets Digitrain knows by name: MNIST's handwritten digits and Zalando's
// Fashion-MNIST, which has exactly MNIST's IDX layout (60,000 + 10,000 grey 28x28 images,
// labels 0-9) with clothes instead of digits. A model description names the one it was made
// for (fit.dataset), so a saved model shows the right class names wherever it is opened.
#include <array>
#include <string>

namespace digitrain {

struct DatasetInfo {
  const char* name;   // as in descriptions, the CLI's --dataset and the page: "fashion-mnist"
  const char* title;  // for people: "Fashion-MNIST"
  std::array<const char*, 10> class_names;
};

// nullptr for a name we do not know.
const DatasetInfo* find_dataset(const std::string& name);
// "mnist, fashion-mnist": for messages and --help.
std::string dataset_names();

}  // namespace digitrain
