//! requires common/logistic.wgsl
// sgd/skipgram_step.wgsl — entry point `skipgram_step`: one fused skip-gram-with-negative-
// sampling SGD pass (Mikolov et al. 2013b, §2.2) over a batch of (context, target) pairs, in
// place, with MRLR's two-row context (Sun et al., §3.2 Eq. 5, §3.5 Eq. 9) and optional category
// term on the output rows (§3.4 Eq. 7: an item has several categories).
//
// Equation, for each example e in batch order:
//   c = α1·a_{ctxA[e]} + α2·b_{ctxB[e]}                       (read once)
//   for j in [target_e, neg_e1 … neg_eN], y = 1 for the target, 0 otherwise:
//     C_j = indices[indptr[j] … indptr[j+1])  (empty without HAS_EXTRA),  m_j = β / |C_j|
//     t_j = w_j + m_j·Σ_{l∈C_j} x_l   (t_j = w_j when C_j is empty)
//     s = c·t_j,  g = y − σ(s);  ĉ += g·t_j
//     w_j ← w_j + lr·(g·c − λ·w_j);  for l in C_j, in list order: x_l ← x_l + lr·(g·m_j·c − λ·x_l)
//     loss += softplus(−s) for the target, softplus(s) for a negative (s before the update)
//   a ← a + lr·(α1·ĉ − λ·a),  b ← b + lr·(α2·ĉ − λ·b);  returns loss / batch.
//   With α2 = 0 and λ = 0, b is neither read nor written (c = α1·a), as the reference.
// Parts (with HAS_EXTRA, the attribute `parts`, 1 … 64; @rec/core's kernels/sgd/ is the
//   contract): example e belongs to part p(e) = ⌊e / 64⌋ mod parts, and every category read
//   (Σ x_l in t_j) and write (x_l's update) of e goes to that part's own copy S_p of X; A, B and
//   W stay shared. Why: natively the few hot category rows chain almost every example to the
//   one before, so a deterministic schedule on several threads runs no faster than one; with
//   per-part copies the parts only wait for each other on A, B and W, and the result still
//   depends only on inputs + attributes. Here the walk stays serial (one workgroup, below) and
//   computes the same function: with parts ≥ 2 the host binds at `X` a scratch S f32
//   [parts, Rx, d], each slice a GPU copy of X (O(parts·Rx·d) per call, plus the merge), and
//   `merge_parts` (sgd/merge_parts.wgsl) folds it back into X after this entry point; with
//   parts = 1 (the default, and whenever `hogwild` is true, as the spec says) it binds X
//   itself: slice 0 = X, in place, no copy — the kernel as before. The scratch takes X's
//   binding, so the binding count does not change.
// Layouts and dtypes: A f32 [Ra, d], B f32 [Rb, d], W f32 [Ro, d], X f32 [Rx, d] in place (or S, above);
//   examples i32 = ctxA [b] ‖ ctxB [b] ‖ targets [b] ‖ negatives [b, N], then with HAS_EXTRA
//   indptr [Ro + 1] ‖ indices [nnz] (the output rows' categories in CSR form) — one binding,
//   packed by GPU copies, to stay within 8 storage buffers. The price: with HAS_EXTRA each call
//   copies the whole CSR map (O(Ro + nnz), a memcpy beside this kernel's serial walk); binding
//   indptr and indices directly would take 9 storage buffers, on the no-extra pipeline too (a
//   binding counts when the entry point names it, whatever HAS_EXTRA folds away).
//   loss f32 [1]; status u32 [1] (bits, below). Without HAS_EXTRA, X is a 4-byte placeholder.
// Threading — the choice: ONE workgroup of 64 invocations walks the examples and their output
//   rows in the reference's order, so a row repeated within a batch (a negative drawn twice, a
//   target that is another example's negative, a category shared by several items or listed
//   twice for one) sees every earlier update exactly as in the reference — the single-thread
//   semantics, not Hogwild. Invocation l owns columns l, l + 64, … of every row: c, ĉ and t
//   live in its registers per column, it reads and writes only its own columns, so no barrier
//   is needed between updates except around the dot product's tree reduction in workgroup
//   memory. One GPU core: exact in order, not fast (as bpr_step.wgsl); a fast version would
//   schedule conflict-free examples in parallel or accept Hogwild with a documented tolerance.
// Variants: HAS_EXTRA (pipeline-override constant; false folds the category code away).
// Numerics: f32 throughout (the reference keeps c, ĉ, t and s in f64), Σ x_l in list order, then
//   scaled by m_j, then added to w_j, as the reference; dot products summed in a tree, loss
//   summed in f32 by invocation 0; stable σ and softplus (common/logistic.wgsl). Parity
//   tolerance 1e-5 absolute + relative over several batches.
// Limits: d ≤ 64·16 = 1024 (per-invocation column registers; the host checks).
// Bad input: every id, and with HAS_EXTRA the CSR map's ends and the category rows of every
//   output row the batch reaches, is checked before any write, as the reference; a failure
//   sets its status bit (0: an id out of range; 1: indptr does not run from 0 to nnz; 2: a
//   touched row's indptr range is not inside indices; 3: a category row out of range), the
//   host raises it at the next read, and nothing is updated.

