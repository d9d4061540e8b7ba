// Per-part copies of a category (extra) table: the `parts` attribute of bpr_step,
// skipgram_step and skipgram_sample_step. Contract and js twin:
// packages/core/src/kernels/sgd/category_parts.ts.
//
// Why: every item reads and writes its categories' rows (MRLR §3.4 Eq. 7), and the few hot
// category rows chain almost every item to the one before it, so a schedule that keeps every
// row's updates in batch order (row_order.h's run_in_row_order) runs the items nearly one
// after another. With `parts` = P ≥ 2, item t belongs to part p(t) = ⌊t / 64⌋ mod P and reads
// and writes S_p, its part's own copy of the table X as at the call's start; the user, item,
// context and output rows stay shared (batch order per row). A part's copy is touched by one
// thread, in batch order (row_order.h's run_in_part_order), so the parts run in parallel and
// the result depends on P only, never on the thread count or on timing.
//
// Merge, for each row r some part wrote (W_r; every item that reads a category row also
// writes it, so W_r is the set of parts that touch r), q = min W_r, and each column c:
//   acc = S_q[r][c];
//   for p ∈ W_r, p > q, ascending:  acc = f32(acc + f32(S_p[r][c] − X[r][c]));
//   X[r][c] = acc
// (adds and subtractions only: no contraction can change a bit). A row one part alone
// touches is that part's copy exactly.
//
// Implementation: the same values with as few bytes moved between cores as possible — the
// copies and the merge are pure overhead over the in-place kernel, and a category line one core
// wrote costs another core a transfer (about 250 ns each way between this VM's two vCPUs).
// In the three phases of run_in_part_order:
// 1. plan_list(p, …), by whichever thread takes part p (its own thread first): a bit per row the
//    part's items touch.
// 2. PartRows, on part p's thread, at p's first write of row r (every plan is complete and
//    read-only after phase 1's barrier):
//    - r only p touches: S_p is X itself, in place (no other part reads r); nothing to merge.
//    - r several parts touch: each of them copies r as it first updates it (x_l ← decay·x_l +
//      s·v reads X[l] and stores the copy: no separate copy pass); X[r] is read by all and
//      written by none until phase 3.
// 3. merge(p), on part p's thread: the rows several parts touch, each merged by one of them
//    (row r by the (r mod |W_r|)-th part of W_r, so the parts share the work).
// A part's copies are packed in an arena in the order of its first writes (few cache lines,
// reused every call), with a row → arena row map. Arenas, maps and per-row states are kept
// between calls (states are stamped, never cleared: eight values per call); the touched bits
// (Rx / 8 bytes per part) are cleared by each part's plan. When X shares memory with a table the
// items write (views of one buffer), `begin(…, eager)` copies all of X for every part up front,
// as the reference's copy at the call's start does, and every touched row is merged in phase 3.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "exact_f32.h"  // load8/store8, and the FMA-contraction pragma for the arithmetic below
#include "prefetch.h"
#include "row_order.h"  // kMaxParts, part_of

namespace rec {

/** The category table itself, in place (parts = 1): exact_f32.h's extra_vector and extra_updates on X. */
struct SharedRows {
  float* X;

  float vector(float* t, const float* w, const int32_t* indices, int32_t lo, int32_t hi, double beta, int64_t d) const {
    return extra_vector(t, w, X, indices, lo, hi, beta, d);
  }
  void update(const int32_t* indices, int32_t lo, int32_t hi, const float* p, float s, float decay, int64_t d) const {
    extra_updates(X, indices, lo, hi, p, s, decay, d);
  }
};

/**
 * One part's state for a call: its plan (`touched`) is written in phase 1 by the thread
 * that takes the part and read by every part after it; the rest only by the part's own thread.
 */
struct alignas(64) PartState {
  std::unique_ptr<float[]> arena;  // its copies, in the order of its first writes
  int64_t capacity = 0;            // floats
  int32_t used = 0;                // arena rows used in this call
  std::vector<uint64_t> touched;   // bit r: the part touches row r in this call (phase 1; 1 bit a row, so another part reads few lines)
  std::vector<uint32_t> state;     // stamp + a PartRows state (phase 2)
  std::vector<int32_t> slot;       // row → arena row (valid once copied)
  std::vector<int32_t> shared;     // the rows it wrote that other parts touch too
};

/**
 * Part p's category rows during phase 2 (see the header): one thread at a time (the part's).
 * vector() and update() are exact_f32.h's extra_vector and extra_updates, the same operations
 * in the same order, on rows resolved per row: X (in place, or not yet written) or p's copy.
 */
class PartRows {
 public:
  /** Offsets from the call's stamp in PartState::state; below the stamp: not yet written. */
  enum : uint32_t { kInPlace = 1, kCopied = 2 };

