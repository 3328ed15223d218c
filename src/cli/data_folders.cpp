#include "cli/data_folders.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include "core/error.h"

namespace digitrain {

namespace {

namespace fs = std::filesystem;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The files in `dir` whose names end with `suffix`, sorted.
std::vector<std::string> files_ending(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> found;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (ends_with(name, suffix)) found.push_back(it->path().string());
  }
  if (ec) throw Error(dir + ": cannot list the folder (" + ec.message() + ")");
  std::sort(found.begin(), found.end());
  return found;
}

std::string only_one(const std::vector<std::string>& files, const std::string& dir, const std::string& what) {
  if (files.empty()) throw Error(dir + ": no *" + what + " file (an IDX pair: NAME-images-idx3-ubyte and NAME-labels-idx1-ubyte)");
  if (files.size() > 1)
    throw Error(dir + ": " + std::to_string(files.size()) + " *" + what + " files (" + files[0] + ", " + files[1] +
                ", ...): keep one pair in the folder");
  return files[0];
}

}  // namespace

Dataset load_idx_pair(const std::string& dir) {
  const std::string images = only_one(files_ending(dir, "images-idx3-ubyte"), dir, "images-idx3-ubyte");
  const std::string labels = only_one(files_ending(dir, "labels-idx1-ubyte"), dir, "labels-idx1-ubyte");
  return make_dataset(read_idx_images(images), read_idx_labels(labels), labels);
}

Dataset load_test_pair(const std::string& dir) {
  const fs::path images = fs::path(dir) / "t10k-images-idx3-ubyte", labels = fs::path(dir) / "t10k-labels-idx1-ubyte";
  std::error_code ec;
  if (fs::exists(images, ec) && fs::exists(labels, ec))
    return make_dataset(read_idx_images(images.string()), read_idx_labels(labels.string()), labels.string());
  return load_idx_pair(dir);
}

}  // namespace digitrain
