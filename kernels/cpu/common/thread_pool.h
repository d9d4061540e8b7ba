// A small persistent thread pool shared by every kernel of the addon.
//
// Size: REC_THREADS when set to a positive integer, else the number of
// hardware threads (std::thread::hardware_concurrency). `set_threads(n)` changes
// it at run time (the bench measures 1 and 2 threads in one process; parity
// tests pin 1 thread for the deterministic single-thread mode).
//
// Model: `run(f)` calls f(tid, nthreads) once on each of nthreads threads —
// the caller is thread 0, so a 1-thread pool runs everything inline with no
// synchronisation — and returns when all have finished. Partitions are static
// (`static_range`) so results that depend on the split (Hogwild updates) are a
// function of the thread count only; `DynamicCounter` hands out chunks for
// uneven work (ranking). Calls come from the JS thread one at a time (the
// addon is synchronous), so run() itself is never entered concurrently.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rec {

class ThreadPool {
 public:
  static ThreadPool& instance() {
    static ThreadPool pool(default_threads());
    return pool;
  }

  /** Threads a run() uses, the caller included. */
  int size() const { return nthreads_; }

  /** Resizes the pool to n ≥ 1 threads (joins and restarts the workers). */
  void set_threads(int n) {
    if (n < 1) n = 1;
    if (n == nthreads_) return;
    stop();
    start(n);
  }

  /** Runs f(tid, nthreads) on every thread of the pool and waits for all. */
  void run(const std::function<void(int, int)>& f) {
    if (nthreads_ == 1) {
      f(0, 1);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &f;
      pending_ = nthreads_ - 1;
      ++generation_;
    }
    wake_.notify_all();
    f(0, nthreads_);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    job_ = nullptr;
  }

  /** REC_THREADS if set to a positive integer, else the hardware thread count (at least 1). */
  static int default_threads() {
    if (const char* env = std::getenv("REC_THREADS")) {
      const long n = std::strtol(env, nullptr, 10);
      if (n > 0 && n <= 1024) return int(n);
    }
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : int(hw);
  }

  ~ThreadPool() { stop(); }

 private:
  explicit ThreadPool(int n) { start(n); }

  void start(int n) {
    nthreads_ = n;
    quit_ = false;
    // Workers start from the current generation, so a run() issued before a
    // worker first takes the lock is still seen by it.
    const uint64_t start_generation = generation_;
    for (int t = 1; t < n; ++t) workers_.emplace_back([this, t, start_generation] { loop(t, start_generation); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
    nthreads_ = 1;
  }

  void loop(int tid, uint64_t seen) {
    for (;;) {
      const std::function<void(int, int)>* job;
      int n;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (quit_) return;
        job = job_;
        n = nthreads_;
      }
      (*job)(tid, n);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  int nthreads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int, int)>* job_ = nullptr;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool quit_ = false;
};

/** The contiguous slice [begin, end) of [0, n) that thread tid of nthreads owns. */
inline void static_range(int64_t n, int tid, int nthreads, int64_t& begin, int64_t& end) {
  const int64_t base = n / nthreads, extra = n % nthreads;
  begin = tid * base + (tid < extra ? tid : extra);
  end = begin + base + (tid < extra ? 1 : 0);
}

/**
 * Runs body(begin, end, tid) over [0, n) in static slices; inline on the caller
 * when n < min_parallel (thread wake-up costs more than the work).
 */
template <typename Body>
void parallel_for(int64_t n, int64_t min_parallel, Body&& body) {
  ThreadPool& pool = ThreadPool::instance();
  if (n <= 0) return;
  if (pool.size() == 1 || n < min_parallel) {
    body(int64_t(0), n, 0);
    return;
  }
  pool.run([&](int tid, int nthreads) {
    int64_t b, e;
    static_range(n, tid, nthreads, b, e);
    if (b < e) body(b, e, tid);
  });
}

}  // namespace rec
