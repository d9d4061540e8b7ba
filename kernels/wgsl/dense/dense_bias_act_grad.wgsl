//! requires common/float_pair.wgsl
// dense/dense_bias_act_grad.wgsl — entry points `dense_bias_act_grad` (g),
// `dense_bias_act_grad_partial` (db's block sums) and `dense_bias_act_grad_bias` (db): the backward
// of dense/dense_bias_act.wgsl, the WGSL twin of kernels/cpu/dense/dense_bias_act.cc (reference
// and full contract: packages/core/src/kernels/dense/dense_bias_act.ts). From dy, x, W and the
// forward's y:
//
//   g = dy ⊙ act′(y)   (act′ read off y: 1 for none, [y > 0] for relu, y·(1 − y) for sigmoid)
//   dx = g·Wᵀ,   dW = xᵀ·g,   db_j = Σ_i g_ij
//
// Method, five dispatches in one pass list (the host's):
//   1. `dense_bias_act_grad`: one invocation per element forms g into a scratch [m, n].
//   2. `dense_bias_act_grad_partial`: one invocation per column j and block of BLOCK_ROWS rows
//      sums the block's g_ij, top to bottom, into partial[block, j].
//   3. `dense_bias_act_grad_bias`: one workgroup of 64 per column; lane l sums the partials of
//      the blocks ≡ l (mod 64) in increasing block, and a fixed tree in workgroup memory
//      combines the 64 lanes into db_j.
//   4–5. dx and dW are dense/matmul.wgsl's `matmul` on the scratch g (TRANSPOSE_B for g·Wᵀ,
//      TRANSPOSE_A for xᵀ·g), so its tiles and its pipelines are shared with `matmul`.
//   Why blocks of rows and not one workgroup per column: with NeuMF's n = 32 columns a
//   per-column reduction over all rows would run 32 workgroups, where 2,048 rows give 64 blocks
//   × 32 columns of independent sums here. Why db reads g back in its own dispatch and is not
//   summed where g is formed: a driver may fuse sigmoid's product dy·(y·(1 − y)) into the
//   sum's first addition (an fma), which sums the unrounded products instead of g — measured
//   on llvmpipe with the sum in pass 1: 8 of 32 sigmoid columns 1 ulp off, none apart. Across
//   dispatches no driver can. Every sum has a fixed order and one writer (no atomics), so
//   results do not depend on scheduling.
// Layouts and dtypes: f32, row-major; dy, y, g [m, n]; partial vec2<f32> [⌈m/BLOCK_ROWS⌉, n]
//   (float pairs); db [n]. Bindings: pass 1 uses 1–3, pass 2 uses 3 and 4, pass 3 uses 4 and 5.
// Variants: ACTIVATION (0 none, 1 relu, 2 sigmoid) is a pipeline-override constant of pass 1.
// Numerics: g in f32 exactly as the reference forms it (relu: y > 0 ? dy : 0, so a NaN y passes
//   nothing; sigmoid: dy·(y·(1 − y)), each product rounded), so the relu mask agrees bit for
//   bit. db's sums are float pairs (common/float_pair.wgsl, ~48 bits, against the reference's
//   f64): db is the reference's within 1 ulp (bit for bit on every parity case, llvmpipe).
//   dx and dW accumulate in f32 through matmul's tiles (the parity test allows 1e-4 relative
//   plus 1e-6 per summed term, as for native; measured at 2,048 × 64 · 64 × 32 on llvmpipe:
//   within 1.7 % of that allowance).
// Limits: passes 1 and 3 run 2-D grids; ⌈n/32⌉ and ⌈m/256⌉ ≤ 65535 for pass 2,
//   matmul's ⌈·/64⌉ ≤ 65535 for dx and dW; m·n, m·k and k·n < 2³² (u32 indices). The host
//   checks the sizes.

override ACTIVATION: u32 = 0u;

struct Params {
  m: u32,
  n: u32,
  // ⌈m / BLOCK_ROWS⌉: the rows of partial.
  blocks: u32,
  // 1.0, opaque to the compiler (see common/float_pair.wgsl).
  unit: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> g: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read_write> db: array<f32>;

// Pass 1's workgroup (elements).
const ELEMENTS: u32 = 256u;
// Pass 2's workgroup: COLUMNS neighbouring columns (consecutive words of a row) × LANES blocks.
const COLUMNS: u32 = 32u;
const LANES: u32 = 8u;
const BLOCK_ROWS: u32 = 32u;
// Pass 3's workgroup: lanes per column.
const WORKGROUP: u32 = 64u;

fn float_pair_unit() -> f32 {
  return params.unit;
}

/// g = dy·act′(y), with the reference's order of f32 operations.
fn activation_gradient(d: f32, v: f32) -> f32 {
  if (ACTIVATION == 1u) {
    return select(0.0, d, v > 0.0);
  }
  if (ACTIVATION == 2u) {
    return d * (v * (1.0 - v));
  }
  return d;
}

@compute @workgroup_size(ELEMENTS)
fn dense_bias_act_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = gid.x + gid.y * groups.x * ELEMENTS;
  if (e < params.m * params.n) {
    g[e] = activation_gradient(dy[e], y[e]);
  }
}

@compute @workgroup_size(COLUMNS, LANES)
fn dense_bias_act_grad_partial(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = params.n;
  let j = gid.x;
  let block = gid.y;
  if (j >= n || block >= params.blocks) {
    return;
  }
  let first = block * BLOCK_ROWS;
  let last = min(params.m, first + BLOCK_ROWS);
  var sum = vec2<f32>(0.0, 0.0);
  for (var i = first; i < last; i++) {
    sum = pair_add_f32(sum, g[i * n + j]);
  }
  partial[block * n + j] = sum;
}

var<workgroup> red: array<vec2<f32>, WORKGROUP>;

@compute @workgroup_size(WORKGROUP)
fn dense_bias_act_grad_bias(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  // Uniform across the workgroup, so the barriers below stay in uniform control flow.
  let col = wid.x + wid.y * groups.x;
  if (col >= n) {
    return;
  }
  var sum = vec2<f32>(0.0, 0.0);
  for (var b = lid; b < params.blocks; b += WORKGROUP) {
    sum = pair_add(sum, partial[b * n + col]);
  }
  red[lid] = sum;
  workgroupBarrier();
  for (var stride = WORKGROUP / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      red[lid] = pair_add(red[lid], red[lid + stride]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    db[col] = pair_value(red[0]);
  }
}
