// optim/adam_update.wgsl — entry point `adam_update`: one dense Adam / AdamW step, in place
// (Kingma & Ba 2015, Algorithm 1; decoupled decay as Loshchilov & Hutter 2019, Algorithm 2).
//
// Equation, for each element i, with the global step t:
//   g = grad[i] + l2·p;   m = β₁·m + (1 − β₁)·g;   v = β₂·v + (1 − β₂)·g²
//   p = decay·p − lr·(m / c₁) / (√(v / c₂) + ε),   c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ
// Coupled L2: l2 = λ, decay = 1; AdamW: l2 = 0, decay = 1 − lr·λ (the host sets both, and c₁,
//   c₂ computed in f64). common/optim_step.wgsl's adam_step, shared with sparse_adam.
// Layouts and dtypes: param, grad, m, v f32 [n], contiguous; param, m and v in place.
// Threading: one invocation per element; each element has one writer — no atomics.
// Numerics: f32 (the reference computes in f64 and rounds on store; parity tolerance
//   1e-6 + 1e-5·|ref|). Memory-bound.
// Limits: n < 2³² (the host checks).

//! requires common/optim_step.wgsl

struct Params {
  n: u32,
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
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

const WORKGROUP: u32 = 256u;

@compute @workgroup_size(WORKGROUP)
fn adam_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.n) {
    return;
  }
  let next = adam_step(param[i], m[i], v[i], grad[i], params.lr, params.beta1, params.beta2, params.eps, params.l2, params.decay, params.correction1, params.correction2);
  m[i] = next.m;
  v[i] = next.v;
  param[i] = next.p;
}
