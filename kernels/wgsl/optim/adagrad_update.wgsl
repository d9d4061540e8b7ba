// optim/adagrad_update.wgsl — entry point `adagrad_update`: one dense Adagrad step, in place
// (Duchi, Hazan & Singer 2011, JMLR 12, §1.1, diagonal form).
//
// Equation, for each element i:
//   g = grad[i] + λ·param[i];  sum[i] += g²;  param[i] −= lr·g / (√sum[i] + ε)
// (common/optim_step.wgsl's adagrad_step, shared with sparse_adagrad; ε outside the root, as
// PyTorch's Adagrad.)
// Layouts and dtypes: param, grad, sum (G) f32 [n], contiguous; param and sum in place.
// Threading: one invocation per element; each element has one writer — no atomics.
// Numerics: f32 (the reference computes in f64 and rounds on store; parity tolerance
//   1e-6 + 1e-5·|ref|). Memory-bound.
// Limits: n < 2³² (the host checks).

//! requires common/optim_step.wgsl

struct Params {
  n: u32,
  lr: f32,
  eps: f32,
  weight_decay: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> sum: array<f32>;

const WORKGROUP: u32 = 256u;

@compute @workgroup_size(WORKGROUP)
fn adagrad_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.n) {
    return;
  }
  let next = adagrad_step(param[i], sum[i], grad[i], params.lr, params.eps, params.weight_decay);
  sum[i] = next.sum;
  param[i] = next.p;
}
