// softmax/sampled_softmax.wgsl — entry point `sampled_softmax`: sampled softmax with the log-Q
// correction (Bengio & Senécal 2008; Jean et al. 2015, §3), forward; its row pass is shared
// with softmax/sampled_softmax_grad.wgsl (which requires this file).
//
// Equation: for each row b, over the columns j ∈ {label_b} ∪ sampled (column 0 = label):
//   o_0 = h_b·w_{label_b} + bias_{label_b} − logQ_label[b]
//   o_j = h_b·w_{sampled_j} + bias_{sampled_j} − logQ_sampled[j]   (j = 1..S)
//   o_j is left out (−∞) when REMOVE_HITS and sampled_j = label_b (an accidental hit)
//   loss_b = logsumexp(o) − o_0
// Layouts and dtypes: hidden f32 [B, d]; class_weights f32 [C, d]; classes i32 [B + S] =
//   labels ‖ sampled and log_q f32 [B + S] = labelLogQ ‖ sampledLogQ (each pair packed into one
//   binding by GPU copies; `labels ++ sampled` is also the id order of the gradient's rows);
//   class_bias f32 [C] (a 4-byte placeholder without HAS_BIAS); loss f32 [B]; status u32 [1].
// Threading: one workgroup of 64 per row (2-D grid past 65535 rows); invocation l takes the
//   columns j ≡ l (mod 64), each logit a sequential dot product over d, and keeps an online
//   (max, Σ exp) pair; a tree in workgroup memory merges the 64 pairs into logsumexp.
// Variants: HAS_BIAS and REMOVE_HITS are pipeline-override constants.
// Numerics: f32 logits and sums, max-subtracted logsumexp (the reference works in f64 and
//   rounds once); a masked column is skipped rather than set to −∞ (WGSL does not promise
//   infinities), which is the same: its exp is 0. Parity tolerance 1e-5 absolute + relative.
// Bad input: a label or sampled class outside [0, C) sets status (raised at the next read)
//   and its row's loss is 0.
// Cost: B·(S + 1)·d multiply-adds, one read of hidden per column. Not tuned: hidden and the
//   class rows are read from storage, not staged in workgroup memory.

override HAS_BIAS: bool = false;
override REMOVE_HITS: bool = true;

struct Params {
  batch: u32,
  dim: u32,
  classes: u32,
  samples: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> hidden: array<f32>;
@group(0) @binding(2) var<storage, read> class_weights: array<f32>;
@group(0) @binding(3) var<storage, read> classes: array<i32>;
@group(0) @binding(4) var<storage, read> log_q: array<f32>;
@group(0) @binding(5) var<storage, read> class_bias: array<f32>;
@group(0) @binding(6) var<storage, read_write> status: atomic<u32>;
@group(0) @binding(7) var<storage, read_write> loss: array<f32>;

const WORKGROUP: u32 = 64u;

var<workgroup> red_max: array<f32, WORKGROUP>;
var<workgroup> red_sum: array<f32, WORKGROUP>;
var<workgroup> row_bad: u32;

// Position in classes / log_q of column j of row b.
fn column_slot(b: u32, j: u32) -> u32 {
  return select(params.batch + j - 1u, b, j == 0u);
}

fn is_hit(b: u32, j: u32) -> bool {
  return REMOVE_HITS && j > 0u && classes[params.batch + j - 1u] == classes[b];
}

fn logit(b: u32, j: u32) -> f32 {
  let slot = column_slot(b, j);
  let c = u32(classes[slot]);
  let d = params.dim;
  var x = 0.0;
  for (var k = 0u; k < d; k++) {
    x += hidden[b * d + k] * class_weights[c * d + k];
  }
  if (HAS_BIAS) {
    x += class_bias[c];
  }
  return x - log_q[slot];
}

// True (for the whole workgroup) when every class of row b's columns is in [0, C); sets
// status otherwise. Call from uniform control flow.
fn row_ids_valid(b: u32, lid: u32) -> bool {
  if (lid == 0u) {
    row_bad = 0u;
  }
  workgroupBarrier();
  var mine = false;
  for (var j = lid; j <= params.samples; j += WORKGROUP) {
    let c = classes[column_slot(b, j)];
    if (c < 0 || u32(c) >= params.classes) {
      mine = true;
    }
  }
  if (mine) {
    row_bad = 1u;
    atomicMax(&status, 1u);
  }
  return workgroupUniformLoad(&row_bad) == 0u;
}

// Online logsumexp: (max, Σ exp(o − max)) after one more logit o; sum 0 means "no column yet".
fn lse_push(acc: vec2<f32>, o: f32) -> vec2<f32> {
  if (acc.y == 0.0) {
    return vec2<f32>(o, 1.0);
  }
  if (o > acc.x) {
    return vec2<f32>(o, acc.y * exp(acc.x - o) + 1.0);
  }
  return vec2<f32>(acc.x, acc.y + exp(o - acc.x));
}

fn lse_merge(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  if (b.y == 0.0) {
    return a;
  }
  if (a.y == 0.0) {
    return b;
  }
  if (a.x >= b.x) {
    return vec2<f32>(a.x, a.y + b.y * exp(b.x - a.x));
  }
  return vec2<f32>(b.x, b.y + a.y * exp(a.x - b.x));
}

// logsumexp over the workgroup's (max, sum) pairs; every invocation gets it. Uniform control flow.
fn row_log_sum_exp(lid: u32, mine: vec2<f32>) -> f32 {
  red_max[lid] = mine.x;
  red_sum[lid] = mine.y;
  workgroupBarrier();
  for (var stride = WORKGROUP / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      let merged = lse_merge(vec2<f32>(red_max[lid], red_sum[lid]), vec2<f32>(red_max[lid + stride], red_sum[lid + stride]));
      red_max[lid] = merged.x;
      red_sum[lid] = merged.y;
    }
    workgroupBarrier();
  }
  // Column 0 (the label) is never masked, so the sum is ≥ 1.
  return red_max[0] + log(red_sum[0]);
}

@compute @workgroup_size(WORKGROUP)
fn sampled_softmax(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x + wid.y * groups.x;
  // Uniform across the workgroup: the whole workgroup leaves together.
  if (b >= params.batch) {
    return;
  }
  if (!row_ids_valid(b, lid)) {
    if (lid == 0u) {
      loss[b] = 0.0;
    }
    return;
  }
  var acc = vec2<f32>(0.0, 0.0);
  var label_logit = 0.0;
  for (var j = lid; j <= params.samples; j += WORKGROUP) {
    if (is_hit(b, j)) {
      continue;
    }
    let o = logit(b, j);
    if (j == 0u) {
      label_logit = o;
    }
    acc = lse_push(acc, o);
  }
  let lse = row_log_sum_exp(lid, acc);
  if (lid == 0u) {
    loss[b] = lse - label_logit;
  }
}
