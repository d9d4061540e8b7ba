//! requires common/float_pair.wgsl
// norm/layer_norm_grad.wgsl — entry points `layer_norm_grad` (dx) and `layer_norm_grad_params`
// (dγ, dβ): the backward of norm/layer_norm.wgsl, the WGSL twin of
// kernels/cpu/norm/layer_norm.cc (reference and full contract:
// packages/core/src/kernels/norm/layer_norm.ts). From dy and the forward's saved μ and r:
//
//   x̂_i = (x_i − μ)·r,   g_i = dy_i·γ_i
//   dx_i = r·((g_i − Σ g / d) − x̂_i·Σ g·x̂ / d)          (layer_norm_grad: one row per workgroup)
//   dγ_i = Σ_rows dy_i·x̂_i,   dβ_i = Σ_rows dy_i        (layer_norm_grad_params: one column per workgroup)
//
// Layouts and dtypes: f32; dy, x, dx [rows, d] row-major; gamma, dgamma, dbeta [d]; mean,
//   rstd [rows]. The host runs both entry points in one pass list (bindings: dx uses 1–6,
//   the params 1, 2, 4, 5, 7, 8).
// Threading: a workgroup of 64 per row (dx) or per column (dγ, dβ), 2-D grids past 65535;
//   invocation l takes the elements i ≡ l (mod 64) of its row, or the rows ≡ l (mod 64) of
//   its column, and a fixed tree in workgroup memory combines the 64 partials, so results do
//   not depend on scheduling (no atomics) and each output has one writer.
// Numerics: x̂ and g in f32 (x − μ rounds to ½ ulp of itself: no cancellation against μ);
//   every sum a float pair (common/float_pair.wgsl, ~48 bits, against the reference's f64);
//   measured against the reference on the parity cases (packages/kernels/test/parity/
//   layer_norm_grad.test.ts, llvmpipe): within 1.6·10⁻⁷ of the size of the terms each output
//   sums (dx: r·(|g_i| + mean|g| + |x̂_i|·mean|g·x̂|); dγ: Σ|dy·x̂|; dβ: Σ|dy|).

struct Params {
  rows: u32,
  dim: u32,
  // 1.0, opaque to the compiler (see common/float_pair.wgsl).
  unit: f32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> rstd: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;
@group(0) @binding(7) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(8) var<storage, read_write> dbeta: array<f32>;

const WORKGROUP: u32 = 64u;

fn float_pair_unit() -> f32 {
  return params.unit;
}

var<workgroup> red: array<vec4<f32>, WORKGROUP>;

/// The fixed tree over red[0..64): (pair, pair) sums; every invocation gets the total.
fn tree_total(lid: u32) -> vec4<f32> {
  workgroupBarrier();
  for (var k = WORKGROUP / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      let a = red[lid];
      let b = red[lid + k];
      red[lid] = vec4<f32>(pair_add(a.xy, b.xy), pair_add(a.zw, b.zw));
    }
    workgroupBarrier();
  }
  return workgroupUniformLoad(&red[0]);
}

@compute @workgroup_size(WORKGROUP)
fn layer_norm_grad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * groups.x;
  if (row >= params.rows) {
    return;
  }
  let d = params.dim;
  let base = row * d;
  let mu = mean[row];
  let r = rstd[row];

  var sg = vec2<f32>(0.0, 0.0);
  var sgx = vec2<f32>(0.0, 0.0);
  for (var i = lid; i < d; i += WORKGROUP) {
    let g = dy[base + i] * gamma[i];
    sg = pair_add_f32(sg, g);
    sgx = pair_add_f32(sgx, g * ((x[base + i] - mu) * r));
  }
  red[lid] = vec4<f32>(sg, sgx);
  let total = tree_total(lid);
  let fd = f32(d);
  let a = pair_value(total.xy) / fd;
  let c = pair_value(total.zw) / fd;
  for (var i = lid; i < d; i += WORKGROUP) {
    let xh = (x[base + i] - mu) * r;
    dx[base + i] = r * ((dy[base + i] * gamma[i] - a) - xh * c);
  }
}

@compute @workgroup_size(WORKGROUP)
fn layer_norm_grad_params(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let col = wid.x + wid.y * groups.x;
  if (col >= params.dim) {
    return;
  }
  let d = params.dim;
  var sgx = vec2<f32>(0.0, 0.0);
  var sb = vec2<f32>(0.0, 0.0);
  for (var row = lid; row < params.rows; row += WORKGROUP) {
    let g = dy[row * d + col];
    sgx = pair_add_f32(sgx, g * ((x[row * d + col] - mean[row]) * rstd[row]));
    sb = pair_add_f32(sb, g);
  }
  red[lid] = vec4<f32>(sgx, sb);
  let total = tree_total(lid);
  if (lid == 0u) {
    dgamma[col] = pair_value(total.xy);
    dbeta[col] = pair_value(total.zw);
  }
}
