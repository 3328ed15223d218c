// "No allocation per training step once training runs": every operator new in this test
// binary goes through a counter, and a few hundred steps (across an epoch end with a short
// last batch and a validation pass) must not touch it. Eigen's own allocations go through
// malloc, not operator new; the layers use no Eigen temporaries that allocate.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "model/model_spec.h"
#include "model/presets.h"
#include "test_support.h"
#include "training/trainer.h"

namespace {
std::atomic<long> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace digitrain {
namespace {

long steps_allocations(const ModelSpec& spec, int batch_size, int steps) {
  const Mnist& mnist = testing::real_mnist();
  auto model = build_model(spec, 1);
  // 1,000 images in batches of 32: 31 full batches and one of 8, then validation.
  Trainer trainer(*model, head(all_of(mnist.train), 1000), head(all_of(mnist.test), 100),
                  {batch_size, /*epochs=*/1000, true, 1});
  Callbacks callbacks;
  long batches = 0;
  callbacks.on_batch_end = [&](const BatchLogs&) { return ++batches > 0; };
  trainer.run(40, callbacks);  // warm-up: first epoch, first validation, Adam's state
  const long before = allocations.load();
  trainer.run(steps, callbacks);
  return allocations.load() - before;
}

long steps_allocations(const std::string& preset, int batch_size, int steps) {
  return steps_allocations(preset_spec(preset), batch_size, steps);
}

TEST(Allocations, NonePerTrainingStepForAnyPreset) {
  EXPECT_EQ(steps_allocations("mlp-128-128", 32, 300), 0);
  EXPECT_EQ(steps_allocations("mlp-300-100", 32, 300), 0);
  EXPECT_EQ(steps_allocations("mlp-256", 200, 100), 0);
  EXPECT_EQ(steps_allocations("cnn-16-8", 32, 100), 0);
  // Pooling's argmax and Dropout's masks are reserved too.
  EXPECT_EQ(steps_allocations("keras-convnet", 32, 60), 0);
  // RMSprop's accumulators are sized on its first step.
  EXPECT_EQ(steps_allocations("tfjs-convnet", 32, 60), 0);
}

// The ReLU layers, strides and 'same' padding (the bordered input and its gradient) and
// Adagrad keep their buffers too.
TEST(Allocations, NonePerStepWithTheNewerLayersAndAdagrad) {
  const ModelSpec spec = parse_model_spec(nlohmann::json::parse(R"({"input_shape": [28, 28, 1], "layers": [
      {"class_name": "Conv2D", "config": {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "activation": "elu"}},
      {"class_name": "LeakyReLU"},
      {"class_name": "Conv2D", "config": {"filters": 4, "kernel_size": 3, "padding": "same"}},
      {"class_name": "ReLU"},
      {"class_name": "Flatten"},
      {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}}],
    "compile": {"optimizer": "adagrad"}})"),
                                          "m");
  EXPECT_EQ(steps_allocations(spec, 32, 100), 0);
}

// BatchNormalization keeps its normalised input, its output and its input gradient in
// buffers and its per-channel sums in vectors sized once; centered RMSprop its mean gradients.
TEST(Allocations, NonePerStepWithBatchNormalization) {
  const ModelSpec spec = parse_model_spec(nlohmann::json::parse(R"({"input_shape": [28, 28, 1], "layers": [
      {"class_name": "Conv2D", "config": {"filters": 4, "kernel_size": 3}},
      {"class_name": "BatchNormalization"},
      {"class_name": "ReLU"},
      {"class_name": "Flatten"},
      {"class_name": "Dense", "config": {"units": 16}},
      {"class_name": "BatchNormalization", "config": {"center": false}},
      {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}}],
    "compile": {"optimizer": {"class_name": "RMSprop", "config": {"centered": true, "momentum": 0.5}}}})"),
                                          "m");
  EXPECT_EQ(steps_allocations(spec, 32, 100), 0);
}

TEST(Allocations, TheCounterSeesAllocations) {
  const long before = allocations.load();
  auto* v = new std::vector<int>(100);
  delete v;
  EXPECT_GE(allocations.load() - before, 2);
}

}  // namespace
}  // namespace digitrain
