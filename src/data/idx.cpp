#include "data/idx.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/error.h"
#include "core/file_limits.h"
#include "core/number_text.h"

namespace digitrain {

namespace {

constexpr uint8_t kUnsignedByte = 0x08;
constexpr int kImagesRank = 3;
constexpr int kLabelsRank = 1;
// Far above MNIST (60000 of 28x28) and EMNIST (~800k), low enough that a corrupt header
// is caught by name instead of as a size mismatch of petabytes.
constexpr uint32_t kMaxSide = 4096;
constexpr uint32_t kMaxCount = 10'000'000;

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// IDX type codes (byte 2 of the magic).
const char* dtype_name(uint8_t code) {
  switch (code) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return "unknown type";
  }
}

// Magic, type and rank; returns the dimensions. `kind` is "images" or "labels".
std::vector<uint32_t> parse_header(const uint8_t* bytes, size_t size, const std::string& source,
                                   int rank, const char* kind) {
  // The files are often downloaded as .gz; say so instead of "wrong magic 0x1F8B0808".
  if (size >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) {
    throw Error(source + ": is gzip-compressed; decompress it first (gunzip)");
  }
  if (size < 4) {
    throw Error(source + ": " + std::to_string(size) +
                " bytes, expected at least 4 (the IDX magic)");
  }
  const uint32_t magic = read_be32(bytes);
  const uint32_t expected_magic = (uint32_t{kUnsignedByte} << 8) | static_cast<uint32_t>(rank);
  const std::string wrong_magic = source + ": magic " + hex_text(magic, 8) + ", expected " +
                                  hex_text(expected_magic, 8) + " (" + kind + ")";
  if (bytes[0] != 0 || bytes[1] != 0) throw Error(wrong_magic + "; not an IDX file");
  if (bytes[2] != kUnsignedByte) {
    throw Error(source + ": data type " + hex_text(bytes[2], 2) + " (" + dtype_name(bytes[2]) +
                "), expected " + hex_text(kUnsignedByte, 2) + " (unsigned byte)");
  }
  if (bytes[3] != rank) throw Error(wrong_magic);

  const size_t header_size = 4 + 4 * static_cast<size_t>(rank);
  if (size < header_size) {
    throw Error(source + ": truncated header: " + std::to_string(size) + " bytes, expected " +
                std::to_string(header_size) + " for rank " + std::to_string(rank));
  }
  std::vector<uint32_t> dims(rank);
  for (int i = 0; i < rank; ++i) dims[i] = read_be32(bytes + 4 + 4 * i);
  return dims;
}

void check_dim(uint32_t value, uint32_t max, const char* what, const std::string& source) {
  if (value == 0 || value > max) {
    throw Error(source + ": " + what + " " + std::to_string(value) + ", expected 1-" +
                std::to_string(max));
  }
}

// The file must hold exactly the header and the data it announces. `described` says
// what the header announced, e.g. "60000 images of 28x28".
void check_total_size(size_t size, uint64_t header_size, uint64_t data_size,
                      const std::string& described, const std::string& source) {
  const uint64_t expected = header_size + data_size;
  if (static_cast<uint64_t>(size) == expected) return;
  const char* problem = static_cast<uint64_t>(size) < expected ? "truncated" : "trailing bytes";
  throw Error(source + ": " + problem + ": header says " + described + " = " +
              std::to_string(expected) + " bytes, file has " + std::to_string(size) + " bytes");
}

}  // namespace

IdxImages parse_idx_images(const uint8_t* bytes, size_t size, const std::string& source) {
  return parse_idx_images(std::vector<uint8_t>(bytes, bytes + size), source);
}

std::vector<uint8_t> parse_idx_labels(const uint8_t* bytes, size_t size, const std::string& source) {
  return parse_idx_labels(std::vector<uint8_t>(bytes, bytes + size), source);
}

// The header is dropped in place: the 47 MB of training images are never held twice
// (in WASM the heap does not shrink after a peak).
IdxImages parse_idx_images(std::vector<uint8_t> file, const std::string& source) {
  const uint8_t* bytes = file.data();
  const size_t size = file.size();
  const std::vector<uint32_t> dims = parse_header(bytes, size, source, kImagesRank, "images");
  check_dim(dims[0], kMaxCount, "image count", source);
  check_dim(dims[1], kMaxSide, "rows", source);
  check_dim(dims[2], kMaxSide, "cols", source);
  // 64-bit: up to 1e7 * 4096 * 4096 bytes, more than a 32-bit (WASM) size_t holds.
  const uint64_t header_size = 4 + 4 * kImagesRank;
  const uint64_t data_size = uint64_t{dims[0]} * dims[1] * dims[2];
  check_total_size(size, header_size, data_size,
                   std::to_string(dims[0]) + " images of " + std::to_string(dims[1]) + "x" +
                       std::to_string(dims[2]),
                   source);

  IdxImages images;
  images.count = static_cast<int>(dims[0]);
  images.rows = static_cast<int>(dims[1]);
  images.cols = static_cast<int>(dims[2]);
  file.erase(file.begin(), file.begin() + static_cast<long>(header_size));
  images.pixels = std::move(file);
  return images;
}

std::vector<uint8_t> parse_idx_labels(std::vector<uint8_t> file, const std::string& source) {
  const uint8_t* bytes = file.data();
  const size_t size = file.size();
  const std::vector<uint32_t> dims = parse_header(bytes, size, source, kLabelsRank, "labels");
  check_dim(dims[0], kMaxCount, "label count", source);
  const uint64_t header_size = 4 + 4 * kLabelsRank;
  check_total_size(size, header_size, dims[0], std::to_string(dims[0]) + " labels", source);
  file.erase(file.begin(), file.begin() + static_cast<long>(header_size));
  return file;
}

IdxImages read_idx_images(const std::string& path) { return parse_idx_images(read_file_bytes(path, kMaxIdxFileBytes), path); }

std::vector<uint8_t> read_idx_labels(const std::string& path) { return parse_idx_labels(read_file_bytes(path, kMaxIdxFileBytes), path); }

}  // namespace digitrain
