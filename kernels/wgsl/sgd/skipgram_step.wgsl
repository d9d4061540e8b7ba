//! requires common/logistic.wgsl
// sgd/skipgram_step.wgsl — entry point `skipgram_step`: one fused skip-gram-with-negative-
// sampling SGD pass (Mikolov et al. 2013b, §2.2) over a batch of (context, target) pairs, in
// place, with MRLR's two-row context (Liu et al., §3.2 Eq. 5, §3.5 Eq. 9) and optional category
// term on the output rows (§3.4 Eq. 7).
//
// Equation, for each example e in batch order:
//   c = α1·a_{ctxA[e]} + α2·b_{ctxB[e]}                       (read once)
//   for j in [target_e, neg_e1 … neg_eN], y = 1 for the target, 0 otherwise:
//     t_j = w_j + β·x_{extra[j]}   (the β term when HAS_EXTRA and extra[j] ≥ 0)
//     s = c·t_j,  g = y − σ(s);  ĉ += g·t_j
//     w_j ← w_j + lr·(g·c − λ·w_j);  x_{extra[j]} ← x + lr·(g·β·c − λ·x)
//     loss += softplus(−s) for the target, softplus(s) for a negative (s before the update)
//   a ← a + lr·(α1·ĉ − λ·a),  b ← b + lr·(α2·ĉ − λ·b);  returns loss / batch.
// Layouts and dtypes: A f32 [Ra, d], B f32 [Rb, d], W f32 [Ro, d], X f32 [Rx, d] in place;
//   examples i32 [b·(3 + N)] = ctxA [b] ‖ ctxB [b] ‖ targets [b] ‖ negatives [b, N] (one
//   binding, packed by GPU copies, to stay within 8 storage buffers); extra_of i32 [Ro];
//   loss f32 [1]; status u32 [1]. Without HAS_EXTRA, X and extra_of are 4-byte placeholders.
// Threading — the choice: ONE workgroup of 64 invocations walks the examples and their output
//   rows in the reference's order, so a row repeated within a batch (a negative drawn twice, a
//   target that is another example's negative, a shared category row) sees every earlier
//   update exactly as in the reference — the single-thread semantics, not Hogwild. Invocation
//   l owns columns l, l + 64, … of every row: c, ĉ and t live in its registers per column, it
//   reads and writes only its own columns, so no barrier is needed between updates except
//   around the dot product's tree reduction in workgroup memory. One GPU core: exact in order,
//   not fast (as bpr_step.wgsl); a fast version would schedule conflict-free examples in
//   parallel or accept Hogwild with a documented tolerance.
// Variants: HAS_EXTRA (pipeline-override constant).
// Numerics: f32 throughout (the reference keeps c, ĉ, t and s in f64), dot products summed in a
//   tree, loss summed in f32 by invocation 0; stable σ and softplus (common/logistic.wgsl).
//   Parity tolerance 1e-5 absolute + relative over several batches.
// Limits: d ≤ 64·16 = 1024 (per-invocation column registers; the host checks).
// Bad input: every id (and every extra_of entry the batch reaches) is checked before any
//   write, as the reference; one out of range sets status (raised at the next read) and
//   nothing is updated.

override HAS_EXTRA: bool = false;

struct Params {
  batch: u32,
  d: u32,
  negatives: u32,
  rows_a: u32,
  rows_b: u32,
  rows_out: u32,
  rows_extra: u32,
  _pad0: u32,
  alpha1: f32,
  alpha2: f32,
  beta: f32,
  lr: f32,
  reg: f32,
  _pad1: u32,
  _pad2: u32,
  _pad3: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> A: array<f32>;
@group(0) @binding(2) var<storage, read_write> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> W: array<f32>;
@group(0) @binding(4) var<storage, read_write> X: array<f32>;
@group(0) @binding(5) var<storage, read> examples: array<i32>;
@group(0) @binding(6) var<storage, read> extra_of: array<i32>;
@group(0) @binding(7) var<storage, read_write> loss: array<f32>;
@group(0) @binding(8) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 64u;
// Columns per invocation: d ≤ WORKGROUP·COLS.
const COLS: u32 = 16u;

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

@compute @workgroup_size(WORKGROUP)
fn skipgram_step(@builtin(local_invocation_index) lid: u32) {
  let b = params.batch;
  let d = params.d;
  let N = params.negatives;
  if (lid == 0u) {
    bad = 0u;
  }
  workgroupBarrier();
  // Check every id before any write.
  var mine = 0u;
  for (var i = lid; i < b * (3u + N); i += WORKGROUP) {
    var rows = params.rows_out;
    if (i < b) {
      rows = params.rows_a;
    } else if (i < 2u * b) {
      rows = params.rows_b;
    }
    let v = examples[i];
    if (!in_range(v, rows)) {
      mine = 1u;
    } else if (HAS_EXTRA && i >= 2u * b) {
      let x = extra_of[v];
      if (x < -1 || x >= i32(params.rows_extra)) {
        mine = 1u;
      }
    }
  }
  if (mine != 0u) {
    bad = 1u;
  }
  if (workgroupUniformLoad(&bad) != 0u) {
    if (lid == 0u) {
      atomicMax(&status, 1u);
    }
    return;
  }
  let alpha1 = params.alpha1;
  let alpha2 = params.alpha2;
  let beta = params.beta;
  let lr = params.lr;
  let reg = params.reg;
  var total = 0.0;
  var c: array<f32, COLS>;
  var grad: array<f32, COLS>;
  var t: array<f32, COLS>;
  for (var e = 0u; e < b; e++) {
    let ao = u32(examples[e]) * d;
    let bo = u32(examples[b + e]) * d;
    for (var q = 0u; q < COLS; q++) {
      let k = lid + q * WORKGROUP;
      if (k < d) {
        c[q] = alpha1 * A[ao + k] + alpha2 * B[bo + k];
      }
      grad[q] = 0.0;
    }
    for (var j = 0u; j <= N; j++) {
      let row = output_row(e, j);
      let wo = row * d;
      var xr = -1;
      if (HAS_EXTRA) {
        xr = extra_of[row];
      }
      let xo = u32(max(xr, 0)) * d;
      var dot = 0.0;
      for (var q = 0u; q < COLS; q++) {
        let k = lid + q * WORKGROUP;
        if (k < d) {
          var tk = W[wo + k];
          if (xr >= 0) {
            tk += beta * X[xo + k];
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
          if (xr >= 0) {
            let x = X[xo + k];
            X[xo + k] = x + lr * (g * beta * c[q] - reg * x);
          }
        }
      }
    }
    for (var q = 0u; q < COLS; q++) {
      let k = lid + q * WORKGROUP;
      if (k < d) {
        let a = A[ao + k];
        A[ao + k] = a + lr * (alpha1 * grad[q] - reg * a);
        let bv = B[bo + k];
        B[bo + k] = bv + lr * (alpha2 * grad[q] - reg * bv);
      }
    }
  }
  if (lid == 0u) {
    loss[0] = select(0.0, total / f32(b), b > 0u);
  }
}
