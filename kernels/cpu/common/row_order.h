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
//
// run_in_part_order is the schedule of the `parts` attribute (part_copies.h):
// each part has its own copy of the category rows, so only the rows the parts
// share order the items, and each part's chunks run on one thread, statically
// (part p on thread p mod T), so that part's copy sees its items in batch order.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "prefetch.h"
#include "thread_pool.h"

namespace rec {

/** Items per chunk dealt to a part (the `parts` attribute, part_copies.h): item t belongs to part ⌊t / 64⌋ mod parts. */
constexpr int64_t kPartChunk = 64;

/** The largest `parts` accepted. */
constexpr int kMaxParts = 64;

/** The part of item t. */
inline int part_of(int64_t t, int parts) { return int((t / kPartChunk) % parts); }

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

/** The batch-local state of an ordered run: the key → last item map, each item's predecessors (CSR) and done flags. */
struct OrderState {
  LastToucher last;
  std::vector<int32_t> pred_begin, preds;
  std::unique_ptr<std::atomic<uint8_t>[]> done;
  int64_t done_size = 0;

  /** Sized for n items and total_keys keys, every item not done; kept between calls. */
  void reset(int64_t n, int64_t total_keys) {
    if (done_size < n) {
      done.reset(new std::atomic<uint8_t>[size_t(n)]);
      done_size = n;
    }
    last.reset(total_keys);
    pred_begin.resize(size_t(n) + 1);
    preds.resize(size_t(total_keys));
    pred_begin[0] = 0;
    for (int64_t t = 0; t < n; ++t) done[t].store(0, std::memory_order_relaxed);
  }

  /** The predecessor pass over the items [from, to), after [0, from): for each key an item names, the last earlier item that named it. */
  template <typename KeysOf>
  void pass(int64_t from, int64_t to, KeysOf&& keys_of) {
    int64_t np = pred_begin[size_t(from)];
    for (int64_t t = from; t < to; ++t) {
      keys_of(t, [&](uint64_t key) {
        const int32_t p = last.exchange(key, int32_t(t));
        if (p >= 0 && p != t) preds[size_t(np++)] = p;
      });
      pred_begin[size_t(t) + 1] = int32_t(np);
    }
  }
};

/** Spins until ready() (an acquire load), then yields between tries: the thread it waits for may be descheduled. */
template <typename Ready>
void spin_until(Ready&& ready) {
  for (int spins = 0; !ready(); ++spins) {
    if (spins < 2048) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      std::this_thread::yield();
    }
  }
}

inline void wait_done(const std::atomic<uint8_t>& flag) {
  spin_until([&] { return flag.load(std::memory_order_acquire) != 0; });
}

}  // namespace row_order_detail

/**
 * The loss terms of a batch's items, one per item, summed in batch order afterwards
 * (sum_in_order) so that the loss does not depend on the schedule: at least n long, kept on the
 * calling thread between calls (no allocation or page faults per batch). A plain reference:
 * the pool's workers write through it, where a thread_local named inside their lambda would be
 * each worker's own. One buffer per calling thread, so a kernel holds it for one batch at a time.
 */
inline std::vector<double>& item_terms(int64_t n) {
  thread_local std::vector<double> kept;
  if (kept.size() < size_t(n)) kept.resize(size_t(n));
  return kept;
}

/** Σ terms[0 … n) in item order, in f64 from 0. */
inline double sum_in_order(const std::vector<double>& terms, int64_t n) {
  double total = 0;
  for (int64_t t = 0; t < n; ++t) total += terms[size_t(t)];
  return total;
}

/**
 * Where an ordered run (run_in_row_order) runs: on the pool or on the caller alone. Both give
 * the same bits — each row gets its updates in batch order either way — so this is a speed
 * choice only. Why a choice: on the 2-vCPU VM this was measured on, bpr_step's ordered
 * schedule on 2 threads ran at 0.57–0.80× of one thread (apps/bench README, bench:bpr-threads;
 * how that splits between waits, done flags and rows moving between the cores was not
 * measured), while a machine whose cores share cache lines cheaply can gain from the pool. Modes (REC_ORDERED, or
 * set_ordered_mode from JS): `auto` (the default) times both per call site and keeps the faster,
 * `pool` always uses the pool, `caller` never does.
 */
