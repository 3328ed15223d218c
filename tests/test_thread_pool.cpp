// The kernel pool (core/thread_pool.h): every task runs once, sleeping workers wake, the
// workers really take tasks, and a split costs microseconds. Then the rule the kernels keep:
// any thread count gives bit-identical products and trained weights (each output is summed
// by one thread in the single-thread order). Built and run natively and, in the threaded
// WASM build, under Node.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "core/random.h"
#include "core/thread_pool.h"
#include "kernels/conv.h"
#include "kernels/gemm.h"
#include "kernels/sparse_rows.h"
#include "model/presets.h"
#include "training/trainer.h"
#include "test_support.h"

namespace digitrain {
namespace {

// Restores one thread (the default every other test expects) when a test ends.
struct Threads {
  explicit Threads(int n) { set_thread_count(n); }
  ~Threads() { set_thread_count(1); }
};

// Whether this build can start threads (the single-thread WASM build cannot).
bool threads_available() {
  return DIGITRAIN_THREADS != 0;
}

#define REQUIRE_THREADS() \
  if (!threads_available()) GTEST_SKIP() << "this build has no threads (the threaded WASM build runs this)"

TEST(ThreadPool, RunsEveryTaskOnceAcrossManyJobs) {
  REQUIRE_THREADS();
  for (int threads : {2, 3, 4}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int tasks : {1, 2, 3, 7, 64}) {
      std::vector<std::atomic<int>> runs(tasks);
      for (int job = 0; job < 500; ++job)
        pool.run(tasks, [](void* ctx, int i) { (*static_cast<std::vector<std::atomic<int>>*>(ctx))[i]++; }, &runs);
      for (int i = 0; i < tasks; ++i) EXPECT_EQ(runs[i].load(), 500) << threads << " threads, " << tasks << " tasks";
    }
  }
}

// A job posted after the workers went to sleep (past their spin) still runs, on a worker:
// each task waits (up to 10 s) until both have started, so the caller, busy in one, cannot
// take the other.
TEST(ThreadPool, WakesSleepingWorkers) {
  REQUIRE_THREADS();
  ThreadPool pool(2);
  struct Ctx {
    std::thread::id caller = std::this_thread::get_id();
    std::atomic<int> on_other_thread{0}, started{0};
  } ctx;
  for (int job = 0; job < 5; ++job) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ctx.started = 0;
    pool.run(2, [](void* p, int) {
      auto* c = static_cast<Ctx*>(p);
      if (std::this_thread::get_id() != c->caller) ++c->on_other_thread;
      ++c->started;
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (c->started.load() < 2 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    }, &ctx);
  }
  EXPECT_EQ(ctx.on_other_thread.load(), 5);
  EXPECT_EQ(pool.jobs_shared(), 5);
}

TEST(ThreadPool, NestedParallelForRunsInline) {
  REQUIRE_THREADS();
  Threads threads(2);
  std::atomic<int> inner{0};
  parallel_for(4, [&](int) { parallel_for(3, [&](int) { ++inner; }); });
  EXPECT_EQ(inner.load(), 12);
}

// The cost of one split, on 2 threads with the worker spinning: a job of 2 tasks that each
// spin for 20 us, timed against the 20 us it would take with no overhead. A product at
// batch 32 takes 50-400 us; the split must cost a few. The bound is loose (a loaded machine
// deschedules the worker, and the caller then runs both tasks); the figures are printed
// and kept in the test's XML.
TEST(ThreadPool, ASplitCostsMicroseconds) {
  REQUIRE_THREADS();
  ThreadPool pool(2);
  using Clock = std::chrono::steady_clock;
  const auto task = [](void*, int) {
    const auto until = Clock::now() + std::chrono::microseconds(20);
    while (Clock::now() < until) {
    }
  };
  std::vector<double> overhead_us, shared_us;  // all jobs; those the worker took part in
  for (int rep = 0; rep < 2001; ++rep) {
    const long shared_before = pool.jobs_shared();
    const auto t0 = Clock::now();
    pool.run(2, task, nullptr);
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() - 20.0;
    overhead_us.push_back(us);
    if (pool.jobs_shared() > shared_before) shared_us.push_back(us);
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? -1.0 : v[v.size() / 2];
  };
  std::printf("split cost, 2 threads, 2 tasks of 20 us: median %.2f us over the ideal (%.2f us in the %zu of %zu jobs "
              "the worker took part in)\n",
              median(overhead_us), median(shared_us), shared_us.size(), overhead_us.size());
  RecordProperty("split_overhead_us_median", std::to_string(median(overhead_us)));
  RecordProperty("split_overhead_us_median_shared", std::to_string(median(shared_us)));
  EXPECT_LT(median(overhead_us), 100.0);
  EXPECT_FALSE(shared_us.empty());
}

std::vector<float> random_vector(Rng& rng, size_t n, double zeros = 0.0) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform(0, 1) < zeros ? 0.0f : static_cast<float>(rng.uniform(-1, 1));
  return v;
}

