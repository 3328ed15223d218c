#pragma once
// IDX files (the MNIST format): big-endian header, then raw uint8 data.
// Everything in the header is checked before anything is allocated; errors name the
// source, what was expected and what was found:
//   "t10k-images-idx3-ubyte: magic 0x00000801, expected 0x00000803 (images)"
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/file_limits.h"  // read_file_bytes

namespace digitrain {

struct IdxImages {
  int count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // count * rows * cols, row-major per image
};

// `source` names the bytes in messages (a file name or URL).
IdxImages parse_idx_images(const uint8_t* bytes, size_t size, const std::string& source);
std::vector<uint8_t> parse_idx_labels(const uint8_t* bytes, size_t size, const std::string& source);
// The same, taking the file's bytes over (no copy of the data).
IdxImages parse_idx_images(std::vector<uint8_t> file, const std::string& source);
std::vector<uint8_t> parse_idx_labels(std::vector<uint8_t> file, const std::string& source);

IdxImages read_idx_images(const std::string& path);
std::vector<uint8_t> read_idx_labels(const std::string& path);


}  // namespace digitrain
