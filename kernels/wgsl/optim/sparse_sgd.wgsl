// optim/sparse_sgd.wgsl — entry point `sparse_sgd`, after `merge_rows`
// (common/merge_rows.wgsl) has linked the duplicate entries of each row.
//
// Equation (PyTorch's SGD with L2 and momentum, applied lazily to listed rows), for each
// distinct row r of indices and each column c:
//   ĝ = Σ_{j : indices[j] = r} values[j, c]      (summed along merge_rows' chain, entry order)
//   g = ĝ + λ·p[r, c]
//   without momentum:  p[r, c] −= lr·g
//   with momentum μ:   v[r, c] = μ·v[r, c] + g;  p[r, c] −= lr·(NESTEROV ? g + μ·v[r, c] : v[r, c])
// Rows not listed are untouched (no decay, no velocity decay), as in the reference.
// Variants: overrides MOMENTUM (velocity bound and used) and NESTEROV; without momentum the
//   host binds a 4-byte placeholder as `velocity`, never read.
// Layouts and dtypes: param f32 [rows, width] and velocity f32 [rows, width], in place;
//   indices i32 [n]; values f32 [n, width]; links u32 [n] and status u32 [1] from merge_rows.
// Threading: one invocation per (entry, column); only first entries of a row do work, so
//   every (row, column) has exactly one writer — no atomics, deterministic.
// Numerics: f32, the update in common/optim_step.wgsl (shared with sgd_update); the reference
//   uses f64 sums, rounded on store; parity tolerance 1e-6 rel.
// Bad input: status ≠ 0 (an index out of range) makes every invocation return before writing.

//! requires common/row_chain.wgsl
//! requires common/optim_step.wgsl

struct Params {
  n: u32,
  width: u32,
  lr: f32,
  momentum: f32,
  weight_decay: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

override MOMENTUM: bool = false;
override NESTEROV: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
@group(0) @binding(4) var<storage, read_write> velocity: array<f32>;
@group(0) @binding(5) var<storage, read> links: array<u32>;
@group(0) @binding(6) var<storage, read> status: array<u32>;

const WORKGROUP: u32 = 64u;

@compute @workgroup_size(WORKGROUP)
fn sparse_sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = gid.x + gid.y * groups.x * WORKGROUP;
  let width = params.width;
  if (e >= params.n * width || status[0] != 0u) {
    return;
  }
  let j = e / width;
  let col = e % width;
  if (!is_first_entry(j)) {
    return;
  }
  let g = chain_gradient(j, col, width, params.n);
  let i = u32(indices[j]) * width + col;
  // Without momentum `velocity` is a placeholder, neither read nor written.
  var vel = 0.0;
  if (MOMENTUM) {
    vel = velocity[i];
  }
  let next = sgd_step(param[i], vel, g, params.lr, params.momentum, params.weight_decay, MOMENTUM, NESTEROV);
  if (MOMENTUM) {
    velocity[i] = next.v;
  }
  param[i] = next.p;
}
