#pragma once
// Every file the core and the CLI read goes through read_file_bytes: it must be a regular
// file (a FIFO, a device such as /dev/zero or a directory is refused at once, before any
// read) no larger than the limit of its kind, checked before the buffer is allocated.
// docs/model-format.md lists the limits.
#include <cstdint>
#include <string>
#include <vector>

namespace digitrain {

// A model file, a TF.js model.json or a model description: 256 MiB (a trained cnn-16-8 file
// is 0.2 MB; weights are base64 inside the file, and the reader's limit on all weights is
// 1 GiB of floats in binary shards).
constexpr uint64_t kMaxModelFileBytes = uint64_t{256} << 20;
// An IDX file: 1 GiB (MNIST's training images are 47 MB, EMNIST's largest 550 MB).
constexpr uint64_t kMaxIdxFileBytes = uint64_t{1} << 30;
// A picture of a digit for `predict`: 64 MiB.
constexpr uint64_t kMaxImageFileBytes = uint64_t{64} << 20;

// Reads a whole regular file of at most max_bytes. Errors name the file:
//   "cannot open m.json: No such file or directory", "/dev/zero: a character device, not a
//   regular file", "big.json: 300000000 bytes, more than this build reads (268435456)".
std::vector<uint8_t> read_file_bytes(const std::string& path, uint64_t max_bytes);

}  // namespace digitrain
