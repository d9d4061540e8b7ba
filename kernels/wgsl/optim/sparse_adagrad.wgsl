// optim/sparse_adagrad.wgsl — entry point `sparse_adagrad`, after `merge_rows`
// (common/merge_rows.wgsl) has linked the duplicate entries of each row.
//
// Equation (Duchi, Hazan & Singer 2011, JMLR 12, §1.1, diagonal form), for each distinct
// row r of indices and each column c:
//   ĝ = Σ_{j : indices[j] = r} values[j, c]      (summed along merge_rows' chain, entry order)
//   g = ĝ + λ·p[r, c];  G[r, c] += g²;  p[r, c] −= lr·g / (√G[r, c] + ε)
// Rows not listed are untouched (no decay on them), as in the reference.
// Layouts and dtypes: param f32 [rows, width] and sum (G) f32 [rows, width], updated in
//   place; indices i32 [n]; values f32 [n, width]; links u32 [n] and status u32 [1] from
//   merge_rows. lr, ε, λ in the uniform.
// Threading: one invocation per (entry, column), consecutive invocations on consecutive
//   columns; only first entries of a row do work, so every (row, column) has exactly one
//   writer — no atomics, no Hogwild races, deterministic.
// Numerics: f32 sums and update (common/optim_step.wgsl, shared with adagrad_update; the
//   reference uses f64, rounded to f32 on store; the parity test allows 1e-5). ε outside the
//   square root, as PyTorch's Adagrad.
// Bad input: status ≠ 0 (an index out of range) makes every invocation return before
//   writing, so nothing is half-updated.

//! requires common/row_chain.wgsl
//! requires common/optim_step.wgsl

struct Params {
  n: u32,
  width: u32,
  lr: f32,
  eps: f32,
  weight_decay: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
@group(0) @binding(4) var<storage, read_write> sum: array<f32>;
@group(0) @binding(5) var<storage, read> links: array<u32>;
@group(0) @binding(6) var<storage, read> status: array<u32>;

const WORKGROUP: u32 = 64u;

@compute @workgroup_size(WORKGROUP)
fn sparse_adagrad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
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
  let next = adagrad_step(param[i], sum[i], g, params.lr, params.eps, params.weight_decay);
  sum[i] = next.sum;
  param[i] = next.p;
}
