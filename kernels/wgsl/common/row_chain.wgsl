// common/row_chain.wgsl — no entry point: the read side of common/merge_rows.wgsl, shared by
// the row-sparse optimizers (`sparse_sgd`, `sparse_adagrad`, `sparse_adam`).
//
// Equation: for a first entry j of a row (links[j] has FIRST set), the row's merged gradient
//   at column col is Σ values[q·width + col] over the chain q = j → next(j) → … in entry
//   order — the same additions, in the same order, as @rec/core's merge of duplicate rows.
// Layouts: the including shader declares `values: array<f32>` ([n, width]) and
//   `links: array<u32>` ([n], written by merge_rows) at module scope.
// Numerics: f32 sums in entry order; deterministic, no atomics.

const FIRST: u32 = 0x80000000u;

/// True when entry j is the first of its row, so its invocation owns the row's update.
fn is_first_entry(j: u32) -> bool {
  return (links[j] & FIRST) != 0u;
}

/// The merged gradient of the row whose first entry is j, at column col.
fn chain_gradient(j: u32, col: u32, width: u32, n: u32) -> f32 {
  var g = 0.0;
  var q = j;
  loop {
    g += values[q * width + col];
    let next = links[q] & ~FIRST;
    if (next >= n) {
      break;
    }
    q = next;
  }
  return g;
}
