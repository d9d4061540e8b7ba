// Lanes: the deterministic parallel schedule of `bpr_step`'s attribute `lanes` (contract and
// js twin: packages/core/src/kernels/sgd/lane_strata.ts).
//
// Why: the row-ordered schedule (row_order.h) keeps every row's updates in batch order, so a
// triple waits for any earlier triple of another thread that shares a row, and on a VM whose
// cores pass a cache line in ~250 ns each way it ran slower on two threads than on one, while
// Hogwild gained up to 2×. Lanes trade batch order for a fixed permutation of the batch in
// which the lanes of a stratum touch disjoint rows, as DSGD does for matrix factorisation
// (Gemulla, Nijkamp, Haas & Sismanis, KDD 2011, §4: strata of interchangeable blocks), so the
// lanes of a stratum run at once with no waits, and the result depends on the batch and L
// only, never on the thread count or timing.
//
// Blocks: with L lanes, user u is in block ⌊h(u)·L / 2¹⁶⌋ and item i in block ⌊h(i)·2L / 2¹⁶⌋,
// where h(id) = (id·0x9E3779B1 mod 2³²) >> 16 (a fixed mix, so that popular low ids spread).
// Strata: the 2L item blocks are paired by the round-robin 1-factorisation of the complete
// graph K_2L: with M = 2L − 1, matching m ∈ [0, M) has the L edges
//   e_0 = {M, m},  e_k = {(m + k) mod M, (m − k) mod M}  for k = 1 … L − 1,
// and every pair of distinct blocks is an edge of exactly one matching. Stratum s = m·L + r
// (r ∈ [0, L)) gives lane l the user block l and the item blocks of edge e_{(l + r) mod L} of
// matching m: the lanes of a stratum share no user block and no item block. Triple (u, i, j)
// with blocks (l, a, b) goes to lane l of the stratum whose edge for l holds {a, b}:
//   a ≠ b: the matching m that has the edge {a, b}: m = b if a = M, a if b = M, else
//          (a + b)·(M + 1)/2 mod M (a + b ≡ 2m mod M, and M is odd);
//   a = b: m = a (a < M) or 0 (a = M), the edge e_0 (which holds a);
//   then k = the edge's index in m and r = (k − l) mod L.
// The serial semantics: the triples in stratum order, lanes ascending within a stratum, batch
// order within a lane. Lanes of one stratum touch disjoint rows, so running them in any order
// or at once gives the same bits. L = 1 is one stratum and one lane: batch order.
// Measured (apps/bench README, "Lanes"): on the 2-vCPU VM, 2 lanes take 0.88–1.39× Hogwild's
// time at 2 threads (batch order: 0.84–1.64×); a stratum lasts as long as its slower lane, and
// the two vCPUs are not equally fast.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "row_order.h"  // spin_until
#include "thread_pool.h"

namespace rec {

/** The largest `lanes` accepted: 16 lanes make 31·16 strata and 7,936 tasks (a task id fits 16 bits). */
constexpr int kMaxLanes = 16;

/** The block of id among `count`: ⌊h(id)·count / 2¹⁶⌋ with h(id) = (id·0x9E3779B1 mod 2³²) >> 16 (see the header). */
inline int lane_block(int32_t id, int count) { return int((((uint32_t(id) * 0x9E3779B1u) >> 16) * uint32_t(count)) >> 16); }

/** The strata of L lanes over 2L item blocks (see the header). */
struct LaneStrata {
  int lanes;
  int m;  // M = 2L − 1, the number of matchings

  explicit LaneStrata(int L) : lanes(L), m(2 * L - 1) {}

  int strata() const { return m * lanes; }

  /** For item blocks a, b: matching(a, b)·L in the high 16 bits, the edge's index in the low (a table of (2L)² entries, built once). */
  std::vector<uint32_t> pair_table() const {
    const int blocks = 2 * lanes;
    std::vector<uint32_t> t(size_t(blocks * blocks));
    for (int a = 0; a < blocks; ++a) {
      for (int b = 0; b < blocks; ++b) {
        const int mm = matching(a, b);
        t[size_t(a * blocks + b)] = uint32_t(mm * lanes) << 16 | uint32_t(edge(a, mm));
      }
    }
    return t;
  }

