//! requires dense/matmul.wgsl
//! requires common/logistic.wgsl
// dense/dense_bias_act.wgsl — entry point `dense_bias_act`: a dense layer's forward pass in one
// kernel, the tower layer of the MLP models (NCF's MLP, He et al. 2017, §3.3).
//
// Equation: y = act(x·W + b), act ∈ {none, relu, sigmoid}; y_ij = act(Σ_p x_ip·W_pj + b_j).
//   sigmoid is common/logistic.wgsl's: no overflow (WGSL does not promise infinities), and it
//   saturates to exactly 0 or 1.
// Layouts and dtypes: x f32 [m, k], W f32 [k, n], b f32 [n], y f32 [m, n], row-major.
// Threading: matmul.wgsl's tiling (its `matmul_block`: 64×64 tiles of y per 16×16 workgroup,
//   k in steps of 16 through workgroup memory, 4×4 outputs per invocation), then the bias and
//   activation on the registers before the one store — y is written once, not three times.
// Variants: ACTIVATION (0 none, 1 relu, 2 sigmoid) is a pipeline-override constant.
// Numerics: f32 products and accumulation, bias added last (the js reference accumulates in f64
//   from the bias); the parity test allows 1e-4 relative, as for native.
// Limits: ⌈n/64⌉ and ⌈m/64⌉ ≤ 65535 (the host checks). Forward only: the composite
//   relu(add(matmul(x, W), b)) is what autograd differentiates, as in the reference.

override ACTIVATION: u32 = 0u;

@group(0) @binding(4) var<storage, read> bias: array<f32>;

fn activate(z: f32) -> f32 {
  if (ACTIVATION == 1u) {
    return max(z, 0.0);
  }
  if (ACTIVATION == 2u) {
    return sigmoid(z);
  }
  return z;
}

@compute @workgroup_size(16, 16)
fn dense_bias_act(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let m = params.m;
  let n = params.n;
  let i0 = wid.y * TILE;
  let j0 = wid.x * TILE;
  let acc = matmul_block(lid, wid);
  for (var r = 0u; r < 4u; r++) {
    let gi = i0 + lid.y + 16u * r;
    if (gi < m) {
      for (var s = 0u; s < 4u; s++) {
        let gj = j0 + lid.x + 16u * s;
        if (gj < n) {
          c[gi * n + gj] = activate(acc[r][s] + bias[gj]);
        }
      }
    }
  }
}
