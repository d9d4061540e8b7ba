//! requires common/logistic.wgsl
// sgd/bpr_step.wgsl — entry points `bpr_step` and `bpr_step_extra`: one fused LearnBPR pass over
// a batch of (u, i, j) triples, in place on the user table P and the item table Q (and, in
// `bpr_step_extra`, the category table X).
//
// Equation (Rendle et al. 2009, §4.3 Fig. 4), for each triple t = 0..b−1, in batch order:
//   x = ⟨p_u, q̃_i − q̃_j⟩,   g = σ(−x) = 1 / (1 + eˣ)
//   p_u ← p_u + lr·(g·(q̃_i − q̃_j) − λ·p_u)     computed as (1 − lr·λ)·p_u + s·(q̃_i − q̃_j), s = lr·g
//   q_i ← q_i + lr·(g·p_u_old − λ·q_i)          … (1 − lr·λ)·q_i + s·p_u_old
//   q_j ← q_j + lr·(−g·p_u_old − λ·q_j)         … (1 − lr·λ)·q_j − s·p_u_old   (written last: kept when i = j)
//   loss = (1/b)·Σ_t softplus(−x_t)
// `bpr_step`: q̃ = q. `bpr_step_extra`: MRLR's multi-level item vector (Sun et al., §3.4 Eq. 7):
//   C_i = indices[indptr[i] … indptr[i+1]),  m_i = β / |C_i|,  q̃_i = q_i + m_i·Σ_{l∈C_i} x_l
//   (q̃_i = q_i when C_i is empty), and after the P and Q updates
//   for l in C_i, in list order: x_l ← x_l + lr·(g·m_i·p_u_old − λ·x_l)
//   then for l in C_j:            x_l ← x_l + lr·(−g·m_j·p_u_old − λ·x_l)
//   (a category of both items, or listed twice, gets every update, each reading the last).
// Parts (`bpr_step_extra`, the attribute `parts`, 1 … 64; @rec/core's kernels/sgd/ is the
//   contract): triple t belongs to part p(t) = ⌊t / 64⌋ mod parts, and every category read and
//   write of t goes to that part's own copy S_p of X; P and Q stay shared. Why: natively the
//   few hot category rows chain almost every triple to the one before, so a deterministic
//   schedule on several threads runs no faster than one; with per-part copies the parts only
//   wait for each other on P and Q, and the result still depends only on inputs + attributes.
//   Here the walk stays serial (one workgroup, below) and computes the same function: with
//   parts ≥ 2 the host binds at `X` a scratch S f32 [parts, Rx, d], each slice a GPU copy of X
//   (O(parts·Rx·d) per call, plus the merge), and `merge_parts` (sgd/merge_parts.wgsl) folds
//   it back into X after this entry point; with parts = 1 (the default, and whenever `hogwild`
//   is true, as the spec says) it binds X itself: slice 0 = X, in place, no copy — the kernel
//   as before. The scratch takes X's binding, so the binding count does not change.
// Layouts and dtypes: P f32 [U, d], Q f32 [I, d], X f32 [Rx, d] in place (or S, above); loss f32 [1];
//   status u32 [1]. `bpr_step`: users, positives, negatives i32 [b], one binding each.
//   `bpr_step_extra`: triples i32 = users [b] ‖ positives [b] ‖ negatives [b] ‖ indptr [I + 1]
//   ‖ indices [nnz], one binding packed by GPU copies (O(b + I + nnz) per call), so that the
//   entry point binds 6 storage buffers, not 10 (WebGPU guarantees 8). Two entry points, not an
//   override constant: a binding counts for a pipeline when its entry point names it, so
//   `bpr_step` keeps its 7 bindings and no copy.
// Threading — the choice: ONE workgroup of 64 invocations walks the triples in order (the
//   reference's serial semantics: each triple sees the rows the previous ones wrote, so a
//   batch that repeats rows gives the reference's result, not a Hogwild approximation).
//   Invocation l owns columns l, l + 64, … for the updates. The dot product runs in the
//   reference's eight-lane order (core's kernels/sgd/exact_f32.ts): invocation k < 8 sums the
//   columns c ≡ k (mod 8) in column order, invocation 0 folds the eight sums in the fixed
//   order; those reads cross the update's column ownership, so each triple starts with a
//   storage barrier. In `bpr_step_extra` an invocation runs a column's whole
//   sequence (P, Q, then C_i's and C_j's rows) at once: per element that is the reference's
//   order, and q̃ is recomputed from the unchanged rows rather than kept in registers, so d
//   has no limit. This uses one GPU core: it is exact in order, not fast. A fast GPU version
//   would process disjoint-row triples in parallel (a conflict-free schedule, or Hogwild with
//   a documented tolerance); not written yet.
// Numerics: f32 as the reference (its operations and their order, decay = 1 − lr·λ rounded
//   on the host as there), but s = lr·g and g in f32 (the reference: f64, rounded once), and a
//   GPU may fuse a multiply and an add: parity tolerance atol 1e-6 + rtol 1e-5. softplus in its stable form with an
//   exact log1p (common/logistic.wgsl); loss summed in f32 by invocation 0.
// Bad input: every id (and in `bpr_step_extra` the CSR map's ends and the category rows of
//   every item the batch reaches) is checked before any write, as the reference; a failure
//   sets status (`bpr_step`: 1; `bpr_step_extra`: bit 0 an id out of range, bit 1 indptr does
//   not run from 0 to nnz, bit 2 a touched item's indptr range is not inside indices, bit 3 a
//   category row out of range), the host raises it at the next read, and nothing is updated.

