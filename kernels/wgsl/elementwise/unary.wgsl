// elementwise/unary.wgsl — entry point `unary`: y_i = f(x_i) on f32, f chosen at pipeline
// creation (override FN, the index into UNARY_FNS of packages/kernels/src/webgpu/kernels/
// elementwise/unary.ts: neg, exp, log, sqrt, rsqrt, abs, sign, square, reciprocal, relu,
// step, sigmoid, tanh, softplus, log_sigmoid).
//
// Numerics, as @rec/core's reference: softplus(x) = max(x, 0) + log1p(e^−|x|) and
//   log_sigmoid(x) = min(x, 0) − log1p(e^−|x|) never overflow; sigmoid and tanh use the
//   sign-split forms so exp never sees a large positive argument (a driver's tanh may
//   overflow through e^2x); log1p is exact for tiny arguments (Goldberg's trick).
//   f32 throughout: exp and log are accurate to a few ulps in WGSL (the reference is f64
//   rounded to f32), so parity is atol + rtol·|ref|, not exact. Outside a function's
//   domain (log of a negative, rsqrt of 0) the result is what the driver gives.
// Layouts and dtypes: x f32 [n], y f32 [n].
// Threading: one invocation per element; 2-D grid past 65535 workgroups.

struct Params {
  n: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

override FN: u32 = 0u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

const WORKGROUP: u32 = 256u;

fn log1p_exact(t: f32) -> f32 {
  let u = 1.0 + t;
  if (u == 1.0) {
    return t;
  }
  return log(u) * t / (u - 1.0);
}

fn apply(v: f32) -> f32 {
  switch (FN) {
    case 0u: { return -v; }
    case 1u: { return exp(v); }
    case 2u: { return log(v); }
    case 3u: { return sqrt(v); }
    case 4u: { return 1.0 / sqrt(v); }
    case 5u: { return abs(v); }
    case 6u: { return sign(v); }
    case 7u: { return v * v; }
    case 8u: { return 1.0 / v; }
    case 9u: { return select(0.0, v, v > 0.0); }
    case 10u: { return select(0.0, 1.0, v > 0.0); }
    case 11u: {
      if (v >= 0.0) {
        return 1.0 / (1.0 + exp(-v));
      }
      let e = exp(v);
      return e / (1.0 + e);
    }
    case 12u: {
      let t = exp(-2.0 * abs(v));
      return sign(v) * (1.0 - t) / (1.0 + t);
    }
    case 13u: { return max(v, 0.0) + log1p_exact(exp(-abs(v))); }
    case 14u: { return min(v, 0.0) - log1p_exact(exp(-abs(v))); }
    default: { return v; }
  }
}

@compute @workgroup_size(WORKGROUP)
fn unary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.n) {
    return;
  }
  y[i] = apply(x[i]);
}