  PartRows(int p, PartState* all, int parts, float* X, bool eager, uint32_t stamp, int64_t d)
      : p_(p), me_(all[p]), all_(all), parts_(parts), X_(X), eager_(eager), stamp_(stamp), d_(d) {}

  /** t = w + m·Σ_{l} x_l over this part's rows (extra_vector's arithmetic); returns m. */
  float vector(float* t, const float* w, const int32_t* indices, int32_t lo, int32_t hi, double beta, int64_t d) const {
    return extra_vector_of(t, w, [&](int32_t k) { return row(indices[k]); }, lo, hi, beta, d);
  }

  /** x_l ← decay·x_l + s·p over this part's rows, in list order (extra_updates' arithmetic); a row's first write is its copy. */
  void update(const int32_t* indices, int32_t lo, int32_t hi, const float* p, float s, float decay, int64_t d) const {
    for (int32_t k = lo; k < hi; ++k) {
      const int32_t r = indices[k];
      uint32_t& state = me_.state[size_t(r)];
      float* const in_x = X_ + int64_t(r) * d_;
      if (state > stamp_) {  // written before: in place or in the copy
        float* const x = state == stamp_ + kInPlace ? in_x : copy(r);
        decayed_add(x, x, p, s, decay, d);
      } else if (!eager_ && touched_by_me_only(r)) {
        state = stamp_ + kInPlace;
        decayed_add(in_x, in_x, p, s, decay, d);
      } else {  // first write of a shared row: the update reads X and stores the copy
        if (!eager_) me_.slot[size_t(r)] = me_.used++;  // eager: the arena is all of X, slot r
        state = stamp_ + kCopied;
        me_.shared.push_back(r);
        float* const x = copy(r);
        decayed_add(x, eager_ ? x : in_x, p, s, decay, d);
      }
    }
  }

  /**
   * Prefetches the rows indices[lo … hi) where this part will read them: its copy once written,
   * else X's row — for reading (a prefetch for writing would pull the line away from the other
   * parts' cores; a row only this part touches is upgraded when it is written).
   */
  void prefetch(const int32_t* indices, int32_t lo, int32_t hi) const {
    for (int32_t k = lo; k < hi; ++k) {
      const int32_t r = indices[k];
      const float* x = row(r);
      for (int64_t c = 0; c < d_; c += 16) prefetch_read(x + c);
    }
  }

 private:
  float* copy(int32_t r) const { return me_.arena.get() + int64_t(me_.slot[size_t(r)]) * d_; }

  /** Where this part reads row r now. */
  const float* row(int32_t r) const {
    const uint32_t state = me_.state[size_t(r)];
    if (state > stamp_ && state != stamp_ + kInPlace) return copy(r);
    return eager_ ? copy(r) : X_ + int64_t(r) * d_;
  }

  /** Whether no other part's items touch row r (their plans are complete and read-only in phase 2). */
  bool touched_by_me_only(int32_t r) const {
    for (int q = 0; q < parts_; ++q) {
      if (q != p_ && (all_[q].touched[size_t(r) >> 6] >> (r & 63) & 1)) return false;
    }
    return true;
  }

  const int p_;
  PartState& me_;
  const PartState* all_;
  const int parts_;
  float* const X_;
  const bool eager_;
  const uint32_t stamp_;
  const int64_t d_;
};

/** The per-part copies of one call's category table (see the header); one per calling thread, reused. */
class CategoryParts {
 public:
  /** The calling thread's instance (calls come from the JS thread one at a time; a worker JS thread gets its own). */
  static CategoryParts& for_this_thread() {
    thread_local CategoryParts instance;
    return instance;
  }