struct Params {
  n: u32,
  d: u32,
  num_users: u32,
  num_items: u32,
  lr: f32,
  reg: f32,
  // β, the length of the category list (indices) and the rows of X: `bpr_step_extra` only.
  beta: f32,
  nnz: u32,
  rows_extra: u32,
  // 1 − lr·λ, rounded to f32 on the host from f64 (as the reference).
  decay: f32,
  // The slices of the binding `X` (1: X itself); `bpr_step_extra` only.
  parts: u32,
  // The attribute `lanes` (1: batch order); `bpr_step` only.
  lanes: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> Q: array<f32>;
@group(0) @binding(3) var<storage, read> users: array<i32>;
@group(0) @binding(4) var<storage, read> positives: array<i32>;
@group(0) @binding(5) var<storage, read> negatives: array<i32>;
@group(0) @binding(6) var<storage, read_write> loss: array<f32>;
@group(0) @binding(7) var<storage, read_write> status: atomic<u32>;
// `bpr_step_extra` only: the category table X [Rx, d], or with parts ≥ 2 the scratch of its
// per-part copies [parts, Rx, d].
@group(0) @binding(8) var<storage, read_write> X: array<f32>;
@group(0) @binding(9) var<storage, read> triples: array<i32>;

const WORKGROUP: u32 = 64u;
// Triples per chunk of a part (the spec's PART_CHUNK).
const PART_CHUNK: u32 = 64u;
const BAD_ID: u32 = 1u;
const BAD_INDPTR_ENDS: u32 = 2u;
const BAD_ROW_RANGE: u32 = 4u;
const BAD_EXTRA_ROW: u32 = 8u;

var<workgroup> partial: array<f32, WORKGROUP>;
var<workgroup> folded: f32;
var<workgroup> bad: u32;

fn ids_in_range(u: i32, i: i32, j: i32) -> bool {
  return u >= 0 && u32(u) < params.num_users && i >= 0 && u32(i) < params.num_items && j >= 0 && u32(j) < params.num_items;
}

// The eight lane sums (invocation k < 8 passes lane k; the others pass 0) folded in the fixed
// order ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)); every invocation gets the result.
fn fold_lanes(lid: u32, lane: f32) -> f32 {
  partial[lid] = lane;
  workgroupBarrier();
  if (lid == 0u) {
    folded = ((partial[0] + partial[4]) + (partial[2] + partial[6])) + ((partial[1] + partial[5]) + (partial[3] + partial[7]));
  }
  let total = workgroupUniformLoad(&folded);
  return total;
}

@compute @workgroup_size(WORKGROUP)
fn bpr_step(@builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  let d = params.d;
  if (lid == 0u) {
    bad = 0u;
  }
  workgroupBarrier();
  var mine = 0u;
  for (var t = lid; t < n; t += WORKGROUP) {
    if (!ids_in_range(users[t], positives[t], negatives[t])) {
      mine = 1u;
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
  let lr = params.lr;
  let decay = params.decay;
  var total = 0.0;
  let lanes = max(params.lanes, 1u);
  let tasks = (2u * lanes - 1u) * lanes * lanes;
  for (var q = 0u; q < tasks; q++) {
  for (var t = 0u; t < n; t++) {
    if (lanes > 1u && lane_task(t, lanes) != q) {
      continue;
    }
    let pu = u32(users[t]) * d;
    let qi = u32(positives[t]) * d;
    let qj = u32(negatives[t]) * d;
    // The previous triple's updates are visible to every invocation.
    storageBarrier();
    var lane = 0.0;
    if (lid < 8u) {
      for (var c = lid; c < d; c += 8u) {
        lane += P[pu + c] * (Q[qi + c] - Q[qj + c]);
      }
    }
    let x = fold_lanes(lid, lane);
    let s = lr / (1.0 + exp(x));
    if (lid == 0u) {
      total += softplus(-x);
    }
    for (var c = lid; c < d; c += WORKGROUP) {
      let p = P[pu + c];
      let a = Q[qi + c];
      let b = Q[qj + c];
      let sp = s * p;
      P[pu + c] = decay * p + s * (a - b);
      Q[qi + c] = decay * a + sp;
      Q[qj + c] = decay * b - sp;
    }
  }
  }
  if (lid == 0u) {
    loss[0] = select(0.0, total / f32(n), n > 0u);
  }
}

// Lanes (`bpr_step`, the attribute `lanes` = L; core's kernels/sgd/lane_strata.ts is the
// contract): the triples run in a fixed permutation of the batch — strata ascending, lanes
// ascending, batch order within a lane — whose lanes of one stratum touch disjoint rows, so
// that native threads run them at once. Here the walk stays serial and computes the same
// function: it takes the tasks q = stratum·L + lane in order and, for each, scans the batch
// for that task's triples (O(tasks·b) id reads: 12 scans at L = 2). L = 1: one task, batch order.

// The block of `id` among `count`: ⌊h·count / 2¹⁶⌋, h = (id·0x9E3779B1 mod 2³²) >> 16.
fn lane_block(id: i32, count: u32) -> u32 {
  return (((u32(id) * 0x9E3779B1u) >> 16u) * count) >> 16u;
}

// The index of the edge of matching `m` (of M = 2L − 1) that holds item block a.
fn lane_edge(a: u32, m: u32, big_m: u32, lanes: u32) -> u32 {
  if (a == big_m || a == m) {
    return 0u;
  }
  let k = (a + big_m - m) % big_m;
  return select(big_m - k, k, k < lanes);
}

// Triple t's task: (stratum of its blocks)·L + its user block.
fn lane_task(t: u32, lanes: u32) -> u32 {
  let big_m = 2u * lanes - 1u;
  let l = lane_block(users[t], lanes);
  let a = lane_block(positives[t], 2u * lanes);
  let b = lane_block(negatives[t], 2u * lanes);
  var m = 0u;
  if (a == b) {
    m = select(0u, a, a < big_m);
  } else if (a == big_m) {
    m = b;
  } else if (b == big_m) {
    m = a;
  } else {
    m = ((a + b) * ((big_m + 1u) / 2u)) % big_m;
  }
  let r = (lane_edge(a, m, big_m, lanes) + lanes - l) % lanes;
  return (m * lanes + r) * lanes + l;
}

// Where indptr starts in `triples`; indices follow it (I + 1 entries later).
fn indptr_base() -> u32 {
  return 3u * params.n;
}

// Item `item`'s category list as [lo, hi) of indices (already checked).
fn categories_of(item: u32) -> vec2<u32> {
  let p = indptr_base();
  return vec2<u32>(u32(triples[p + item]), u32(triples[p + item + 1u]));
}

// Where triple t's category rows start in the binding `X`: its part's slice.
fn part_base(t: u32) -> u32 {
  return ((t / PART_CHUNK) % params.parts) * params.rows_extra * params.d;
}

// Column `col` of the multi-level vector q̃ = q + m·Σ_{l∈C} x_l (q when C is empty), with the
// category rows read in the slice at `xb`.
fn item_vector(q: f32, cats: vec2<u32>, m: f32, xb: u32, col: u32) -> f32 {
  if (cats.y <= cats.x) {
    return q;
  }
  let base = indptr_base() + params.num_items + 1u;
  var sx = 0.0;
  for (var l = cats.x; l < cats.y; l++) {
    sx += X[xb + u32(triples[base + l]) * params.d + col];
  }
  return q + m * sx;
}

// x_l ← (1 − lr·λ)·x_l + step·p at column `col` for l in the list, in order, in the slice at `xb`.
fn update_categories(cats: vec2<u32>, step: f32, p: f32, xb: u32, col: u32) {
  let base = indptr_base() + params.num_items + 1u;
  for (var l = cats.x; l < cats.y; l++) {
    let o = xb + u32(triples[base + l]) * params.d + col;
    let x = X[o];
    X[o] = params.decay * x + step * p;
  }
}

// The status bits of item `item`'s category list (0 when it is a valid range of valid rows).
fn check_categories(item: u32) -> u32 {
  let p = indptr_base();
  let lo = triples[p + item];
  let hi = triples[p + item + 1u];
  if (!(lo <= hi && lo >= 0 && u32(hi) <= params.nnz)) {
    return BAD_ROW_RANGE;
  }
  let base = p + params.num_items + 1u;
  for (var k = u32(lo); k < u32(hi); k++) {
    let x = triples[base + k];
    if (x < 0 || u32(x) >= params.rows_extra) {
      return BAD_EXTRA_ROW;
    }
  }
  return 0u;
}

@compute @workgroup_size(WORKGROUP)
fn bpr_step_extra(@builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  let d = params.d;
  if (lid == 0u) {
    bad = 0u;
  }
  workgroupBarrier();
  var mine = 0u;
  if (lid == 0u) {
    let p = indptr_base();
    if (triples[p] != 0 || triples[p + params.num_items] != i32(params.nnz)) {
      mine = BAD_INDPTR_ENDS;
    }
  }
  for (var t = lid; t < n; t += WORKGROUP) {
    let i = triples[n + t];
    let j = triples[2u * n + t];
    if (!ids_in_range(triples[t], i, j)) {
      mine |= BAD_ID;
    } else {
      mine |= check_categories(u32(i)) | check_categories(u32(j));
    }
  }
  if (mine != 0u) {
    bad = 1u;
    atomicOr(&status, mine);
  }
  if (workgroupUniformLoad(&bad) != 0u) {
    return;
  }
  let lr = params.lr;
  let decay = params.decay;
  let beta = params.beta;
  var total = 0.0;
  for (var t = 0u; t < n; t++) {
    let item_i = u32(triples[n + t]);
    let item_j = u32(triples[2u * n + t]);
    let pu = u32(triples[t]) * d;
    let qi = item_i * d;
    let qj = item_j * d;
    let ci = categories_of(item_i);
    let cj = categories_of(item_j);
    let mi = select(0.0, beta / f32(ci.y - ci.x), ci.y > ci.x);
    let mj = select(0.0, beta / f32(cj.y - cj.x), cj.y > cj.x);
    let xb = part_base(t);
    storageBarrier();
    var lane = 0.0;
    if (lid < 8u) {
      for (var c = lid; c < d; c += 8u) {
        lane += P[pu + c] * (item_vector(Q[qi + c], ci, mi, xb, c) - item_vector(Q[qj + c], cj, mj, xb, c));
      }
    }
    let x = fold_lanes(lid, lane);
    let s = lr / (1.0 + exp(x));
    if (lid == 0u) {
      total += softplus(-x);
    }
    for (var c = lid; c < d; c += WORKGROUP) {
      let p = P[pu + c];
      let a = Q[qi + c];
      let b = Q[qj + c];
      // X is unchanged since the dot product: the same q̃ as there.
      let diff = item_vector(a, ci, mi, xb, c) - item_vector(b, cj, mj, xb, c);
      let sp = s * p;
      P[pu + c] = decay * p + s * diff;
      Q[qi + c] = decay * a + sp;
      Q[qj + c] = decay * b - sp;
      update_categories(ci, s * mi, p, xb, c);
      update_categories(cj, -(s * mj), p, xb, c);
    }
  }
  if (lid == 0u) {
    loss[0] = select(0.0, total / f32(n), n > 0u);
  }
}
