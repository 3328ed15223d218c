#pragma once
// Shared by the test files: temp folders, the project's data paths, error checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"

#ifndef DIGITRAIN_SOURCE_DIR
#error "DIGITRAIN_SOURCE_DIR must name the project root (the test build defines it)"
#endif
#ifndef DIGITRAIN_BUILD_FLAVOUR
#define DIGITRAIN_BUILD_FLAVOUR "native"
#endif

namespace digitrain::testing {

inline std::string source_path(const std::string& relative) { return std::string(DIGITRAIN_SOURCE_DIR) + "/" + relative; }
inline std::string mnist_dir() { return source_path("data/mnist"); }

// The real MNIST, loaded once per test process (the files are ~55 MB).
inline const Mnist& real_mnist() {
  static const Mnist mnist = load_mnist(mnist_dir());
  return mnist;
}

// A fresh directory under /tmp named after the running test, removed afterwards. Under
// WASM the tests run in Node with NODERAWFS, so these are real files there too.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::string("/tmp/digitrain_test_") + info->test_suite_name() + "_" + info->name() + "_" +
            DIGITRAIN_BUILD_FLAVOUR;  // native and wasm runs may overlap
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "could not write " << path;
}

inline void write_text(const std::string& path, const std::string& text) {
  write_file(path, std::vector<uint8_t>(text.begin(), text.end()));
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs `f`, which must throw digitrain::Error with `expected` in its message. gmock is not
// built for WASM, so this stands in for ThrowsMessage(HasSubstr(...)).
template <class F>
::testing::AssertionResult throws_error_containing(F f, const std::string& expected) {
  try {
    f();
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.find(expected) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "message:  \"" << message << "\"\n"
                                         << "expected: \"" << expected << "\" in it";
  }
  return ::testing::AssertionFailure() << "no digitrain::Error thrown; expected one with \"" << expected << "\"";
}

}  // namespace digitrain::testing

#define EXPECT_ERROR(statement, expected) \
  EXPECT_TRUE(::digitrain::testing::throws_error_containing([&] { statement; }, expected))