override HAS_EXTRA: bool = false;

struct Params {
  batch: u32,
  d: u32,
  negatives: u32,
  rows_a: u32,
  rows_b: u32,
  rows_out: u32,
  rows_extra: u32,
  // Length of the category list (extraIndices); 0 without HAS_EXTRA.
  nnz: u32,
  alpha1: f32,
  alpha2: f32,
  beta: f32,
  lr: f32,
  reg: f32,
  // The slices of the binding `X` (1: X itself, and without HAS_EXTRA).
  parts: u32,
  _pad2: u32,
  _pad3: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> A: array<f32>;
@group(0) @binding(2) var<storage, read_write> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> W: array<f32>;
// The category table X [Rx, d], or with parts ≥ 2 the scratch of its per-part copies [parts, Rx, d].
@group(0) @binding(4) var<storage, read_write> X: array<f32>;
@group(0) @binding(5) var<storage, read> examples: array<i32>;
@group(0) @binding(6) var<storage, read_write> loss: array<f32>;
@group(0) @binding(7) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 64u;
// Examples per chunk of a part (the spec's PART_CHUNK).
const PART_CHUNK: u32 = 64u;
// Columns per invocation: d ≤ WORKGROUP·COLS.
const COLS: u32 = 16u;
const BAD_ID: u32 = 1u;
const BAD_INDPTR_ENDS: u32 = 2u;
const BAD_ROW_RANGE: u32 = 4u;
const BAD_EXTRA_ROW: u32 = 8u;

var<workgroup> partial: array<f32, WORKGROUP>;
var<workgroup> bad: u32;

fn in_range(v: i32, rows: u32) -> bool {
  return v >= 0 && u32(v) < rows;
}

// The output row of slot j of example e (j = 0: the target, then the negatives).
fn output_row(e: u32, j: u32) -> u32 {
  let b = params.batch;
  if (j == 0u) {
    return u32(examples[2u * b + e]);
  }
  return u32(examples[3u * b + e * params.negatives + j - 1u]);
}

// Where indptr starts in `examples`; indices follow it (Ro + 1 entries later).
fn indptr_base() -> u32 {
  return params.batch * (3u + params.negatives);
}

// Σ over the workgroup of each invocation's `mine`; every invocation gets the sum.
fn workgroup_sum(lid: u32, mine: f32) -> f32 {
  partial[lid] = mine;
  workgroupBarrier();
  for (var stride = WORKGROUP / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  // Everyone has read partial[0] before the next sum overwrites it.
  workgroupBarrier();
  return total;
}

// The status bits of output row `row`'s category list (0 when it is a valid range of valid rows).
fn check_categories(row: u32) -> u32 {
  let p = indptr_base();
  let lo = examples[p + row];
  let hi = examples[p + row + 1u];
  if (!(lo <= hi && lo >= 0 && u32(hi) <= params.nnz)) {
    return BAD_ROW_RANGE;
  }
  let base = p + params.rows_out + 1u;
  for (var k = u32(lo); k < u32(hi); k++) {
    if (!in_range(examples[base + k], params.rows_extra)) {
      return BAD_EXTRA_ROW;
    }
  }
  return 0u;
}

@compute @workgroup_size(WORKGROUP)
fn skipgram_step(@builtin(local_invocation_index) lid: u32) {
  let b = params.batch;
  let d = params.d;
  let N = params.negatives;
  if (lid == 0u) {
    bad = 0u;
  }
  workgroupBarrier();
  // Check every id (and every category row the batch reaches) before any write.
  var mine = 0u;
  if (HAS_EXTRA && lid == 0u) {
    let p = indptr_base();
    if (examples[p] != 0 || examples[p + params.rows_out] != i32(params.nnz)) {
      mine = BAD_INDPTR_ENDS;
    }
  }
  for (var i = lid; i < b * (3u + N); i += WORKGROUP) {
    var rows = params.rows_out;
    if (i < b) {
      rows = params.rows_a;
    } else if (i < 2u * b) {
      rows = params.rows_b;
    }
    let v = examples[i];
    if (!in_range(v, rows)) {
      mine |= BAD_ID;
    } else if (HAS_EXTRA && i >= 2u * b) {
      mine |= check_categories(u32(v));
    }
  }
  if (mine != 0u) {
    bad = 1u;
    atomicOr(&status, mine);
  }
  if (workgroupUniformLoad(&bad) != 0u) {
    return;
  }
  let alpha1 = params.alpha1;
  let alpha2 = params.alpha2;
  let beta = params.beta;
  let lr = params.lr;
  let reg = params.reg;
  let ptr = indptr_base();
  let cats = ptr + params.rows_out + 1u;
  let use_b = alpha2 != 0.0 || reg != 0.0;
  var total = 0.0;
  var c: array<f32, COLS>;
  var grad: array<f32, COLS>;
  var t: array<f32, COLS>;
  for (var e = 0u; e < b; e++) {
    let ao = u32(examples[e]) * d;
    let bo = u32(examples[b + e]) * d;
    // Where example e's category rows start in the binding `X`: its part's slice.
    let xb = ((e / PART_CHUNK) % params.parts) * params.rows_extra * d;
    for (var q = 0u; q < COLS; q++) {
      let k = lid + q * WORKGROUP;
      if (k < d) {
        c[q] = alpha1 * A[ao + k];
        if (use_b) {
          c[q] += alpha2 * B[bo + k];
        }
      }
      grad[q] = 0.0;
    }
    for (var j = 0u; j <= N; j++) {
      let row = output_row(e, j);
      let wo = row * d;
      // The row's category list [lo, hi) of indices (empty without HAS_EXTRA).
      var lo = 0u;
      var hi = 0u;
      if (HAS_EXTRA) {
        lo = u32(examples[ptr + row]);
        hi = u32(examples[ptr + row + 1u]);
      }
      let m = select(0.0, beta / f32(hi - lo), hi > lo);
      var dot = 0.0;
      for (var q = 0u; q < COLS; q++) {
        let k = lid + q * WORKGROUP;
        if (k < d) {
          var tk = W[wo + k];
          if (hi > lo) {
            var sx = 0.0;
            for (var l = lo; l < hi; l++) {
              sx += X[xb + u32(examples[cats + l]) * d + k];
            }
            tk += m * sx;
          }
          t[q] = tk;
          dot += c[q] * tk;
        }
      }
      let s = workgroup_sum(lid, dot);
      let y = select(0.0, 1.0, j == 0u);
      let g = y - sigmoid(s);
      if (lid == 0u) {
        total += select(softplus(s), softplus(-s), j == 0u);
      }
      for (var q = 0u; q < COLS; q++) {
        let k = lid + q * WORKGROUP;
        if (k < d) {
          grad[q] += g * t[q];
          let w = W[wo + k];
          W[wo + k] = w + lr * (g * c[q] - reg * w);
        }
      }
      // In list order: a category listed twice for this row gets both updates, the second
      // reading the first's result, as in the reference.
      for (var l = lo; l < hi; l++) {
        let xo = xb + u32(examples[cats + l]) * d;
        for (var q = 0u; q < COLS; q++) {
          let k = lid + q * WORKGROUP;
          if (k < d) {
            let x = X[xo + k];
            X[xo + k] = x + lr * (g * m * c[q] - reg * x);
          }
        }
      }
    }
    for (var q = 0u; q < COLS; q++) {
      let k = lid + q * WORKGROUP;
      if (k < d) {
        let a = A[ao + k];
        A[ao + k] = a + lr * (alpha1 * grad[q] - reg * a);
        if (use_b) {
          let bv = B[bo + k];
          B[bo + k] = bv + lr * (alpha2 * grad[q] - reg * bv);
        }
      }
    }
  }
  if (lid == 0u) {
    loss[0] = select(0.0, total / f32(b), b > 0u);
  }
}
