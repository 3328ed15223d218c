// Hostile inputs found by fuzzing and by hand (issue #18): JSON nested deeper than the
// stack allows, files that are not regular files or are too large, model files whose few
// bytes describe gigabytes of weights, numbers beyond double, whole numbers beyond
// long long. Each must be an Error naming the file, at once, with nothing allocated.
// The fuzzers' crash inputs replay in test_fuzz_regressions.cpp.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>

#include "core/file_limits.h"
#include "core/json_errors.h"
#include "model/model_file.h"
#include "model/presets.h"
#include "model/tfjs_format.h"
#include "test_support.h"

namespace digitrain {
namespace {

using nlohmann::json;

// `depth` nested lists around `inner`: [[[...inner...]]].
std::string nested(int depth, const std::string& inner = "1") {
  return std::string(static_cast<size_t>(depth), '[') + inner + std::string(static_cast<size_t>(depth), ']');
}

TEST(JsonDepth, SixtyFourLevelsParseSixtyFiveAreRefusedNamingTheFile) {
  EXPECT_EQ(parse_json(nested(64), "a.json").dump(), nested(64));
  EXPECT_ERROR(parse_json(nested(65), "a.json"), "a.json: JSON nested more than 64 levels deep");
  EXPECT_ERROR(parse_json("{\"a\":" + nested(64) + "}", "b.json"), "b.json: JSON nested more than 64 levels deep");
  // Syntax errors stay a discarded value (or an Error naming the byte when asked).
  EXPECT_TRUE(parse_json("[1,", "c.json").is_discarded());
  EXPECT_ERROR(parse_json("[1,", "c.json", /*allow_exceptions=*/true, "truncated?"),
               "c.json: not valid JSON at byte 4 (truncated?)");
}

// 70,000 levels: the copy of a layer's config used to overflow the stack (SIGSEGV).
TEST(JsonDepth, DeepModelFilesDescriptionsAndTfjsFilesAreRefused) {
  const std::string deep = nested(70000);
  std::string description = preset_json("mlp-256");
  description.insert(description.find('{') + 1, "\"extra\": " + deep + ",");
  EXPECT_ERROR(parse_model_spec_text(description, "d.json"), "d.json: JSON nested more than 64 levels deep");
  EXPECT_ERROR(model_from_json_text(description, "m.json"), "m.json: JSON nested more than 64 levels deep");

  const TfjsFiles good = model_to_tfjs(*build_model(preset_spec("mlp-256"), 1), preset_spec("mlp-256").fit);
  std::string model_json = good.model_json;
  const std::string units = "\"units\":";
  model_json.insert(model_json.find(units), "\"unknown_option\":" + deep + ",");
  const auto read = [&](const std::string&) { return good.weights; };
  EXPECT_ERROR(model_from_tfjs(model_json, read, "t/model.json"), "t/model.json: JSON nested more than 64 levels deep");
  EXPECT_FALSE(is_tfjs_model_json(model_json));  // the reader it then goes to names the file
}

TEST(JsonNumbers, ANumberBeyondDoubleIsAnErrorNamingTheFile) {
  const auto no_files = [](const std::string&) -> std::vector<uint8_t> { return {}; };
  EXPECT_ERROR(model_from_tfjs("1e389", no_files, "t/model.json"), "t/model.json: not valid JSON: number overflow");
  EXPECT_ERROR(model_from_tfjs("[-1e400]", no_files, "t/model.json"), "t/model.json: not valid JSON");
  EXPECT_ERROR(model_from_json_text("{\"a\": 1e389}", "m.json"), "m.json: not valid JSON");
  EXPECT_ERROR(parse_model_spec_text("{\"a\": 1e389}", "d.json"), "d.json: not valid JSON");
}

TEST(JsonNumbers, WholeNumbersBeyondLongLongAreNotWhole) {
  // Converting 4e99 to long long before the range check was undefined (UBSan found it).
  EXPECT_FALSE(is_whole_number(json(4e99)));
  EXPECT_FALSE(is_whole_number(json(-4e99)));
  EXPECT_FALSE(is_whole_number(json(9007199254740992.0)));
  EXPECT_TRUE(is_whole_number(json(128.0)));
  EXPECT_FALSE(is_whole_number(json(128.5)));
  json description = json::parse(preset_json("mlp-256"));
  description["input_shape"] = {4e99};
  EXPECT_ERROR(parse_model_spec(description, "d.json"), "d.json");
}

// Doubles beyond float's range become floats (weights, the pixel scale): undefined behaviour
// unless refused first.
TEST(JsonNumbers, NumbersThatBecomeFloatsMustFitAFloat) {
  json description = json::parse(preset_json("mlp-256"));
  description["fit"]["pixel_scale"] = 1e300;
  EXPECT_ERROR(parse_model_spec(description, "d.json"), "d.json: fit 'pixel_scale' must be a positive number up to 1e30");
  description = json::parse(preset_json("mlp-256"));
  description["layers"][1]["config"]["kernel_initializer"] = {{"class_name", "RandomNormal"}, {"config", {{"mean", 1e300}}}};
  EXPECT_ERROR(build_model(parse_model_spec(description, "d.json"), 1), "initializer option 'mean' must be a number up to 1e30");
}

// ---- Files --------------------------------------------------------------------------------

TEST(FileLimits, DirectoriesDevicesAndFifosAreRefusedBeforeAnyRead) {
  const testing::TempDir dir;
  EXPECT_ERROR(read_file_bytes(dir.path(), kMaxModelFileBytes), dir.path() + ": a directory, not a regular file");
  EXPECT_ERROR(load_model_file(dir.path()), dir.path() + ": a directory");
#ifdef __EMSCRIPTEN__
  GTEST_SKIP() << "Node's file system has no FIFOs or /dev/zero here (both WASM builds)";
#endif
  // /dev/zero never ends: reading it used to run until memory ran out (5 GB in 12 s).
  const auto start = std::chrono::steady_clock::now();
  EXPECT_ERROR(load_model_file("/dev/zero"), "/dev/zero: a character device, not a regular file");
  EXPECT_ERROR(load_tfjs_file("/dev/urandom"), "/dev/urandom: a character device");
  // A FIFO with no writer: opening it without O_NONBLOCK would wait forever.
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_ERROR(load_model_file(fifo), fifo + ": a FIFO (named pipe), not a regular file");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(FileLimits, AFileLargerThanTheLimitIsRefusedUnread) {
  const testing::TempDir dir;
  const std::string big = dir.file("big.json");
  testing::write_text(big, "{}");
  // Sparse: 300 MB of size, no data written; it is never read.
  std::filesystem::resize_file(big, 300'000'000);
  EXPECT_ERROR(load_model_file(big), big + ": 300000000 bytes, more than this build reads for such a file (268435456)");
  const std::string small = dir.file("small.json");
  testing::write_text(small, std::string(1000, ' '));
  EXPECT_ERROR(read_file_bytes(small, 999), small + ": 1000 bytes, more than this build reads for such a file (999)");
  EXPECT_EQ(read_file_bytes(small, 1000).size(), 1000u);
}

// ---- Model files: sizes before anything is built ------------------------------------------

// 208 bytes describing a Dense of 784 x 300,000: the reader used to allocate 2.1 GB for the
// kernel and its gradient, then find the weights missing.
TEST(ModelFileSizes, WeightsTheFileDoesNotHoldAreRefusedBeforeBuilding) {
  const std::string small =
      R"({"format":"digitrain-model","version":1,"name":"x","input_shape":[784],)"
      R"("layers":[{"class_name":"Dense","config":{"units":300000,"activation":"softmax"}}],)"
      R"("weights":[{"name":"dense/kernel","shape":[1],"data":""},{"name":"dense/bias","shape":[1],"data":""}]})";
  EXPECT_ERROR(model_from_json_text(small, "m.json"),
               "m.json: weight 'dense/kernel' holds 0 bytes, its shape [784,300000] needs 940800000");
  json fewer = json::parse(small);
  fewer["weights"].erase(1);
  EXPECT_ERROR(model_from_json(fewer, "m.json"), "m.json: 1 weights, the model has 2");
  json no_data = json::parse(small);
  no_data["weights"][0] = 7;
  EXPECT_ERROR(model_from_json(no_data, "m.json"), "m.json: weight 'dense/kernel' holds 0 bytes");
}

}  // namespace
}  // namespace digitrain
