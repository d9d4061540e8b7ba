// optim/sparse_adam.wgsl — entry point `sparse_adam`, after `merge_rows`
// (common/merge_rows.wgsl) has linked the duplicate entries of each row.
//
// Equation (Kingma & Ba 2015, Algorithm 1; lazy: only listed rows move, as PyTorch's
// SparseAdam; decoupled decay as Loshchilov & Hutter 2019, AdamW), for each distinct row r
// and column c, with the global step t:
//   ĝ = Σ_{j : indices[j] = r} values[j, c]      (summed along merge_rows' chain, entry order)
//   g = ĝ + l2·p;   m = β₁·m + (1 − β₁)·g;   v = β₂·v + (1 − β₂)·g²
//   p = decay·p − lr·(m / c₁) / (√(v / c₂) + ε),   c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ
// Coupled L2: l2 = λ, decay = 1; AdamW: l2 = 0, decay = 1 − lr·λ (the host sets both, and
//   c₁, c₂ computed in f64).
// Layouts and dtypes: param, m, v f32 [rows, width], in place; indices i32 [n]; values f32
//   [n, width]; links u32 [n] and status u32 [1] from merge_rows.
// Threading: one invocation per (entry, column); only first entries of a row do work, so
//   every (row, column) has exactly one writer — no atomics, deterministic.
// Numerics: f32, the update in common/optim_step.wgsl (shared with adam_update); the reference
//   uses f64, rounded on store; parity tolerance 1e-6 rel.
// Bad input: status ≠ 0 (an index out of range) makes every invocation return before writing.

//! requires common/row_chain.wgsl
//! requires common/optim_step.wgsl

struct Params {
  n: u32,
  width: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  l2: f32,
  decay: f32,
  correction1: f32,
  correction2: f32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;
@group(0) @binding(6) var<storage, read> links: array<u32>;
@group(0) @binding(7) var<storage, read> status: array<u32>;

const WORKGROUP: u32 = 64u;

@compute @workgroup_size(WORKGROUP)
fn sparse_adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
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
  let next = adam_step(param[i], m[i], v[i], g, params.lr, params.beta1, params.beta2, params.eps, params.l2, params.decay, params.correction1, params.correction2);
  m[i] = next.m;
  v[i] = next.v;
  param[i] = next.p;
}
