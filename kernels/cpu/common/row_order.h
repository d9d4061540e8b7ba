// Deterministic parallel execution of a batch of items (BPR triples, skip-gram
// examples) that each update a few table rows in place: every row receives
// its updates in batch order, so the result is bit-identical to running the
// items one after another (the js reference), whatever the thread count and
// however the threads are scheduled.
//
// Schedule (dataflow form of a conflict-free wave schedule): walking the
// batch in order, item t's predecessors are, for each row key it touches,
// the last earlier item that touched that key (a batch-local hash table of
// key → last item). Threads claim items in order, in chunks, from a shared
// counter (parallel_chunks' helpers model: the caller plus whichever workers
// are awake); before running item t a thread waits until each predecessor is
// done (acquire/release flags), then runs t and marks it done. By induction
// every earlier update of each of t's rows has happened before t reads it
// and no later item touches the row until t is done, so each row sees the
// serial sequence of updates. Items in one wave of the wave schedule
// (w(t) = 1 + max w(predecessor)) run concurrently; unlike waves there is no
// barrier between them, so one slow or descheduled thread (2 loaded cores)
// only holds up the items that really depend on its rows. No deadlock:
// items are claimed in order and wait only on earlier, already claimed ones.
//
// The predecessor pass is sequential (one hash probe per key, the table in
// L1/L2); the caller runs it and publishes how far it got, so helpers start
// on the first chunks while it is still walking the batch.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "prefetch.h"
#include "thread_pool.h"

namespace rec {

/** Row key of `row` in table `table` (tables numbered by the kernel). */
inline uint64_t row_key(uint32_t table, int32_t row) { return (uint64_t(table) << 32) | uint32_t(row); }

namespace row_order_detail {

/** Batch-local open-addressing map key → last item; slots from older calls are stale by stamp, so nothing is cleared per call. */
struct LastToucher {
  struct Slot {
    uint64_t key;
    int32_t item;
    uint32_t stamp;
  };
  std::vector<Slot> slots;
  uint32_t stamp = 0;
  int bits = 0;

  void reset(int64_t keys) {
    int b = 10;
    while ((int64_t(1) << b) < 2 * keys) ++b;
    if (b != bits || stamp == UINT32_MAX) {
      bits = b;
      slots.assign(size_t(1) << b, Slot{0, 0, 0});
      stamp = 0;
    }
    ++stamp;
  }
  /** The last item before `item` that touched key (−1 if none), and records `item` as the last. */
  int32_t exchange(uint64_t key, int32_t item) {
    const size_t mask = slots.size() - 1;
    size_t h = size_t((key * 0x9E3779B97F4A7C15ull) >> (64 - bits));
    for (;; h = (h + 1) & mask) {
      Slot& s = slots[h];
      if (s.stamp != stamp) {
        s = Slot{key, item, stamp};
        return -1;
      }
      if (s.key == key) {
        const int32_t prev = s.item;
        s.item = item;
        return prev;
      }
    }
  }
};

inline void wait_done(const std::atomic<uint8_t>& flag) {
  for (int spins = 0; !flag.load(std::memory_order_acquire); ++spins) {
    if (spins < 2048) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      std::this_thread::yield();  // its owner may be descheduled on a loaded machine
    }
  }
}

}  // namespace row_order_detail

/**
 * Runs body(t, end, tid) for every item t of [0, n) so that items sharing a row
 * key run in batch order. keys_of(t, emit) calls emit(key) for each row key
 * item t touches (repeats allowed); total_keys bounds the emits of the whole
 * batch (items may emit different numbers of keys: a skip-gram output row's
 * category list is 0 to many rows long). A
 * thread runs the items [t, end) of its chunk in order, so body may prefetch
 * the rows of t + k < end (not beyond: those belong to another thread).
 * Serial and in order on one thread or when n < min_parallel.
 */
template <typename KeysOf, typename Body>
void run_in_row_order(int64_t n, int64_t total_keys, int64_t chunk, int64_t min_parallel, KeysOf&& keys_of, Body&& body) {
  using namespace row_order_detail;
  ThreadPool& pool = ThreadPool::instance();
  if (n <= 0) return;
  if (pool.size() == 1 || n < min_parallel) {
    for (int64_t t = 0; t < n; ++t) body(t, n, 0);
    return;
  }
  // Calls come from the JS thread one at a time; thread_local keeps a second JS thread (a worker) safe.
  // The workers must use the caller's buffers: a thread_local named inside the lambda below
  // would be each worker's own (empty) instance, so the lambda sees them through references.
  thread_local LastToucher last_tl;
  thread_local std::vector<int32_t> pred_begin_tl, preds_tl;
  thread_local std::unique_ptr<std::atomic<uint8_t>[]> done_tl;
  thread_local int64_t done_size = 0;
  LastToucher& last = last_tl;
  std::vector<int32_t>& pred_begin = pred_begin_tl;
  std::vector<int32_t>& preds = preds_tl;
  if (done_size < n) {
    done_tl.reset(new std::atomic<uint8_t>[size_t(n)]);
    done_size = n;
  }
  std::atomic<uint8_t>* const done = done_tl.get();
  last.reset(total_keys);
  pred_begin.resize(size_t(n) + 1);
  preds.resize(size_t(total_keys));
  for (int64_t t = 0; t < n; ++t) done[t].store(0, std::memory_order_relaxed);

  std::atomic<int64_t> ready{0}, next{0};
  const int64_t publish_every = std::max<int64_t>(chunk, 32);
  pool.run_with_helpers([&](int tid, int) {
    if (tid == 0) {
      int64_t np = 0;
      pred_begin[0] = 0;
      for (int64_t t = 0; t < n; ++t) {
        keys_of(t, [&](uint64_t key) {
          const int32_t p = last.exchange(key, int32_t(t));
          if (p >= 0 && p != t) preds[size_t(np++)] = p;
        });
        pred_begin[size_t(t) + 1] = int32_t(np);
        if ((t + 1) % publish_every == 0) ready.store(t + 1, std::memory_order_release);
      }
      ready.store(n, std::memory_order_release);
    }
    for (;;) {
      const int64_t b = next.fetch_add(chunk, std::memory_order_relaxed);
      if (b >= n) return;
      const int64_t e = std::min(n, b + chunk);
      for (int spins = 0; ready.load(std::memory_order_acquire) < e; ++spins) {
        if (spins < 2048) {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#endif
        } else {
          std::this_thread::yield();
        }
      }
      for (int64_t t = b; t < e; ++t) {
        for (int32_t q = pred_begin[size_t(t)]; q < pred_begin[size_t(t) + 1]; ++q) wait_done(done[preds[size_t(q)]]);
        body(t, e, tid);
        done[t].store(1, std::memory_order_release);
      }
    }
  });
}

}  // namespace rec
