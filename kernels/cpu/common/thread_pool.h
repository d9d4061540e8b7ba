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
//
// Wake-up: a worker that finishes a job spins on the job generation for up to
// REC_SPIN_US microseconds (default 200) before it sleeps on the condition
// variable, and the caller spins the same way for the workers to finish. A
// futex wake of a sleeping thread costs tens of µs on this VM — as much as a
// whole 1024-row optimizer step — so back-to-back kernel calls (a training
// loop, the bench) find the workers awake. The price is up to REC_SPIN_US of a
// busy core after each parallel call (OpenMP runtimes do the same:
// OMP_WAIT_POLICY / GOMP_SPINCOUNT); REC_SPIN_US=0 turns spinning off.
//
// Helpers: `run_with_helpers(f)` is run() for work that any subset of the
// threads can finish (chunks claimed from a shared counter, `parallel_chunks`).
// A worker joins only while the caller is still working; the caller never
// waits for a worker that has not started, only for one that has claimed
// work. On a loaded 2-core machine a descheduled worker would otherwise stall
// every short call for a scheduler time slice (milliseconds) — with helpers
// such a call costs at most what it costs on one thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <chrono>
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
      helpers_only_ = false;
      pending_.store(nthreads_ - 1, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
    }
    // Cheap when every worker is spinning: glibc skips the futex call when the
    // condition variable has no waiters.
    wake_.notify_all();
    f(0, nthreads_);
    if (!spin_until([&] { return pending_.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [&] { return pending_.load(std::memory_order_acquire) == 0; });
    }
    // job_ now dangles; a worker reads it only under the mutex after the
    // generation moves, and calls it only for a new job or an open helpers job.
  }

  /**
   * Runs f(tid, nthreads) on the caller and on each worker that wakes while
   * the caller is still inside f; returns when the caller's f and every
   * joined worker's f have returned. f must finish the whole job however
   * many threads join (claim work from a shared counter).
   */
  void run_with_helpers(const std::function<void(int, int)>& f) {
    if (nthreads_ == 1) {
      f(0, 1);
      return;
    }
    uint64_t g;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &f;
      helpers_only_ = true;
      g = generation_.fetch_add(1, std::memory_order_release) + 1;
      open_.store(g, std::memory_order_seq_cst);
    }
    wake_.notify_all();
    f(0, nthreads_);
    // Dekker pair with loop(): a worker raises active_ then reads open_; we
    // clear open_ then read active_ (both seq_cst), so a worker either sees
    // the job closed or is counted here.
    open_.store(0, std::memory_order_seq_cst);
    while (!spin_until([&] { return active_.load(std::memory_order_seq_cst) == 0; })) std::this_thread::yield();
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

  /** REC_SPIN_US if set to an integer in [0, 10⁶], else 200 µs. */
  static int64_t default_spin_us() {
    if (const char* env = std::getenv("REC_SPIN_US")) {
      char* end = nullptr;
      const long us = std::strtol(env, &end, 10);
      if (end != env && us >= 0 && us <= 1000000) return us;
    }
    return 200;
  }

  ~ThreadPool() { stop(); }

 private:
  explicit ThreadPool(int n) : spin_us_(default_spin_us()) { start(n); }

  /** Polls done() for up to spin_us_ µs; true as soon as it holds. */
  template <typename Done>
  bool spin_until(Done&& done) const {
    if (done()) return true;
    if (spin_us_ == 0) return false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(spin_us_);
    for (;;) {
      for (int i = 0; i < 64; ++i) {
        if (done()) return true;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
      }
      if (std::chrono::steady_clock::now() >= deadline) return done();
    }
  }

  void start(int n) {
    nthreads_ = n;
    quit_ = false;
    // Workers start from the current generation, so a run() issued before a
    // worker first takes the lock is still seen by it.
    const uint64_t start_generation = generation_.load(std::memory_order_relaxed);
    for (int t = 1; t < n; ++t) workers_.emplace_back([this, t, start_generation] { loop(t, start_generation); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
      generation_.fetch_add(1, std::memory_order_release);
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
      bool helpers_only;
      const auto woken = [&] { return generation_.load(std::memory_order_acquire) != seen; };
      if (!spin_until(woken)) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, woken);
      }
      {
        // job_, nthreads_ and quit_ were written under the mutex before the
        // generation moved; taking it here orders those reads after them.
        std::lock_guard<std::mutex> lock(mutex_);
        seen = generation_.load(std::memory_order_relaxed);
        if (quit_) return;
        job = job_;
        n = nthreads_;
        helpers_only = helpers_only_;
      }
      if (helpers_only) {
        // Join only while the caller is still in the job (see run_with_helpers).
        active_.fetch_add(1, std::memory_order_seq_cst);
        if (open_.load(std::memory_order_seq_cst) == seen) (*job)(tid, n);
        active_.fetch_sub(1, std::memory_order_seq_cst);
        continue;
      }
      (*job)(tid, n);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        // The caller may have stopped spinning and gone to sleep; the lock
        // makes the notify land after its predicate check or be seen by it.
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  int nthreads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int, int)>* job_ = nullptr;
  std::atomic<int> pending_{0};
  std::atomic<uint64_t> generation_{0};
  bool quit_ = false;
  bool helpers_only_ = false;               // the current job is a run_with_helpers one
  std::atomic<uint64_t> open_{0};           // its generation while the caller is in it, else 0
  std::atomic<int> active_{0};              // workers that have joined it
  int64_t spin_us_ = 200;
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

/**
 * Runs body(begin, end, tid) over [0, n) in chunks of `chunk`, claimed in
 * order from a shared counter by the caller and whichever workers are awake
 * (ThreadPool::run_with_helpers); inline when n < min_parallel. Which thread
 * runs a chunk depends on timing, so use it only where the result does not
 * depend on the split (disjoint rows) or is timing-dependent anyway (Hogwild).
 */
template <typename Body>
void parallel_chunks(int64_t n, int64_t chunk, int64_t min_parallel, Body&& body) {
  ThreadPool& pool = ThreadPool::instance();
  if (n <= 0) return;
  if (pool.size() == 1 || n < min_parallel) {
    body(int64_t(0), n, 0);
    return;
  }
  if (chunk < 1) chunk = 1;
  std::atomic<int64_t> next{0};
  pool.run_with_helpers([&](int tid, int) {
    for (;;) {
      const int64_t b = next.fetch_add(chunk, std::memory_order_relaxed);
      if (b >= n) return;
      body(b, std::min(n, b + chunk), tid);
    }
  });
}

}  // namespace rec
