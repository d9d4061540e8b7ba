// dense/tower_score.wgsl — entry point `tower_score`: every (user, item) score of an NCF MLP
// tower (He et al. 2017, §3.3) in one kernel, the forward pass of the composite
// relu(U ⊕ V)·W₁ + b₁ … · h without materialising its B·N·H₀ activations.
//
// Equation: z₀ = relu(U_b + V_n),  z_l = relu(z_{l-1}·W_l + b_l) (l = 1..L, L ≥ 0),
//   S[b, n] = z_L · h;  z_l[j] = relu(Σ_p z_{l-1}[p]·W_l[p, j] + b_l[j]).
// Layouts and dtypes: U f32 [B, H₀], V f32 [N, H₀], S f32 [B, N], row-major. The layers come in
//   ONE binding (`weights`), packed end to end by GPU copies on the host side (to stay within 8
//   storage buffers whatever L is): W₁ [H₀, H₁] ‖ b₁ [H₁] ‖ … ‖ W_L [H_{L-1}, H_L] ‖ b_L [H_L] ‖
//   h [H_L]; the shader recovers each part's offset from the widths H₀ … H_L in the uniform.
// Threading: one invocation per (b, n) pair computes the whole tower in two function-scope
//   arrays of MAX_WIDTH (a layer writes `next` from `z`, then copies it back); workgroups of 64 along the items (x), one user per
//   workgroup row (y), so a workgroup reads one row of U and the same weights (broadcast reads).
//   users along y are split into several dispatches of ≤ 65535 by the host, each with its first
//   user in `user0`; out-of-range invocations return.
//   Simple, not fast: the activations live in private memory indexed at run time (lavapipe:
//   about as fast as the js reference); a fast version would stage a tile of items' activations
//   in workgroup memory and run each layer as a small cooperative matmul.
// Numerics: f32 products and f32 accumulation, each layer's bias added after its sum, as the js
//   reference (which accumulates in f64 and rounds each layer to f32); the parity test allows
//   1e-4 of the score scale, as for native.
// Limits: every width ≤ MAX_WIDTH = 256, L ≤ 15 (the widths fill 4 vec4 of the uniform), and
//   ⌈N/64⌉ ≤ 65535 — the host checks all three. Forward only (evaluation and serving):
//   training differentiates the composite. Matches `tower_score` of
//   packages/core/src/kernels/dense/tower_score.ts (the js reference).

struct Params {
  users: u32,
  items: u32,
  layers: u32,
  // First user of this dispatch (the host splits the users into dispatches of ≤ 65535 rows).
  user0: u32,
  // H₀ … H_L, four per vec4.
  widths: array<vec4<u32>, 4>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> U: array<f32>;
@group(0) @binding(2) var<storage, read> V: array<f32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> S: array<f32>;

const WORKGROUP: u32 = 64u;
const MAX_WIDTH: u32 = 256u;

fn width(l: u32) -> u32 {
  return params.widths[l / 4u][l % 4u];
}

@compute @workgroup_size(WORKGROUP)
fn tower_score(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = gid.x;
  let b = params.user0 + gid.y;
  if (n >= params.items || b >= params.users) {
    return;
  }
  var z: array<f32, MAX_WIDTH>;
  var next: array<f32, MAX_WIDTH>;
  var k = width(0u);
  let u_row = b * k;
  let v_row = n * k;
  for (var j = 0u; j < k; j++) {
    z[j] = max(U[u_row + j] + V[v_row + j], 0.0);
  }
  // Offset of the current part of `weights` (W_l, then b_l; after the loop, h).
  var off = 0u;
  for (var l = 1u; l <= params.layers; l++) {
    let m = width(l);
    let bias = off + k * m;
    for (var j = 0u; j < m; j++) {
      var acc = 0.0;
      for (var p = 0u; p < k; p++) {
        acc += z[p] * weights[off + p * m + j];
      }
      next[j] = max(acc + weights[bias + j], 0.0);
    }
    for (var j = 0u; j < m; j++) {
      z[j] = next[j];
    }
    off = bias + m;
    k = m;
  }
  var score = 0.0;
  for (var j = 0u; j < k; j++) {
    score += z[j] * weights[off + j];
  }
  S[b * params.items + n] = score;
}