// Runs f with 1 thread and with 2 and 3; the outputs must be the same bits.
template <class F>
void expect_same_for_any_thread_count(F f) {
  const std::vector<float> one = [&] { Threads t(1); return f(); }();
  for (int threads : {2, 3}) {
    Threads t(threads);
    const std::vector<float> many = f();
    ASSERT_EQ(one.size(), many.size());
    EXPECT_EQ(std::memcmp(one.data(), many.data(), one.size() * sizeof(float)), 0) << threads << " threads";
  }
}

TEST(ThreadPool, GemmIsBitIdenticalForAnyThreadCount) {
  REQUIRE_THREADS();
  struct Shape { int M, N, K; bool ta, tb, acc; float alpha; };
  // The models' products (forward, dX, dW, the SGD-fused dW) and odd sizes.
  for (const Shape s : {Shape{32, 300, 784, false, false, false, 1}, {32, 784, 300, false, true, false, 1},
                        {784, 300, 32, true, false, true, -0.01f}, {32, 128, 128, false, false, false, 1},
                        {1, 300, 784, false, false, false, 1}, {37, 131, 517, false, false, true, 1},
                        {200, 10, 4608, false, false, false, 1}, {4608, 10, 32, true, false, false, 1}}) {
    SCOPED_TRACE(std::to_string(s.M) + "x" + std::to_string(s.K) + "x" + std::to_string(s.N));
    Rng rng(7);
    const auto A = random_vector(rng, static_cast<size_t>(s.M) * s.K), B = random_vector(rng, static_cast<size_t>(s.K) * s.N),
               C0 = random_vector(rng, static_cast<size_t>(s.M) * s.N);
    expect_same_for_any_thread_count([&] {
      std::vector<float> C = C0;
      gemm({s.M, s.N, s.K, A.data(), s.ta ? s.M : s.K, s.ta, B.data(), s.tb ? s.K : s.N, s.tb, C.data(), s.N, s.acc,
            s.alpha});
      return C;
    });
  }
}

TEST(ThreadPool, SparseRowsIsBitIdenticalForAnyThreadCount) {
  REQUIRE_THREADS();
  Rng rng(3);
  const int rows = 32, k = 784, n = 300;
  const auto x = random_vector(rng, static_cast<size_t>(rows) * k, /*zeros=*/0.8), w = random_vector(rng, static_cast<size_t>(k) * n),
             y0 = random_vector(rng, static_cast<size_t>(rows) * n);
  expect_same_for_any_thread_count([&] {
    std::vector<float> y = y0;
    sparse_rows_gemm(x.data(), rows, k, w.data(), n, y.data(), /*accumulate=*/true, /*alpha=*/-0.5f);
    return y;
  });
}

TEST(ThreadPool, ConvolutionsAreBitIdenticalForAnyThreadCount) {
  REQUIRE_THREADS();
  // cnn-16-8's two layers at batch 32, and an odd one.
  struct Shape { ConvGeometry g; int F, batch; };
  for (const Shape s : {Shape{{28, 28, 1, 3, 3}, 16, 32}, {{26, 26, 16, 3, 3}, 8, 32}, {{11, 9, 5, 2, 4}, 13, 7}}) {
    const ConvGeometry& g = s.g;
    Rng rng(11);
    const auto x = random_vector(rng, static_cast<size_t>(s.batch) * g.H * g.W * g.C),
               kernel = random_vector(rng, static_cast<size_t>(g.patch()) * s.F),
               bias = random_vector(rng, s.F),
               dz = random_vector(rng, static_cast<size_t>(s.batch) * g.out_h() * g.out_w() * s.F);
    expect_same_for_any_thread_count([&] {
      std::vector<float> y(dz.size()), dk(kernel.size()), dx(x.size()), scratch(conv_input_grad_scratch(g, s.F, s.batch));
      conv_forward(g, s.F, s.batch, x.data(), kernel.data(), y.data(), bias.data(), /*relu=*/true);
      conv_kernel_grad(g, s.F, s.batch, x.data(), dz.data(), dk.data());
      conv_input_grad(g, s.F, s.batch, dz.data(), kernel.data(), dx.data(), scratch.data(), /*relu_mask=*/x.data());
      std::vector<float> all = y;
      all.insert(all.end(), dk.begin(), dk.end());
      all.insert(all.end(), dx.begin(), dx.end());
      return all;
    });
  }
}

// Whole models: 20 steps from one seed give the same weights with 1 and 2 threads, so the
// native/WASM checksum (test_determinism.cpp) holds for the threaded builds as it is.
TEST(ThreadPool, TrainingIsBitIdenticalForAnyThreadCount) {
  REQUIRE_THREADS();
  const Mnist& mnist = testing::real_mnist();
  for (const std::string preset : {"mlp-300-100", "cnn-16-8"}) {
    SCOPED_TRACE(preset);
    expect_same_for_any_thread_count([&] {
      ModelSpec spec = preset_spec(preset);
      auto model = build_model(spec, /*seed=*/5);
      Trainer trainer(*model, all_of(mnist.train), std::nullopt, {spec.fit.batch_size, 1, true, /*seed=*/5});
      trainer.run(20);
      std::vector<float> weights;
      for (const Param& p : model->params()) weights.insert(weights.end(), p.value, p.value + p.size);
      return weights;
    });
  }
}

}  // namespace
}  // namespace digitrain
