#pragma once
// A small pool of threads, created once, that the kernels split one product across
// (gemm, the convolutions, sparse_rows_gemm). At batch 32 a product takes 50-400 us, so a
// split must cost microseconds: the workers spin on the job word for a while after each job
// and only then sleep on a condition variable, and a job is a function pointer and a
// context (no std::function, nothing allocated per call). The calling thread runs tasks
// too. docs/toolchain.md "Threads" has the rules (same results for any thread count).
//
// Nothing here knows about Emscripten: in the threaded WASM build std::thread is a pthread
// on a Web Worker. The caller of run() spins and never sleeps, so it may even be a page's
// main thread (bench/chromium does that); only the workers sleep. The build says whether threads exist: DIGITRAIN_THREADS is 1
// natively and in the threaded WASM build, 0 in the default WASM build (CMakeLists.txt),
// where set_thread_count keeps 1 thread and no pool code is linked into the module.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#ifndef DIGITRAIN_THREADS
#define DIGITRAIN_THREADS 1
#endif

namespace digitrain {

class ThreadPool {
 public:
  // threads counts the caller: ThreadPool(2) starts one worker.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs task(ctx, i) for every i in [0, tasks), each once, on the pool's threads and the
  // caller's; returns when all have finished. Not reentrant: a task must not call run().
  // tasks < 65536.
  void run(int tasks, void (*task)(void* ctx, int i), void* ctx);

  // Jobs run so far in which a worker (not only the caller) ran at least one task.
  long jobs_shared() const { return jobs_shared_.load(std::memory_order_relaxed); }

 private:
  void work_loop();
  // Runs tasks of job `job` until none is left to claim or another job has begun.
  void take_tasks(uint32_t job, bool worker);

  // One word per job: job id (32 bits) | task count (16) | next task to claim (16). A
  // worker claims a task with a compare-and-swap that fails once another job has begun,
  // so a worker that wakes late never runs a task of the wrong job, and the caller waits
  // for the job's tasks only, never for a worker that is not running (on a loaded
  // machine a descheduled worker would otherwise cost the caller its time slice).
  static uint64_t pack(uint32_t job, uint32_t tasks, uint32_t next) {
    return static_cast<uint64_t>(job) << 32 | static_cast<uint64_t>(tasks) << 16 | next;
  }
  std::vector<std::thread> workers_;
  void (*task_)(void*, int) = nullptr;
  void* ctx_ = nullptr;
  std::atomic<uint64_t> state_{0};
  std::atomic<int> done_{0};  // tasks of the current job finished
  uint32_t job_ = 0;          // the caller's count of jobs
  std::atomic<bool> worker_ran_{false};
  std::atomic<long> jobs_shared_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  int sleeping_ = 0;  // guarded by mutex_
  std::atomic<bool> stop_{false};
};

// The process's pool for the kernels. 1 (the default) runs everything on the caller's
// thread and starts nothing. Call between steps, never while a product runs. Without
// threads in the build, the count stays 1.
void set_thread_count(int threads);
#if DIGITRAIN_THREADS
int thread_count();
// The pool, or null with 1 thread.
ThreadPool* kernel_pool();
#else
inline int thread_count() { return 1; }
inline ThreadPool* kernel_pool() { return nullptr; }
#endif

// True on a pool's worker threads, and on the caller while it runs a job's tasks.
extern thread_local bool t_in_pool_task;

// Calls f(i) for i in [0, tasks) on the kernel pool (inline when it has 1 thread, when
// tasks < 2, or when called from inside a pool task).
template <class F>
void parallel_for(int tasks, F&& f) {
  ThreadPool* pool = kernel_pool();
  if (pool == nullptr || tasks < 2 || t_in_pool_task) {
    for (int i = 0; i < tasks; ++i) f(i);
    return;
  }
  pool->run(tasks, [](void* ctx, int i) { (*static_cast<F*>(ctx))(i); }, &f);
}

// [begin, end) of part `part` of `parts` when `units` are split as evenly as possible.
inline void split_range(int units, int parts, int part, int& begin, int& end) {
  const int base = units / parts, extra = units % parts;
  begin = part * base + (part < extra ? part : extra);
  end = begin + base + (part < extra ? 1 : 0);
}

}  // namespace digitrain