enum class OrderedMode : int { kAuto = 0, kPool = 1, kCaller = 2 };

/** The process's mode: REC_ORDERED (auto, pool or caller; unset or anything else: auto) until set_ordered_mode. */
inline std::atomic<int>& ordered_mode() {
  static std::atomic<int> mode{[] {
    const char* env = std::getenv("REC_ORDERED");
    if (env && std::string(env) == "pool") return int(OrderedMode::kPool);
    if (env && std::string(env) == "caller") return int(OrderedMode::kCaller);
    return int(OrderedMode::kAuto);
  }()};
  return mode;
}

/**
 * One call site's `auto` choice, in blocks of calls of one kind: first kTrials + 1 calls on the
 * caller, then kTrials + 1 on the pool; then kRefresh calls on the kind with the lower moving
 * average of ns per item, 2 on the other so that its average follows the machine's load, and
 * so on. The first call of each block is not counted: after calls of the other kind the pool's
 * workers are asleep (or were just spinning), and waking them belongs to the switch, not to
 * either kind — counted, it made the pool look slow every time it was looked at again.
 */
class OrderedChoice {
 public:
  /** Whether this call runs on the pool. */
  bool pool() {
    const int mode = ordered_mode().load(std::memory_order_relaxed);
    timed_ = mode == int(OrderedMode::kAuto);
    if (!timed_) return mode == int(OrderedMode::kPool);
    if (left_ == 0) next_block();
    --left_;
    return on_pool_;
  }
  /** Records the time per item of the call pool() just chose (`auto` only). */
  void record(bool pool, double ns_per_item) {
    if (!timed_) return;
    if (first_of_block_) {
      first_of_block_ = false;
      return;
    }
    const int k = pool ? 1 : 0;
    ns_[k] = samples_[k] == 0 ? ns_per_item : ns_[k] + kWeight * (ns_per_item - ns_[k]);
    ++samples_[k];
  }

 private:
  void next_block() {
    first_of_block_ = true;
    if (samples_[0] < kTrials || samples_[1] < kTrials) {
      on_pool_ = samples_[0] >= kTrials;
      left_ = kTrials + 1;
      exploit_next_ = true;
      return;
    }
    const bool faster = ns_[1] < ns_[0];
    on_pool_ = exploit_next_ ? faster : !faster;
    left_ = exploit_next_ ? kRefresh : 2;
    exploit_next_ = !exploit_next_;
  }

  static constexpr int kTrials = 3;
  static constexpr int kRefresh = 32;
  static constexpr double kWeight = 0.25;
  double ns_[2] = {0, 0};
  int samples_[2] = {0, 0};
  int left_ = 0;
  bool on_pool_ = false, first_of_block_ = false, exploit_next_ = true, timed_ = false;
};

/**
 * Runs body(t, end, tid) for every item t of [0, n) so that items sharing a row
 * key run in batch order. keys_of(t, emit) calls emit(key) for each row key
 * item t touches (repeats allowed); total_keys bounds the emits of the whole
 * batch (items may emit different numbers of keys: a skip-gram output row's
 * category list is 0 to many rows long). A
 * thread runs the items [t, end) of its chunk in order, so body may prefetch
 * the rows of t + k < end (not beyond: those belong to another thread).
 * Serial and in order on one thread, when n < min_parallel, or when `choice` says the caller
 * alone is faster here (OrderedChoice; the same bits either way).
 */
