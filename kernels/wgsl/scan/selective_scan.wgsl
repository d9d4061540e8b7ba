//! requires common/fast_exp.wgsl
// scan/selective_scan.wgsl — entry points `selective_scan_terms` and `selective_scan` (run in that
// order): Mamba's selective scan, forward, the WGSL twin of kernels/cpu/scan/selective_scan.cc
// (reference and full contract: packages/core/src/kernels/scan/selective_scan.ts). The bindings,
// the index helpers and the decay are shared with scan/selective_scan_grad.wgsl.
//
// Equation, for each sequence b, channel e and state entry n, from h = 0:
//   h_t = exp(Δ[b,t,e]·A[e,n])·h_{t−1} + (Δ[b,t,e]·u[b,t,e])·B[b,t,n]
//   y[b,t,e] = Σ_n h_t·C[b,t,n] + D[e]·u[b,t,e]
// Each n is a chain of its own; only y sums over n. So `selective_scan_terms` runs one
// invocation per (b, e, n) and writes h_t·C[b,t,n] to a scratch buffer, and `selective_scan`
// sums them over n, one invocation per (b, t, e).
//
// Layouts and dtypes: f32; u, delta, y [batch, T, E]; A [E, N]; B, C [batch, T, N]; D [E];
//   scratch S [nb, T, E, N] for the nb sequences from b0 that one dispatch pair covers (the host
//   runs the pair once per slice of sequences, so the scratch stays within the device's storage
//   binding limit).
// Threading: workgroups of 64 on a linear grid (linearGrid: x, then y past 65535 workgroups).
//   Every output and scratch element has one writer; no atomics, so results do not depend on
//   scheduling.
// Numerics: each chain's state in f32 (the reference keeps it in f64: with Δ > 0 and A < 0,
//   as Mamba makes them, |exp(Δ·A)| < 1 and a rounding error decays along the chain); exp is
//   common/fast_exp.wgsl's (≤ 2 ulp; the builtin's error grows with |x|); the sum over n is a
//   float pair (common/float_pair.wgsl) in n order, D·u added last as the reference does.
//   Measured against the reference (packages/kernels/test/parity/selective_scan.test.ts).

struct Params {
  // First sequence of this slice, and the slice's sequence count.
  b0: u32,
  nb: u32,
  T: u32,
  E: u32,
  N: u32,
  // The slice's index (selective_scan_grad_partials), or the number of slices (_totals).
  slice: u32,
  // 1.0, opaque to the compiler (see common/float_pair.wgsl).
  unit: f32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> delta: array<f32>;
@group(0) @binding(3) var<storage, read> A: array<f32>;
@group(0) @binding(4) var<storage, read> B: array<f32>;
@group(0) @binding(5) var<storage, read> C: array<f32>;
@group(0) @binding(6) var<storage, read> D: array<f32>;
@group(0) @binding(8) var<storage, read_write> S: array<f32>;
@group(0) @binding(10) var<storage, read_write> y: array<f32>;

const WORKGROUP: u32 = 64u;

fn float_pair_unit() -> f32 {
  return params.unit;
}

/// The linear invocation id on linearGrid's grid.
fn linear_id(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WORKGROUP;
}

/// Index into u, delta (and y, du, dΔ) of local sequence bl, position t, channel e.
fn at_index(bl: u32, t: u32, e: u32) -> u32 {
  return ((params.b0 + bl) * params.T + t) * params.E + e;
}

/// Index into B, C (and dB, dC) of local sequence bl, position t, state entry n.
fn row_index(bl: u32, t: u32, n: u32) -> u32 {
  return ((params.b0 + bl) * params.T + t) * params.N + n;
}

/// Index into the slice's scratch of local sequence bl, position t, channel e, state entry n.
fn scratch_index(bl: u32, t: u32, e: u32, n: u32) -> u32 {
  return ((bl * params.T + t) * params.E + e) * params.N + n;
}

/// exp(Δ·A[e,n]): the decay of state entry n of channel e at a position whose Δ is `dt`.
fn decay(dt: f32, e: u32, n: u32) -> f32 {
  let x = dt * A[e * params.N + n];
  // exp_pair's range ends at 88 (an f32 overflows at 88.72); beyond it the builtin gives ∞.
  return select(exp_pair(x, 0.0), exp(x), x > 88.0);
}

/// (bl, e, n) of chain i (n fastest), for the entry points with one invocation per chain.
fn chain_of(i: u32) -> vec3<u32> {
  return vec3<u32>(i / (params.N * params.E), (i / params.N) % params.E, i % params.N);
}

/// (bl, t, e) of position i (e fastest), for the entry points with one invocation per (b, t, e).
fn position_of(i: u32) -> vec3<u32> {
  return vec3<u32>(i / (params.E * params.T), (i / params.E) % params.T, i % params.E);
}

/// h_t of chain (bl, e, n) from h_{t−1}: exp(Δ·A)·h + (Δ·u)·B.
fn next_state(h: f32, bl: u32, t: u32, e: u32, n: u32) -> f32 {
  let at = at_index(bl, t, e);
  let dt = delta[at];
  return decay(dt, e, n) * h + (dt * u[at]) * B[row_index(bl, t, n)];
}

@compute @workgroup_size(WORKGROUP)
fn selective_scan_terms(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_id(gid, groups);
  if (i >= params.nb * params.E * params.N) {
    return;
  }
  let c = chain_of(i);
  var h = 0.0;
  for (var t = 0u; t < params.T; t++) {
    h = next_state(h, c.x, t, c.y, c.z);
    S[scratch_index(c.x, t, c.y, c.z)] = h * C[row_index(c.x, t, c.z)];
  }
}

@compute @workgroup_size(WORKGROUP)
fn selective_scan(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_id(gid, groups);
  if (i >= params.nb * params.T * params.E) {
    return;
  }
  let p = position_of(i);
  let at = at_index(p.x, p.y, p.z);
  var sum = vec2<f32>(0.0, 0.0);
  for (var n = 0u; n < params.N; n++) {
    sum = pair_add_f32(sum, S[scratch_index(p.x, p.y, p.z, n)]);
  }
  sum = pair_add_f32(sum, D[p.z] * u[at]);
  y[at] = pair_value(sum);
}
