// Shared step of the row-sparse optimizer kernels (sparse_sgd, sparse_adagrad,
// sparse_adam): merge duplicate row indices of one row-sparse gradient before
// any row is updated, exactly as packages/core/src/kernels/optim/merge-rows.ts:
//
//   for each distinct r in indices:  ĝ_r = Σ_{j : indices[j] = r} values[j]
//
// Distinct rows come out in order of first appearance; each row keeps a chain
// of its entries in entry order, and the sum is taken in f64 in that order and
// rounded once to f32 (the reference keeps it in f64: ĝ agrees to half an f32
// ulp, far inside the optimizers' parity tolerance of 1e-7 + 1e-6·|ref|). After the merge the touched rows are
// disjoint, so `for_each_merged_row` updates them in parallel without atomics.
// Every index is checked before anything is written.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include "../common/checks.h"
#include "../common/prefetch.h"
#include "../common/thread_pool.h"

namespace rec {

struct MergedRows {
  std::vector<int32_t> rows;   // distinct rows, first-appearance order
  std::vector<int32_t> head;   // first entry of each distinct row
  std::vector<int32_t> next;   // next entry of the same row, or -1
};

/** Builds the merge of `indices` (each checked to lie in [0, row_count)). */
inline void merge_duplicate_rows(const Napi::Env& env, const char* kernel, Span<int32_t> indices, int64_t row_count, MergedRows& m) {
  check_ids(env, indices, row_count, kernel, "row index");
  const size_t n = indices.size;
  size_t cap = 16;
  while (cap < 2 * n) cap <<= 1;
  // Open addressing: slot → distinct-row number, -1 when empty. The loop works on raw
  // pointers into storage sized up front: with push_back inside it, and `m` a thread_local of
  // the calling kernel, GCC recomputed the thread-local address (a __tls_get_addr call) on
  // every index — most of the merge's 15 µs per 1,024 rows (2026-12-07).
  static thread_local std::vector<int32_t> table_tl;
  static thread_local std::vector<int32_t> tail_tl;
  std::vector<int32_t>& table = table_tl;
  std::vector<int32_t>& tail_v = tail_tl;
  table.assign(cap, -1);
  tail_v.resize(n);
  m.rows.resize(n);
  m.head.resize(n);
  m.next.assign(n, -1);
  int32_t* __restrict slots = table.data();
  int32_t* __restrict tail = tail_v.data();
  int32_t* __restrict rows = m.rows.data();
  int32_t* __restrict head = m.head.data();
  int32_t* __restrict next = m.next.data();
  const int32_t* ids = indices.data;
  const size_t mask = cap - 1;
  int32_t distinct = 0;
  for (size_t j = 0; j < n; ++j) {
    const int32_t r = ids[j];
    size_t h = (uint32_t(r) * 0x9E3779B1u) & mask;
    for (;;) {
      const int32_t k = slots[h];
      if (k < 0) {
        slots[h] = distinct;
        rows[distinct] = r;
        head[distinct] = int32_t(j);
        tail[distinct] = int32_t(j);
        ++distinct;
        break;
      }
      if (rows[k] == r) {
        next[tail[k]] = int32_t(j);
        tail[k] = int32_t(j);
        break;
      }
      h = (h + 1) & mask;
    }
  }
  m.rows.resize(size_t(distinct));
  m.head.resize(size_t(distinct));
}

/** Rows per chunk claimed by a thread (parallel_chunks). */
constexpr int64_t kRowChunk = 128;
/** Row k + kRowAhead's cache lines are prefetched (for writing) while row k is updated. */
constexpr int64_t kRowAhead = 8;

/** prefetchw of every cache line of row `row` of each table. */
inline void prefetch_rows(std::initializer_list<float*> tables, int32_t row, int64_t width) {
  for (float* t : tables) prefetch_row(t + int64_t(row) * width, width);
}

/**
 * Calls update(row, g) for each distinct row, g being its merged gradient of
 * `width` elements: `const G*` for a repeated row, whose entries are summed in
 * f64 in entry order (the reference's sum; with G = double passed as is, bit-equal
 * to the reference, with G = float rounded once, within half an f32 ulp of it),
 * and `const float*` straight from `values`, no copy, for a row listed once — the
 * common case: 1,024 random rows of 1,000,000 repeat about once per batch. So
 * `update` takes either pointer type (a generic lambda).
 *
 * Rows are claimed in chunks of kRowChunk by the caller and whichever pool
 * workers are awake (parallel_chunks; the rows are disjoint, so the split does
 * not change the result). They are random in a large table, so each thread
 * prefetches row k + kRowAhead of every table (prefetchw, as bpr_step) while it
 * updates row k: DRAM and page-walk latency overlap row to row. (2026-12-07, one
 * process alternating both on the same batches: 15–25 % faster than touching the
 * next 16-row group with demand loads, which blocked retirement, for all three
 * optimizers on 1 and 2 threads; distances 4–16 within noise. The earlier
 * comparison that had chosen the group touch used __builtin_prefetch, for which
 * GCC 12 emitted no instruction in some of these lambdas: row_order.h.)
 */
template <typename G, typename Update>
void for_each_merged_row(const MergedRows& m, Span<float> values, int64_t width, std::initializer_list<float*> tables, Update&& update) {
  parallel_chunks(int64_t(m.rows.size()), kRowChunk, 2 * kRowChunk, [&](int64_t begin, int64_t end, int) {
    static thread_local std::vector<double> sum_tl;
    static thread_local std::vector<G> merged_tl;
    // Resolved once per chunk: in a shared library each thread_local access is a
    // __tls_get_addr call (9 % of sparse_sgd when it ran per row).
    std::vector<double>& sum = sum_tl;
    std::vector<G>& merged = merged_tl;
    for (int64_t k = begin; k < std::min(end, begin + kRowAhead); ++k) prefetch_rows(tables, m.rows[k], width);
    for (int64_t k = begin; k < end; ++k) {
      if (k + kRowAhead < end) prefetch_rows(tables, m.rows[k + kRowAhead], width);
      int32_t j = m.head[k];
      const float* first = values.data + int64_t(j) * width;
      if (m.next[j] < 0) {
        // Widening a single row's f32 values to G changes none of them: update reads them as they are.
        update(int64_t(m.rows[k]), first);
        continue;
      }
      sum.assign(first, first + width);
      for (j = m.next[j]; j >= 0; j = m.next[j]) {
        const float* v = values.data + int64_t(j) * width;
        for (int64_t c = 0; c < width; ++c) sum[c] += double(v[c]);
      }
      merged.assign(sum.begin(), sum.end());
      update(int64_t(m.rows[k]), static_cast<const G*>(merged.data()));
    }
  });
}

/** Checks that a [rows, width] table and an [n, width] gradient agree; returns rows. */
inline int64_t check_sparse_shapes(const Napi::Env& env, const char* kernel, Span<float> param, int64_t width, Span<int32_t> indices, Span<float> values) {
  if (width < 1 || param.size % size_t(width) != 0) {
    fail(env, std::string(kernel) + ": parameter of " + std::to_string(param.size) + " elements is not a whole number of rows of width " + std::to_string(width));
  }
  if (values.size != indices.size * size_t(width)) {
    fail(env, std::string(kernel) + ": " + std::to_string(values.size) + " gradient values for " + std::to_string(indices.size) + " rows of width " +
                  std::to_string(width) + "; expected " + std::to_string(indices.size * size_t(width)));
  }
  return int64_t(param.size) / width;
}

}  // namespace rec
