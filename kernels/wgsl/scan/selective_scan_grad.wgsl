//! requires scan/selective_scan.wgsl
// scan/selective_scan_grad.wgsl — entry points `selective_scan_grad_chain`, `_bc`, `_u`, `_delta`
// and `_partials` (run in that order for each slice of sequences), then `_totals` once: the
// backward of scan/selective_scan.wgsl, whose bindings, index helpers and decay it reuses; the
// WGSL twin of kernels/cpu/scan/selective_scan.cc (reference and full contract:
// packages/core/src/kernels/scan/selective_scan.ts).
//
// Equation: with a_t = exp(Δ_t·A[e,n]) and G_t = dL/dh_t for each (b, e, n) chain —
//   G_t = dy_t·C_t[n] + a_{t+1}·G_{t+1}            (G_T = 0; h_{−1} = 0)
//   dC[b,t,n] = Σ_e dy[b,t,e]·h_t                  dB[b,t,n] = Σ_e G_t·Δ[b,t,e]·u[b,t,e]
//   du[b,t,e] = dy·D[e] + Σ_n G_t·Δ·B[b,t,n]       dΔ[b,t,e] = Σ_n G_t·(A[e,n]·a_t·h_{t−1} + u·B[b,t,n])
//   dA[e,n] = Σ_b Σ_t G_t·a_t·Δ·h_{t−1}            dD[e] = Σ_b Σ_t dy·u
// `_chain` (one invocation per (b, e, n)) runs the chain forward, keeping h_t in scratch S, and
// back, keeping G_t in scratch G; every gradient is then a sum over S and G: `_bc` one
// invocation per (b, t, n), `_u` and `_delta` one per (b, t, e), `_partials` one per (e, n) and
// per e (dA and dD over the slice's sequences, as float pairs, into row `slice` of `partials`),
// `_totals` one per (e, n) and per e (the slices' pairs in slice order).
//
// Layouts and dtypes: f32; dy, du, ddelta [batch, T, E]; dA [E, N]; dB, dC [batch, T, N];
//   dD [E]; scratch S and G [nb, T, E, N]; partials [slices, E·N + E] pairs (dA's, then dD's).
// Threading: as scan/selective_scan.wgsl: one writer per element, no atomics, each sum in a
//   fixed order (n, e, or sequence then position), so results do not depend on scheduling.
// Numerics: h and G in f32 (both chains decay: |a| < 1); every sum a float pair; a_t
//   recomputed by the same decay() as the forward, so each pass sees the same value.
//   Measured against the reference (packages/kernels/test/parity/selective_scan_grad.test.ts).

@group(0) @binding(9) var<storage, read_write> G: array<f32>;
@group(0) @binding(11) var<storage, read> dy: array<f32>;
@group(0) @binding(12) var<storage, read_write> du: array<f32>;
@group(0) @binding(13) var<storage, read_write> ddelta: array<f32>;
@group(0) @binding(14) var<storage, read_write> dA: array<f32>;
@group(0) @binding(15) var<storage, read_write> dB: array<f32>;
@group(0) @binding(16) var<storage, read_write> dC: array<f32>;
@group(0) @binding(17) var<storage, read_write> dD: array<f32>;
@group(0) @binding(18) var<storage, read_write> partials: array<vec2<f32>>;

@compute @workgroup_size(WORKGROUP)
fn selective_scan_grad_chain(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_id(gid, groups);
  if (i >= params.nb * params.E * params.N) {
    return;
  }
  let c = chain_of(i);
  let bl = c.x;
  let e = c.y;
  let n = c.z;
  var h = 0.0;
  for (var t = 0u; t < params.T; t++) {
    h = next_state(h, bl, t, e, n);
    S[scratch_index(bl, t, e, n)] = h;
  }
  var g = 0.0;
  for (var t = params.T; t > 0u; t--) {
    let at = at_index(bl, t - 1u, e);
    g += dy[at] * C[row_index(bl, t - 1u, n)];
    G[scratch_index(bl, t - 1u, e, n)] = g;
    g *= decay(delta[at], e, n);
  }
}

