// optim/sgd_update.wgsl — entry point `sgd_update`: one dense SGD step, in place (PyTorch's
// SGD with L2 weight decay and heavy-ball or Nesterov momentum).
//
// Equation, for each element i:
//   g = grad[i] + λ·param[i]
//   without momentum:  param[i] −= lr·g
//   with momentum μ:   velocity[i] = μ·velocity[i] + g;
//                      param[i] −= lr·(NESTEROV ? g + μ·velocity[i] : velocity[i])
// (common/optim_step.wgsl's sgd_step, shared with sparse_sgd.)
// Variants: overrides MOMENTUM (velocity bound and used) and NESTEROV; without momentum the
//   host binds a 4-byte placeholder as `velocity`, never read or written.
// Layouts and dtypes: param, grad, velocity f32 [n], contiguous; param and velocity in place.
// Threading: one invocation per element; each element has one writer — no atomics.
// Numerics: f32 (the reference computes in f64 and rounds on store; parity tolerance
//   1e-6 + 1e-5·|ref|). Memory-bound.
// Limits: n < 2³² (the host checks).

//! requires common/optim_step.wgsl

struct Params {
  n: u32,
  lr: f32,
  momentum: f32,
  weight_decay: f32,
}

override MOMENTUM: bool = false;
override NESTEROV: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> velocity: array<f32>;

const WORKGROUP: u32 = 256u;

@compute @workgroup_size(WORKGROUP)
fn sgd_update(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.n) {
    return;
  }
  var vel = 0.0;
  if (MOMENTUM) {
    vel = velocity[i];
  }
  let next = sgd_step(param[i], vel, grad[i], params.lr, params.momentum, params.weight_decay, MOMENTUM, NESTEROV);
  if (MOMENTUM) {
    velocity[i] = next.v;
  }
  param[i] = next.p;
}
