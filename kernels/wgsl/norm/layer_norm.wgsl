//! requires common/float_pair.wgsl
// norm/layer_norm.wgsl — entry point `layer_norm`: layer normalisation over the last axis, the
// WGSL twin of kernels/cpu/norm/layer_norm.cc (reference and full contract:
// packages/core/src/kernels/norm/layer_norm.ts; the backward is norm/layer_norm_grad.wgsl):
//
//   μ = Σ x_i / d,   σ² = Σ (x_i − μ)² / d,   r = 1/√(σ² + ε)
//   y_i = (x_i − μ)·r·γ_i + β_i,   mean[row] = μ,   rstd[row] = r
//
// Layouts and dtypes: f32; x, y [rows, d] row-major; gamma, beta [d]; mean, rstd [rows].
//   d ≥ 1 and ε > 0 (the host checks both).
// Threading: one workgroup of 64 per row (2-D grid past 65535 rows); invocation l takes the
//   elements i ≡ l (mod 64), and fixed trees in workgroup memory combine the 64 partial sums,
//   so the result does not depend on scheduling (no atomics). Short rows (d ≪ 64) leave most
//   invocations idle.
// Numerics (the reference works in f64; WGSL has no f64): three passes over the row.
//   1. S = Σ x_i as a float pair (common/float_pair.wgsl), m = S/d rounded: a first mean.
//   2. e_i = x_i − m as an exact pair (TwoSum), S₁ = Σ e_i and S₂ = Σ e_i² as float pairs:
//      δ = S₁/d corrects the mean (μ = m + δ) and σ² = S₂/d − δ² (the corrected two-pass
//      formula), so a row whose mean is large against its spread keeps its digits.
//   3. r from inverseSqrt(σ² + ε) and one Newton step (WGSL allows inverseSqrt 2 ulp);
//      y_i = ((e_i − δ)·r)·γ_i + β_i in f32.
//   Measured against the f64 reference on the parity cases (packages/kernels/test/parity/
//   layer_norm.test.ts, llvmpipe): y within 2.7·10⁻⁷·(|x̂·γ| + |β|), r within 1.2·10⁻⁷ relative,
//   μ within 5·10⁻⁹ of the row's max |x|.

struct Params {
  rows: u32,
  dim: u32,
  epsilon: f32,
  // 1.0, opaque to the compiler (see common/float_pair.wgsl).
  unit: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;

const WORKGROUP: u32 = 64u;

fn float_pair_unit() -> f32 {
  return params.unit;
}

// One array per reduction: a reduction's last read (workgroupUniformLoad) and the next one's
// first writes are not separated by a barrier.
var<workgroup> red_sum: array<vec2<f32>, WORKGROUP>;
var<workgroup> red_moments: array<vec4<f32>, WORKGROUP>;

@compute @workgroup_size(WORKGROUP)
fn layer_norm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) {
    return;
  }
  let d = params.dim;
  let base = row * d;
  let fd = f32(d);

  var s = vec2<f32>(0.0, 0.0);
  for (var i = lid; i < d; i += WORKGROUP) {
    s = pair_add_f32(s, x[base + i]);
  }
  red_sum[lid] = s;
  workgroupBarrier();
  for (var k = WORKGROUP / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      red_sum[lid] = pair_add(red_sum[lid], red_sum[lid + k]);
    }
    workgroupBarrier();
  }
  let m = pair_value(workgroupUniformLoad(&red_sum[0])) / fd;

  var s1 = vec2<f32>(0.0, 0.0);
  var s2 = vec2<f32>(0.0, 0.0);
  for (var i = lid; i < d; i += WORKGROUP) {
    let e = two_sum(x[base + i], -m);
    s1 = pair_add(s1, e);
    s2 = pair_add_f32(s2, e.x * e.x);
  }
  red_moments[lid] = vec4<f32>(s1, s2);
  workgroupBarrier();
  for (var k = WORKGROUP / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      let a = red_moments[lid];
      let b = red_moments[lid + k];
      red_moments[lid] = vec4<f32>(pair_add(a.xy, b.xy), pair_add(a.zw, b.zw));
    }
    workgroupBarrier();
  }
  let moments = workgroupUniformLoad(&red_moments[0]);
  let delta = pair_value(moments.xy) / fd;
  let variance = max(pair_value(moments.zw) / fd - delta * delta, 0.0);
  let v = variance + params.epsilon;
  let r0 = inverseSqrt(v);
  let r = r0 + 0.5 * r0 * (1.0 - v * r0 * r0);

  for (var i = lid; i < d; i += WORKGROUP) {
    let e = two_sum(x[base + i], -m);
    y[base + i] = (((e.x - delta) + e.y) * r) * gamma[i] + beta[i];
  }
  if (lid == 0u) {
    mean[row] = m + delta;
    rstd[row] = r;
  }
}