@compute @workgroup_size(WORKGROUP)
fn selective_scan_grad_bc(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_id(gid, groups);
  let N = params.N;
  if (i >= params.nb * params.T * N) {
    return;
  }
  let n = i % N;
  let t = (i / N) % params.T;
  let bl = i / (N * params.T);
  var sb = vec2<f32>(0.0, 0.0);
  var sc = vec2<f32>(0.0, 0.0);
  for (var e = 0u; e < params.E; e++) {
    let at = at_index(bl, t, e);
    let k = scratch_index(bl, t, e, n);
    sb = pair_add_f32(sb, G[k] * delta[at] * u[at]);
    sc = pair_add_f32(sc, dy[at] * S[k]);
  }
  let row = row_index(bl, t, n);
  dB[row] = pair_value(sb);
  dC[row] = pair_value(sc);
}

@compute @workgroup_size(WORKGROUP)
fn selective_scan_grad_u(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_id(gid, groups);
  if (i >= params.nb * params.T * params.E) {
    return;
  }
  let p = position_of(i);
  let bl = p.x;
  let t = p.y;
  let e = p.z;
  let at = at_index(bl, t, e);
  let dt = delta[at];
  var s = vec2<f32>(dy[at] * D[e], 0.0);
  for (var n = 0u; n < params.N; n++) {
    s = pair_add_f32(s, G[scratch_index(bl, t, e, n)] * dt * B[row_index(bl, t, n)]);
  }
  du[at] = pair_value(s);
}

@compute @workgroup_size(WORKGROUP)
fn selective_scan_grad_delta(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_id(gid, groups);
  if (i >= params.nb * params.T * params.E) {
    return;
  }
  let p = position_of(i);
  let bl = p.x;
  let t = p.y;
  let e = p.z;
  let at = at_index(bl, t, e);
  let dt = delta[at];
  let x = u[at];
  var s = vec2<f32>(0.0, 0.0);
  let prev = select(0u, t - 1u, t > 0u);
  for (var n = 0u; n < params.N; n++) {
    let before = select(0.0, S[scratch_index(bl, prev, e, n)], t > 0u);
    let from_decay = A[e * params.N + n] * decay(dt, e, n) * before;
    s = pair_add_f32(s, G[scratch_index(bl, t, e, n)] * (from_decay + x * B[row_index(bl, t, n)]));
  }
  ddelta[at] = pair_value(s);
}

@compute @workgroup_size(WORKGROUP)
fn selective_scan_grad_partials(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_id(gid, groups);
  let N = params.N;
  let E = params.E;
  let width = E * N + E;
  if (i >= width) {
    return;
  }
  var s = vec2<f32>(0.0, 0.0);
  if (i < E * N) {
    let e = i / N;
    let n = i % N;
    for (var bl = 0u; bl < params.nb; bl++) {
      for (var t = 1u; t < params.T; t++) {
        let dt = delta[at_index(bl, t, e)];
        let before = S[scratch_index(bl, t - 1u, e, n)];
        s = pair_add_f32(s, G[scratch_index(bl, t, e, n)] * decay(dt, e, n) * dt * before);
      }
    }
  } else {
    let e = i - E * N;
    for (var bl = 0u; bl < params.nb; bl++) {
      for (var t = 0u; t < params.T; t++) {
        let at = at_index(bl, t, e);
        s = pair_add_f32(s, dy[at] * u[at]);
      }
    }
  }
  partials[params.slice * width + i] = s;
}

@compute @workgroup_size(WORKGROUP)
fn selective_scan_grad_totals(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_id(gid, groups);
  let N = params.N;
  let E = params.E;
  let width = E * N + E;
  if (i >= width) {
    return;
  }
  var s = vec2<f32>(0.0, 0.0);
  for (var k = 0u; k < params.slice; k++) {
    s = pair_add(s, partials[k * width + i]);
  }
  if (i < E * N) {
    dA[i] = pair_value(s);
  } else {
    dD[i - E * N] = pair_value(s);
  }
}