template <typename KeysOf, typename Body>
void run_in_row_order(int64_t n, int64_t total_keys, int64_t chunk, int64_t min_parallel, OrderedChoice& choice, KeysOf&& keys_of, Body&& body) {
  using namespace row_order_detail;
  ThreadPool& pool = ThreadPool::instance();
  if (n <= 0) return;
  if (pool.size() == 1 || n < min_parallel) {
    for (int64_t t = 0; t < n; ++t) body(t, n, 0);
    return;
  }
  const bool on_pool = choice.pool();
  const auto start = std::chrono::steady_clock::now();
  const auto record = [&] { choice.record(on_pool, std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / double(n)); };
  if (!on_pool) {
    for (int64_t t = 0; t < n; ++t) body(t, n, 0);
    record();
    return;
  }
  // Calls come from the JS thread one at a time; thread_local keeps a second JS thread (a worker) safe.
  // The workers must use the caller's state: a thread_local named inside the lambda below
  // would be each worker's own (empty) instance, so the lambda sees it through a reference.
  thread_local OrderState state_tl;
  OrderState& state = state_tl;
  state.reset(n, total_keys);
  std::atomic<uint8_t>* const done = state.done.get();
  const std::vector<int32_t>& pred_begin = state.pred_begin;
  const std::vector<int32_t>& preds = state.preds;

  std::atomic<int64_t> ready{0}, next{0};
  const int64_t publish_every = std::max<int64_t>(chunk, 32);
  pool.run_with_helpers([&](int tid, int) {
    if (tid == 0) {
      for (int64_t t = 0; t < n; t += publish_every) {
        const int64_t e = std::min(n, t + publish_every);
        state.pass(t, e, keys_of);
        ready.store(e, std::memory_order_release);
      }
    }
    for (;;) {
      const int64_t b = next.fetch_add(chunk, std::memory_order_relaxed);
      if (b >= n) return;
      const int64_t e = std::min(n, b + chunk);
      spin_until([&] { return ready.load(std::memory_order_acquire) >= e; });
      for (int64_t t = b; t < e; ++t) {
        for (int32_t q = pred_begin[size_t(t)]; q < pred_begin[size_t(t) + 1]; ++q) wait_done(done[preds[size_t(q)]]);
        body(t, e, tid);
        done[t].store(1, std::memory_order_release);
      }
    }
  });
  record();
}


/**
 * The schedule of the `parts` attribute (part_copies.h), in three phases on the pool's threads:
 * part p on thread p mod T, statically (ThreadPool::run; threads ≥ parts idle).
 * 1. prepare(p) once for every part (checks and plans that part's items; false: an input is
 *    invalid), each thread taking its own parts first and then any not yet taken; each thread
 *    then waits for every prepare to finish; if any part failed, every thread returns and so
 *    does this function, with false, before any body ran.
 * 2. body(t, end, tid, part) for every item: chunk k (the items [64k, 64k + 64)) belongs to
 *    part k mod parts, and each thread walks its chunks in increasing k. keys_of(t, emit) names
 *    only the rows the parts SHARE (not a part's own category copy); item t waits for the last
 *    earlier item that touched one of them (done flags, as run_in_row_order), so each shared row
 *    gets its updates in batch order, and each part's own rows are touched by one thread, in
 *    batch order. No deadlock: every wait is on an earlier item, and each thread walks its
 *    chunks in order. body may prefetch the items t + k < end of its chunk. Then a barrier
 *    (every active thread done with its chunks).
 * 3. finish(p) for each of the thread's parts (the merge of what the parts share).
 *
 * The predecessor pass is advanced by whichever thread reaches a chunk the pass has not
 * covered (one thread at a time; a flag hands the pass's state over with acquire/release), so
 * it lands on no single thread: with a static split, a pass run by thread 0 alone would hold
 * every other thread's share up by the pass's length.
 *
 * One thread (a pool of 1, or n < min_parallel) runs the same phases: every part's prepare,
 * every chunk in order, every part's finish — per part and per shared row the same items in
 * the same order, hence the same bits as any thread count.
 */
