//! requires common/logistic.wgsl
// sgd/bpr_step.wgsl — entry point `bpr_step`: one fused LearnBPR pass over a batch of
// (u, i, j) triples, in place on the user table P and the item table Q.
//
// Equation (Rendle et al. 2009, §4.3 Fig. 4), for each triple t = 0..b−1, in batch order:
//   x = ⟨p_u, q_i − q_j⟩,   g = σ(−x) = 1 / (1 + eˣ)
//   p_u ← p_u + lr·(g·(q_i − q_j) − λ·p_u)
//   q_i ← q_i + lr·(g·p_u_old − λ·q_i)
//   q_j ← q_j + lr·(−g·p_u_old − λ·q_j)      (written last: kept when i = j)
//   loss = (1/b)·Σ_t softplus(−x_t)
// Layouts and dtypes: P f32 [U, d], Q f32 [I, d] in place; users, positives, negatives i32 [b];
//   loss f32 [1]; status u32 [1].
// Threading — the choice: ONE workgroup of 64 invocations walks the triples in order (the
//   reference's serial semantics: each triple sees the rows the previous ones wrote, so a
//   batch that repeats rows gives the reference's result, not a Hogwild approximation).
//   Invocation l owns columns l, l + 64, …: it reads and writes only its own columns of
//   every row, so no storage barrier is needed between triples; the dot product is a tree
//   reduction in workgroup memory. This uses one GPU core: it is exact in order, not fast.
//   A fast GPU version would process disjoint-row triples in parallel (a conflict-free
//   schedule, or Hogwild with a documented tolerance); not written yet.
// Numerics: f32 throughout (WGSL has no f64; the reference uses f64 per triple), dot product
//   summed in a tree; parity tolerance atol 1e-6 + rtol 1e-5. softplus in its stable form
//   with an exact log1p (common/logistic.wgsl); loss summed in f32 by invocation 0.
// Bad input: every id is checked before any write (as the reference); an id out of range
//   sets status (the host raises it at the next read) and nothing is updated.

struct Params {
  n: u32,
  d: u32,
  num_users: u32,
  num_items: u32,
  lr: f32,
  reg: f32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> P: array<f32>;
@group(0) @binding(2) var<storage, read_write> Q: array<f32>;
@group(0) @binding(3) var<storage, read> users: array<i32>;
@group(0) @binding(4) var<storage, read> positives: array<i32>;
@group(0) @binding(5) var<storage, read> negatives: array<i32>;
@group(0) @binding(6) var<storage, read_write> loss: array<f32>;
@group(0) @binding(7) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 64u;

var<workgroup> partial: array<f32, WORKGROUP>;
var<workgroup> bad: u32;

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
    let u = users[t];
    let i = positives[t];
    let j = negatives[t];
    if (u < 0 || u32(u) >= params.num_users || i < 0 || u32(i) >= params.num_items || j < 0 || u32(j) >= params.num_items) {
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
  let reg = params.reg;
  var total = 0.0;
  for (var t = 0u; t < n; t++) {
    let pu = u32(users[t]) * d;
    let qi = u32(positives[t]) * d;
    let qj = u32(negatives[t]) * d;
    var dot = 0.0;
    for (var c = lid; c < d; c += WORKGROUP) {
      dot += P[pu + c] * (Q[qi + c] - Q[qj + c]);
    }
    partial[lid] = dot;
    workgroupBarrier();
    for (var stride = WORKGROUP / 2u; stride > 0u; stride /= 2u) {
      if (lid < stride) {
        partial[lid] += partial[lid + stride];
      }
      workgroupBarrier();
    }
    let x = partial[0];
    // Everyone has read partial[0] before the next triple overwrites it.
    workgroupBarrier();
    let g = 1.0 / (1.0 + exp(x));
    if (lid == 0u) {
      total += softplus(-x);
    }
    for (var c = lid; c < d; c += WORKGROUP) {
      let p = P[pu + c];
      let a = Q[qi + c];
      let b = Q[qj + c];
      P[pu + c] = p + lr * (g * (a - b) - reg * p);
      Q[qi + c] = a + lr * (g * p - reg * a);
      Q[qj + c] = b + lr * (-g * p - reg * b);
    }
  }
  if (lid == 0u) {
    loss[0] = select(0.0, total / f32(n), n > 0u);
  }
}
