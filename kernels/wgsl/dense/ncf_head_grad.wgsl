//! requires common/float_pair.wgsl
// dense/ncf_head_grad.wgsl — entry points `ncf_head_grad` (dp, dq, dz), `ncf_head_grad_partial`
// (dh's block sums) and `ncf_head_grad_dh` (dh): the backward of dense/ncf_head.wgsl, the WGSL
// twin of kernels/cpu/dense/ncf_head.cc (reference and full contract:
// packages/core/src/kernels/dense/ncf_head.ts). From g = dlogit and the forward's inputs:
//
//   dp_ij = g_i·q_ij·h_j,  dq_ij = g_i·p_ij·h_j,  dz_ik = g_i·h_{E+k},
//   dh_j = Σ_i g_i·p_ij·q_ij,  dh_{E+k} = Σ_i g_i·z_ik
//
// Method, three dispatches in one pass list (the host's), over the W = E + Z columns of
// [p ⊙ q; z]:
//   1. `ncf_head_grad`: one invocation per element (row i, column c) of [n, W] writes dp_ic and
//      dq_ic (c < E) or dz_i,c−E (c ≥ E).
//   2. `ncf_head_grad_partial`: one invocation per column c and block of BLOCK_ROWS rows sums
//      the block's terms (g_i·p_ic·q_ic, or g_i·z_i,c−E), top to bottom, into partial[block, c].
//   3. `ncf_head_grad_dh`: one workgroup of 64 per column; lane l sums the partials of the
//      blocks ≡ l (mod 64) in increasing block, and a fixed tree in workgroup memory combines
//      the 64 lanes into dh_c.
//   As dense/dense_bias_act_grad.wgsl does for db: blocks of rows give ⌈n/32⌉ × W independent
//   sums where a per-column reduction over all rows would run only W workgroups (W is a few
//   dozen to a few hundred). Every sum has a fixed order and one writer (no atomics), so
//   results do not depend on scheduling.
// Layouts and dtypes: f32, row-major; g [n]; p, q, dp, dq [n, E]; h, dh [E + Z]; z, dz [n, Z];
//   partial vec2<f32> [⌈n/BLOCK_ROWS⌉, W] (float pairs). Without z the host binds a 4-byte
//   stand-in for z and dz, never touched as Z = 0.
// Bindings: 0 params; pass 1 uses 1–4 and 6–8, pass 2 uses 1–3, 5 and 9, pass 3 uses 9 and 10.
// Numerics: products in f32 left to right, as the reference forms them in f64 ((g·q)·h,
//   (g·p)·h, g·h, (g·p)·q, g·z): dz is the reference's bit for bit, dp and dq within 1 ulp
//   (one extra rounding). dh's sums are float pairs (common/float_pair.wgsl, ~48 bits against
//   the reference's f64), rounded once, so they differ from the reference only by each
//   three-factor term's extra rounding (a driver that fuses the term's last product into the
//   pair's first addition, an fma, perturbs only that rounding).
// Limits: n·W < 2³² (u32 indices); pass 2's grid ⌈W/32⌉ and ⌈n/256⌉ ≤ 65535 (passes 1 and 3
//   run 2-D grids). The host checks.

struct Params {
  n: u32,
  e: u32,
  z: u32,
  // 1.0, opaque to the compiler (see common/float_pair.wgsl).
  unit: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> p: array<f32>;
@group(0) @binding(3) var<storage, read> q: array<f32>;
@group(0) @binding(4) var<storage, read> h: array<f32>;
@group(0) @binding(5) var<storage, read> z: array<f32>;
@group(0) @binding(6) var<storage, read_write> dp: array<f32>;
@group(0) @binding(7) var<storage, read_write> dq: array<f32>;
@group(0) @binding(8) var<storage, read_write> dz: array<f32>;
@group(0) @binding(9) var<storage, read_write> partial: array<vec2<f32>>;
@group(0) @binding(10) var<storage, read_write> dh: array<f32>;

// Pass 1's workgroup (elements).
const ELEMENTS: u32 = 256u;
// Pass 2's workgroup: COLUMNS neighbouring columns × LANES blocks of BLOCK_ROWS rows.
const COLUMNS: u32 = 32u;
const LANES: u32 = 8u;
const BLOCK_ROWS: u32 = 32u;
// Pass 3's workgroup: lanes per column.
const WORKGROUP: u32 = 64u;

fn float_pair_unit() -> f32 {
  return params.unit;
}

@compute @workgroup_size(ELEMENTS)
fn ncf_head_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = params.e;
  let width = e + params.z;
  let id = gid.x + gid.y * groups.x * ELEMENTS;
  if (id >= params.n * width) {
    return;
  }
  let i = id / width;
  let c = id % width;
  let gi = g[i];
  if (c < e) {
    let at = i * e + c;
    dp[at] = gi * q[at] * h[c];
    dq[at] = gi * p[at] * h[c];
  } else {
    dz[i * params.z + (c - e)] = gi * h[c];
  }
}

@compute @workgroup_size(COLUMNS, LANES)
fn ncf_head_grad_partial(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = params.n;
  let e = params.e;
  let zw = params.z;
  let width = e + zw;
  let blocks = (n + BLOCK_ROWS - 1u) / BLOCK_ROWS;
  let c = gid.x;
  let block = gid.y;
  if (c >= width || block >= blocks) {
    return;
  }
  let first = block * BLOCK_ROWS;
  let last = min(n, first + BLOCK_ROWS);
  var sum = vec2<f32>(0.0, 0.0);
  if (c < e) {
    for (var i = first; i < last; i++) {
      sum = pair_add_f32(sum, g[i] * p[i * e + c] * q[i * e + c]);
    }
  } else {
    for (var i = first; i < last; i++) {
      sum = pair_add_f32(sum, g[i] * z[i * zw + (c - e)]);
    }
  }
  partial[block * width + c] = sum;
}

var<workgroup> red: array<vec2<f32>, WORKGROUP>;

@compute @workgroup_size(WORKGROUP)
fn ncf_head_grad_dh(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let width = params.e + params.z;
  let blocks = (params.n + BLOCK_ROWS - 1u) / BLOCK_ROWS;
  // Uniform across the workgroup, so the barriers below stay in uniform control flow.
  let col = wid.x + wid.y * groups.x;
  if (col >= width) {
    return;
  }
  var sum = vec2<f32>(0.0, 0.0);
  for (var b = lid; b < blocks; b += WORKGROUP) {
    sum = pair_add(sum, partial[b * width + col]);
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
    dh[col] = pair_value(red[0]);
  }
}