  /** The index k of the edge of matching `matching` that holds item block a. */
  int edge(int a, int matching) const {
    if (a == m || a == matching) return 0;
    const int k = (a - matching + m) % m;
    return k < lanes ? k : m - k;
  }

  /** The matching whose edge holds item blocks a and b. */
  int matching(int a, int b) const {
    if (a == b) return a < m ? a : 0;
    if (a == m) return b;
    if (b == m) return a;
    return int((int64_t(a + b) * ((m + 1) / 2)) % m);
  }

  /** The lane that holds item block a in stratum s. */
  int holder(int a, int s) const {
    const int mm = s / lanes, r = s % lanes;
    return (edge(a, mm) - r + lanes) % lanes;
  }

  /** The two item blocks of lane `lane` in stratum s (an edge of its matching: two distinct blocks). */
  void blocks(int lane, int s, int& a, int& b) const {
    const int mm = s / lanes;
    const int k = (lane + s % lanes) % lanes;
    if (k == 0) {
      a = m;
      b = mm;
    } else {
      a = (mm + k) % m;
      b = (mm - k + m) % m;
    }
  }
};

namespace lane_detail {

/** One lane's progress (strata finished), on its own cache line. */
struct alignas(64) LaneStage {
  std::atomic<int32_t> done{0};
};

/**
 * The batch-local state of a lanes run, kept on the calling thread between calls: the items
 * bucketed by task q = s·L + l (a stable counting sort), and each lane's progress.
 */
struct LanesState {
  std::vector<int32_t> order;   // the items, in the serial order
  std::vector<int32_t> begin;   // where task q starts in `order` (tasks + 1)
  std::vector<int32_t> next;    // the scatter's next slot per task
  std::vector<uint16_t> task;   // each item's task (fewer than 2¹⁶: kMaxLanes)
  std::unique_ptr<LaneStage[]> stages;
  int stage_count = 0;
  std::vector<uint32_t> pairs;  // LaneStrata::pair_table() for pairs_lanes
  int pairs_lanes = 0;

  void reset(int64_t n, int lanes) {
    order.resize(size_t(n));
    task.resize(size_t(n));
    if (stage_count < lanes) {
      stages.reset(new LaneStage[size_t(lanes)]);
      stage_count = lanes;
    }
    for (int l = 0; l < lanes; ++l) stages[l].done.store(0, std::memory_order_relaxed);
  }

