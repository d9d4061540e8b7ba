//! requires common/float_pair.wgsl
// dense/ncf_head.wgsl — entry point `ncf_head`: the output layer of NCF's GMF and NeuMF units
// (He et al. 2017, eq. 9 and 11; NMTR eq. 6 and 8) in one kernel, the WGSL twin of
// kernels/cpu/dense/ncf_head.cc (reference and full contract:
// packages/core/src/kernels/dense/ncf_head.ts). Its backward is dense/ncf_head_grad.wgsl.
//
// Equation: logit_i = Σ_j p_ij·q_ij·h_j + Σ_k z_ik·h_{E+k}   (h over [p ⊙ q; z]; GMF: Z = 0).
// Layouts and dtypes: f32, row-major; p, q [n, E]; h [E + Z]; z [n, Z] (without z the host binds
//   a 4-byte stand-in, never read as Z = 0); logits [n].
// Bindings: 0 params, 1 p, 2 q, 3 h, 4 z, 5 logits.
// Threading: one invocation per row, workgroups of 64 rows on a 2-D grid past 65535 workgroups.
//   Simple, not fast: neighbouring invocations read words E apart; with E at most a few hundred
//   the whole row stays in one invocation, and every row has one writer (no atomics).
// Numerics: each term is formed in f32 left to right as the reference forms it in f64
//   ((p·q)·h, then z·h), and the terms are summed in j then k order as a float pair
//   (common/float_pair.wgsl, ~48 bits against the reference's f64), rounded once. So the only
//   difference from the reference is each three-factor term's extra rounding (≤ 1 ulp of the
//   term; a driver that fuses the term's last product into the pair's first addition, an fma,
//   perturbs only that rounding). The parity test allows 1e-5 relative plus 1e-6 per summed
//   term, as for native.
// Limits: n·(E + Z) < 2³² (u32 indices); the host checks.

struct Params {
  n: u32,
  e: u32,
  z: u32,
  // 1.0, opaque to the compiler (see common/float_pair.wgsl).
  unit: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> p: array<f32>;
@group(0) @binding(2) var<storage, read> q: array<f32>;
@group(0) @binding(3) var<storage, read> h: array<f32>;
@group(0) @binding(4) var<storage, read> z: array<f32>;
@group(0) @binding(5) var<storage, read_write> logits: array<f32>;

const WORKGROUP: u32 = 64u;

fn float_pair_unit() -> f32 {
  return params.unit;
}

@compute @workgroup_size(WORKGROUP)
fn ncf_head(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.n) {
    return;
  }
  let e = params.e;
  let zw = params.z;
  var sum = vec2<f32>(0.0, 0.0);
  for (var j = 0u; j < e; j++) {
    sum = pair_add_f32(sum, p[i * e + j] * q[i * e + j] * h[j]);
  }
  for (var k = 0u; k < zw; k++) {
    sum = pair_add_f32(sum, z[i * zw + k] * h[e + k]);
  }
  logits[i] = pair_value(sum);
}
