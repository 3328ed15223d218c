#include "core/thread_pool.h"

#include <chrono>
#include <memory>

namespace digitrain {

thread_local bool t_in_pool_task = false;

namespace {

// How long a worker spins for the next job before it sleeps. A training step runs its
// products a few to a few hundred microseconds apart (bias, activation and the optimiser
// run on the caller alone in between); waking a sleeping thread costs tens of
// microseconds, more than a split of a small product saves. 200 us covers the gaps inside
// a step; between slices of steps (the page's messages) the workers sleep.
constexpr auto kSpin = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

#if DIGITRAIN_THREADS
std::unique_ptr<ThreadPool> g_pool;
int g_threads = 1;
#endif

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true, std::memory_order_relaxed);
    state_.store(pack(++job_, 0, 0), std::memory_order_release);
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::take_tasks(uint32_t job, bool worker) {
  uint64_t state = state_.load(std::memory_order_acquire);
  for (;;) {
    const uint32_t tasks = state >> 16 & 0xffff, next = state & 0xffff;
    if (state >> 32 != job || next >= tasks) return;
    if (!state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
    if (worker) worker_ran_.store(true, std::memory_order_relaxed);
    task_(ctx_, static_cast<int>(next));
    done_.fetch_add(1, std::memory_order_release);
    state = state_.load(std::memory_order_acquire);
  }
}

void ThreadPool::run(int tasks, void (*task)(void*, int), void* ctx) {
  if (workers_.empty() || tasks < 2) {
    for (int i = 0; i < tasks; ++i) task(ctx, i);
    return;
  }
  // Every task of the last job finished before run() returned, and no worker can claim one
  // of this job before state_ says so: nobody reads these now.
  task_ = task, ctx_ = ctx;
  done_.store(0, std::memory_order_relaxed);
  worker_ran_.store(false, std::memory_order_relaxed);
  const uint32_t job = ++job_;
  {
    // Under the lock, so a worker between its last look and its wait cannot miss it.
    std::lock_guard<std::mutex> lock(mutex_);
    state_.store(pack(job, static_cast<uint32_t>(tasks), 0), std::memory_order_release);
    if (sleeping_ > 0) wake_.notify_all();
  }
  t_in_pool_task = true;
  take_tasks(job, /*worker=*/false);
  t_in_pool_task = false;
  // Tasks a worker claimed and still runs: at most one task's time.
  while (done_.load(std::memory_order_acquire) < tasks) cpu_relax();
  if (worker_ran_.load(std::memory_order_relaxed)) jobs_shared_.fetch_add(1, std::memory_order_relaxed);
}

void ThreadPool::work_loop() {
  t_in_pool_task = true;
  uint32_t seen = 0;
  auto current = [&] { return static_cast<uint32_t>(state_.load(std::memory_order_acquire) >> 32); };
  for (;;) {
    uint32_t job = current();
    if (job == seen) {
      const auto until = std::chrono::steady_clock::now() + kSpin;
      for (int spins = 0; (job = current()) == seen; ++spins) {
        cpu_relax();
        if (spins % 64 == 63 && std::chrono::steady_clock::now() > until) {
          std::unique_lock<std::mutex> lock(mutex_);
          ++sleeping_;
          wake_.wait(lock, [&] { return current() != seen; });
          --sleeping_;
        }
      }
    }
    seen = job;
    if (stop_.load(std::memory_order_relaxed)) return;
    take_tasks(job, /*worker=*/true);
  }
}

#if DIGITRAIN_THREADS
void set_thread_count(int threads) {
  if (threads < 1) threads = 1;
  if (threads == g_threads) return;
  g_pool.reset();
  g_threads = threads;
  if (threads > 1) g_pool = std::make_unique<ThreadPool>(threads);
}

int thread_count() { return g_threads; }

ThreadPool* kernel_pool() { return g_pool.get(); }
#else
void set_thread_count(int) {}
#endif

}  // namespace digitrain
