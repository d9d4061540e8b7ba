//! requires common/fast_exp.wgsl
// softmax/softmax.wgsl — entry points `softmax` and `log_softmax` along one axis, the WGSL
// twin of kernels/cpu/softmax/softmax.cc (reference and full contract:
// packages/core/src/kernels/softmax/softmax.ts):
//
//   softmax(x)_i     = e^(x_i − m) / Σ_j e^(x_j − m),      m = max_j x_j
//   log_softmax(x)_i = x_i − m − log Σ_j e^(x_j − m)
//
// Subtracting the max keeps every exponent ≤ 0, so nothing overflows.
// Layouts and dtypes: x f32 and y (written as f32 bits) viewed as [outer, len, inner], the axis
//   in the middle; a row is (o, c), its elements x[o·len·inner + i·inner + c]. f32 only (the
//   reference's dtype).
// Threading: one workgroup of 64 per row (2-D grid past 65535 rows); invocation l takes the
//   elements i ≡ l (mod 64) and fixed trees in workgroup memory combine the 64 maxima and the 64
//   partial sums, so the result does not depend on scheduling (no atomics). Not tuned for
//   short rows (len ≪ 64 leaves most invocations idle).
// Numerics: the max by integer order keys (±0 equal, NaN flagged apart: WGSL does not promise
//   NaN or ∞ through float operations); e^(x − m) by common/fast_exp.wgsl with x − m exact as a
//   pair (≤ 2 ulp); Σ as a float pair (common/float_pair.wgsl, ~48 bits, against the
//   reference's f64); softmax = e_i · (1/Σ) with 1/Σ refined by one Newton step (WGSL's
//   division is only 2.5 ulp); log Σ = L₀ + (Σ − e^L₀)/e^L₀ with L₀ the builtin log (one Newton
//   step through the accurate exp: |error| ≈ 2 ulp of e^L relative, ~2.4·10⁻⁷ absolute),
//   log_softmax = ((x_i − m)_hi − log Σ) + (x_i − m)_lo. Measured against the f64 reference on
//   the parity cases: see packages/kernels/test/parity/softmax.test.ts and log_softmax.test.ts.
//   Probabilities below e^−87.3·(1/Σ) (f32 subnormals in the reference) come out 0.
// Special rows (the reference's f64 path gives them exactly): a row holding a NaN, or whose
//   max is ±∞ (a +∞, or all −∞), is NaN throughout, as the reference's (x − m) goes NaN;
//   −∞ among finite values gives probability 0 and log-probability −∞.

struct Params {
  outer: u32,
  len: u32,
  inner: u32,
  rows: u32,
  // 1.0, opaque to the compiler (see common/float_pair.wgsl).
  unit: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

const WORKGROUP: u32 = 64u;
const NAN_BITS: u32 = 0x7fc00000u;
const NEG_INF_BITS: u32 = 0xff800000u;

fn float_pair_unit() -> f32 {
  return params.unit;
}

var<workgroup> red_key: array<u32, WORKGROUP>;
var<workgroup> red_nan: array<u32, WORKGROUP>;
var<workgroup> red_sum: array<vec2<f32>, WORKGROUP>;

// A key whose unsigned order is the order of non-NaN f32 values, ±0 equal; 0 is below every value.
fn order_key(bits_in: u32) -> u32 {
  let bits = select(bits_in, 0u, bits_in == 0x80000000u);
  return select(bits | 0x80000000u, ~bits, (bits & 0x80000000u) != 0u);
}

fn key_bits(key: u32) -> u32 {
  return select(~key, key & 0x7fffffffu, (key & 0x80000000u) != 0u);
}

fn softmax_row(row: u32, lid: u32, log_out: bool) {
  let len = params.len;
  let inner = params.inner;
  let base = (row / inner) * len * inner + row % inner;

  var key = 0u;
  var nan = 0u;
  for (var i = lid; i < len; i += WORKGROUP) {
    let b = x[base + i * inner];
    if ((b & 0x7fffffffu) > 0x7f800000u) {
      nan = 1u;
    } else {
      key = max(key, order_key(b));
    }
  }
  red_key[lid] = key;
  red_nan[lid] = nan;
  workgroupBarrier();
  for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red_key[lid] = max(red_key[lid], red_key[lid + s]);
      red_nan[lid] |= red_nan[lid + s];
    }
    workgroupBarrier();
  }
  let max_bits = key_bits(workgroupUniformLoad(&red_key[0]));
  let any_nan = workgroupUniformLoad(&red_nan[0]);
  if (any_nan != 0u || (max_bits & 0x7f800000u) == 0x7f800000u) {
    for (var i = lid; i < len; i += WORKGROUP) {
      y[base + i * inner] = NAN_BITS;
    }
    return;
  }
  let m = bitcast<f32>(max_bits);

  var sum = vec2<f32>(0.0, 0.0);
  for (var i = lid; i < len; i += WORKGROUP) {
    let b = x[base + i * inner];
    if (b != NEG_INF_BITS) {
      sum = pair_add_f32(sum, exp_difference(bitcast<f32>(b), m));
    }
  }
  red_sum[lid] = sum;
  workgroupBarrier();
  for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      red_sum[lid] = pair_add(red_sum[lid], red_sum[lid + s]);
    }
    workgroupBarrier();
  }
  // Σ ≥ 1 (the max's own term is e⁰ = 1), so neither 1/Σ nor log Σ meets an edge case.
  let total = workgroupUniformLoad(&red_sum[0]);

  if (log_out) {
    let l0 = log(total.x);
    let e = exp_pair(l0, 0.0);
    let log_sum = l0 + ((total.x - e) + total.y) / e;
    for (var i = lid; i < len; i += WORKGROUP) {
      let b = x[base + i * inner];
      if (b == NEG_INF_BITS) {
        y[base + i * inner] = NEG_INF_BITS;
      } else {
        let d = two_sum(bitcast<f32>(b), -m);
        y[base + i * inner] = bitcast<u32>((d.x - log_sum) + d.y);
      }
    }
  } else {
    let inv0 = 1.0 / total.x;
    let inv = inv0 + inv0 * ((1.0 - total.x * inv0) - total.y * inv0);
    for (var i = lid; i < len; i += WORKGROUP) {
      let b = x[base + i * inner];
      var p = 0.0;
      if (b != NEG_INF_BITS) {
        p = exp_difference(bitcast<f32>(b), m) * inv;
      }
      y[base + i * inner] = bitcast<u32>(p);
    }
  }
}

fn row_of(wid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return wid.x + wid.y * groups.x;
}

@compute @workgroup_size(WORKGROUP)
fn softmax(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wid, groups);
  if (row >= params.rows) {
    return;
  }
  softmax_row(row, lid, false);
}

@compute @workgroup_size(WORKGROUP)
fn log_softmax(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = row_of(wid, groups);
  if (row >= params.rows) {
    return;
  }
  softmax_row(row, lid, true);
}