  /**
   * Starts a call on X [rows·d] with `parts` ≥ 2 copies (on the caller, before the run); `eager`
   * copies all of X for every part now (X shares memory with a table the items write).
   */
  void begin(float* X, int64_t rows, int64_t d, int parts, bool eager) {
    X_ = X;
    rows_ = rows;
    d_ = d;
    parts_ = parts;
    eager_ = eager;
    if (stamp_ >= UINT32_MAX - 16) {
      for (PartState& p : part_) std::fill(p.state.begin(), p.state.end(), 0u);
      stamp_ = 0;
    }
    stamp_ += 8;  // state: stamp_ + PartRows' offsets; older: untouched
    if (int(part_.size()) < parts) part_.resize(size_t(parts));
    for (int p = 0; p < parts; ++p) {
      PartState& part = part_[size_t(p)];
      // Uninitialised: arena rows a part never reaches are never faulted in.
      if (part.capacity < rows * d) {
        part.arena.reset(new float[size_t(rows * d)]);
        part.capacity = rows * d;
      }
      if (int64_t(part.state.size()) < rows) {
        part.touched.resize(size_t((rows + 63) / 64));
        part.state.resize(size_t(rows), 0u);
        part.slot.resize(size_t(rows));
      }
      part.used = 0;
      part.shared.clear();
      if (eager && rows > 0) {
        std::memcpy(part.arena.get(), X, size_t(rows * d) * sizeof(float));
        for (int64_t r = 0; r < rows; ++r) part.slot[size_t(r)] = int32_t(r);
      }
    }
  }

  /** Phase 1, before part p's plan_list() calls (by the thread that takes p): no row touched yet. */
  void begin_plan(int p) {
    PartState& part = part_[size_t(p)];
    std::fill(part.touched.begin(), part.touched.begin() + (rows_ + 63) / 64, uint64_t(0));
  }

  /**
   * Phase 1, for part p's items: an item touches output row `row`'s category rows,
   * indices[indptr[row] … indptr[row + 1]). Returns false, planning nothing from it, when that
   * list is not a range of indices' nnz entries or names a row outside X's (the kernel then
   * reruns its serial check for the message).
   */
  bool plan_list(int p, const int32_t* indptr, const int32_t* indices, int32_t row, int64_t nnz) {
    const int32_t lo = indptr[row], hi = indptr[row + 1];
    if (!(lo <= hi && lo >= 0 && hi <= nnz)) return false;
    for (int32_t k = lo; k < hi; ++k) {
      if (indices[k] < 0 || indices[k] >= rows_) return false;
    }
    PartState& part = part_[size_t(p)];
    for (int32_t k = lo; k < hi; ++k) {
      const int32_t r = indices[k];
      part.touched[size_t(r) >> 6] |= uint64_t(1) << (r & 63);
    }
    return true;
  }

  /** Phase 2: part p's rows for its items (on its thread). */
  PartRows rows(int p) { return PartRows(p, part_.data(), parts_, X_, eager_, stamp_, d_); }

  /** Phase 3, on part p's thread after every part's phase 2: merges the shared rows that fall to p. */
  void merge(int p) {
    for (const int32_t r : part_[size_t(p)].shared) {
      int writers[kMaxParts];
      int count = 0;
      for (int q = 0; q < parts_; ++q) {
        if (part_[size_t(q)].touched[size_t(r) >> 6] >> (r & 63) & 1) writers[count++] = q;
      }
      if (writers[r % count] == p) merge_row(r, writers, count);
    }
  }

 private:
  const float* copy_of(int q, int32_t r) const { return part_[size_t(q)].arena.get() + int64_t(part_[size_t(q)].slot[size_t(r)]) * d_; }

  /** The header's merge of row r, written by the parts writers[0 … count) (ascending). */
  void merge_row(int32_t r, const int* writers, int count) const {
    const int64_t d = d_, d8 = d & ~int64_t(7);
    float* x = X_ + int64_t(r) * d;
    const float* first = copy_of(writers[0], r);
    const float* deltas[kMaxParts];
    int n = 0;
    for (int i = 1; i < count; ++i) deltas[n++] = copy_of(writers[i], r);
    // Eight columns at a time (fixed-length vectors: a variable-length copy became `rep movs`),
    // each column's deltas all taken against X[r] as at the call's start, before its store.
    int64_t c = 0;
    for (; c < d8; c += 8) {
      f32x8 acc = load8(first + c);
      const f32x8 x0 = load8(x + c);
      for (int q = 0; q < n; ++q) acc = acc + (load8(deltas[q] + c) - x0);
      store8(x + c, acc);
    }
    for (; c < d; ++c) {
      float acc = first[c];
      for (int q = 0; q < n; ++q) acc = acc + (deltas[q][c] - x[c]);
      x[c] = acc;
    }
  }

  float* X_ = nullptr;
  int64_t rows_ = 0, d_ = 0;
  int parts_ = 1;
  bool eager_ = false;
  uint32_t stamp_ = 0;
  std::vector<PartState> part_;
};

}  // namespace rec