  /** Buckets the n items by task_of(t), stably (batch order within a task). */
  template <typename TaskOf>
  void sort(int64_t n, int tasks, TaskOf&& task_of) {
    begin.assign(size_t(tasks) + 1, 0);
    for (int64_t t = 0; t < n; ++t) {
      const uint32_t q = task_of(t);
      task[size_t(t)] = uint16_t(q);
      ++begin[size_t(q) + 1];
    }
    for (int q = 0; q < tasks; ++q) begin[size_t(q) + 1] += begin[size_t(q)];
    next.assign(begin.begin(), begin.end() - 1);
    for (int64_t t = 0; t < n; ++t) order[size_t(next[task[size_t(t)]]++)] = int32_t(t);
  }
};

}  // namespace lane_detail

/**
 * Runs body(order, slot, count, tid) over a batch of n triples in the lanes schedule (see the
 * header): `order` points at `count` item indices of one lane of one stratum, in batch order,
 * the first at position `slot` of the whole serial order (so that a task's per-item outputs can
 * go to slots [slot, slot + count), lines no other task writes, and be put back in batch order
 * afterwards through the returned order);
 * blocks_of(t, l, a, b) sets triple t's user block l and item blocks a, b. The pool's threads
 * (the caller and whichever workers are awake) first bucket the items by task (stratum s, lane
 * l), numbered q = s·L + l — chunks of items counted, then placed — and then claim the tasks
 * in order from a shared counter; task (s, l) first waits until the lanes that held its two
 * item blocks in stratum s − 1 have finished it (their own waits chain back to every earlier
 * stratum), and its own lane's task s − 1 (claimed earlier, so no deadlock). L ≥ 2 (L = 1 is
 * batch order, the caller's own schedule). Serial — every task in order on the caller — on
 * one thread, when `serial`, or
 * when `choice` (row_order.h's OrderedChoice: the same bits either way) timed the caller alone
 * faster.
 */
template <typename BlocksOf, typename Body>
const int32_t* run_in_lanes(int64_t n, int lanes, bool serial, int64_t min_parallel, OrderedChoice& choice, BlocksOf&& blocks_of, Body&& body) {
  using namespace lane_detail;
  ThreadPool& pool = ThreadPool::instance();
  const LaneStrata strata(lanes);
  const int tasks = strata.strata() * lanes;
  // The workers see the caller's state through a reference (a thread_local named in the lambda would be theirs).
  thread_local LanesState state_tl;
  LanesState& state = state_tl;
  if (state.pairs_lanes != lanes) {
    state.pairs = strata.pair_table();
    state.pairs_lanes = lanes;
  }
  state.reset(n, lanes);
  const uint32_t* const pairs = state.pairs.data();
  const int blocks = 2 * lanes;
  const auto task_of = [&](int64_t t) {
    int l, a, b;
    blocks_of(t, l, a, b);
    const uint32_t p = pairs[a * blocks + b];
    int r = int(p & 0xFFFF) - l;
    if (r < 0) r += lanes;
    return uint32_t((int(p >> 16) + r) * lanes + l);
  };
  const auto run_task = [&](int q, int tid) {
    const int32_t lo = state.begin[size_t(q)], hi = state.begin[size_t(q) + 1];
    if (hi > lo) body(state.order.data() + lo, int64_t(lo), int64_t(hi - lo), tid);
  };
  const auto run_serial = [&] {
    state.sort(n, tasks, task_of);
    for (int q = 0; q < tasks; ++q) run_task(q, 0);
  };
  if (serial || pool.size() == 1 || n < min_parallel) {
    run_serial();
    return state.order.data();
  }
  // On the pool or on the caller alone: the same bits, timed as row_order.h's ordered runs are.
  const bool on_pool = choice.pool();
  const auto start = std::chrono::steady_clock::now();
  const auto record = [&] { choice.record(on_pool, std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / double(n)); };
  if (!on_pool) {
    run_serial();
    record();
    return state.order.data();
  }
  LaneStage* const stages = state.stages.get();
  // The caller buckets the batch while the workers wake (split between the threads it ran
  // slower on the 2-vCPU VM: the counts and the order's lines passed between the cores); then
  // the tasks are claimed in order by whoever is there.
  std::atomic<bool> sorted{false};
  std::atomic<int> next_task{0};
  pool.run_with_helpers([&](int tid, int) {
    using row_order_detail::spin_until;
    if (tid == 0) {
      state.sort(n, tasks, task_of);
      sorted.store(true, std::memory_order_release);
    }
    spin_until([&] { return sorted.load(std::memory_order_acquire); });
    for (int q; (q = next_task.fetch_add(1, std::memory_order_relaxed)) < tasks;) {
      const int s = q / lanes, l = q % lanes;
      if (s > 0) {
        int a, b;
        strata.blocks(l, s, a, b);
        const int ha = strata.holder(a, s - 1), hb = strata.holder(b, s - 1);
        spin_until([&] {
          return stages[l].done.load(std::memory_order_acquire) >= s && stages[ha].done.load(std::memory_order_acquire) >= s &&
                 stages[hb].done.load(std::memory_order_acquire) >= s;
        });
      }
      run_task(q, tid);
      stages[l].done.store(s + 1, std::memory_order_release);
    }
  });
  record();
  return state.order.data();
}

}  // namespace rec