template <typename KeysOf, typename Prepare, typename Body, typename Finish>
bool run_in_part_order(int64_t n, int parts, int64_t total_keys, int64_t min_parallel, KeysOf&& keys_of, Prepare&& prepare, Body&& body,
                       Finish&& finish) {
  using namespace row_order_detail;
  ThreadPool& pool = ThreadPool::instance();
  const int threads = pool.size();
  if (threads == 1 || parts == 1 || n < min_parallel || n <= kPartChunk) {
    bool ok = true;
    for (int p = 0; p < parts; ++p) ok = prepare(p) && ok;
    if (!ok) return false;
    for (int64_t b = 0; b < n; b += kPartChunk) {
      const int64_t e = std::min(n, b + kPartChunk);
      const int part = part_of(b, parts);
      for (int64_t t = b; t < e; ++t) body(t, e, 0, part);
    }
    for (int p = 0; p < parts; ++p) finish(p);
    return true;
  }
  // The caller's state, seen by the workers through a reference (as in run_in_row_order).
  thread_local OrderState state_tl;
  OrderState& state = state_tl;
  state.reset(n, total_keys);
  std::atomic<uint8_t>* const done = state.done.get();
  std::atomic<int64_t> ready{0};  // items whose predecessors are known
  std::atomic<bool> passing{false};
  // Extends the pass to item e (whoever holds `passing` walks it), then returns once it covers e.
  const auto reach = [&](int64_t e) {
    spin_until([&] {
      if (ready.load(std::memory_order_acquire) >= e) return true;
      if (!passing.load(std::memory_order_relaxed) && !passing.exchange(true, std::memory_order_acquire)) {
        const int64_t from = ready.load(std::memory_order_relaxed);
        if (from < e) {
          state.pass(from, e, keys_of);
          ready.store(e, std::memory_order_release);
        }
        passing.store(false, std::memory_order_release);
      }
      return ready.load(std::memory_order_acquire) >= e;
    });
  };
  const int active = std::min(parts, threads);
  const int64_t chunks = (n + kPartChunk - 1) / kPartChunk;
  std::atomic<bool> failed{false};
  std::atomic<uint64_t> claimed{0};  // bit p: part p's prepare is taken
  std::atomic<int> prepared{0};      // prepares finished
  std::atomic<int> ran{0};           // threads done with their chunks
  const auto prepare_unclaimed = [&](int p) {
    if (claimed.fetch_or(uint64_t(1) << p, std::memory_order_relaxed) >> p & 1) return;
    if (!prepare(p)) failed.store(true, std::memory_order_relaxed);
    prepared.fetch_add(1, std::memory_order_release);
  };
  pool.run([&](int tid, int) {
    if (tid >= active) return;
    // Its own parts first (their lists then sit in this core's cache), then any part whose
    // thread has not woken yet: a worker asleep since the last call costs tens of µs to wake,
    // and this wait is for the prepares, not for the threads.
    for (int p = tid; p < parts; p += threads) prepare_unclaimed(p);
    for (int p = 0; p < parts; ++p) prepare_unclaimed(p);
    spin_until([&] { return prepared.load(std::memory_order_acquire) >= parts; });
    if (failed.load(std::memory_order_relaxed)) return;
    for (int64_t k = tid; k < chunks; ++k) {
      const int64_t b = k * kPartChunk, e = std::min(n, b + kPartChunk);
      const int part = part_of(b, parts);
      if (part % threads != tid) continue;
      reach(e);
      for (int64_t t = b; t < e; ++t) {
        for (int32_t q = state.pred_begin[size_t(t)]; q < state.pred_begin[size_t(t) + 1]; ++q) wait_done(done[state.preds[size_t(q)]]);
        body(t, e, tid, part);
        done[t].store(1, std::memory_order_release);
      }
    }
    ran.fetch_add(1, std::memory_order_acq_rel);
    spin_until([&] { return ran.load(std::memory_order_acquire) >= active; });
    for (int p = tid; p < parts; p += threads) finish(p);
  });
  return !failed.load(std::memory_order_relaxed);
}

}  // namespace rec
