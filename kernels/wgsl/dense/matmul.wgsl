// dense/matmul.wgsl — entry point `matmul`.
//
// Equation: C[b] = op(A[b]) · op(B[b]), op ∈ {identity, transpose}, C [batch, m, n],
//   op(A) [m, k], op(B) [k, n]; c_ij = Σ_p op(A)_ip · op(B)_pj.
// Layouts and dtypes: f32, row-major, contiguous. A is [.., m, k] ([.., k, m] when
//   TRANSPOSE_A), B is [.., k, n] ([.., n, k] when TRANSPOSE_B). a_step / b_step are the
//   elements between batches (0 for a 2-D operand shared by every batch).
// Threading: a workgroup of 16×16 invocations computes a 64×64 tile of C; each
//   invocation a 4×4 block (rows ty + 16·i, columns tx + 16·j, strided so that reads from
//   workgroup memory do not collide). The k axis is walked in steps of 16: each step
//   the workgroup stages a 64×16 tile of op(A) and a 16×64 tile of op(B) in workgroup
//   memory (4 loads per invocation each), then 16 rank-1 updates. workgroup_id.z = batch.
// Variants: TRANSPOSE_A and TRANSPOSE_B are pipeline-override constants (compile-time, part
//   of the pipeline cache key); they change only how a tile is loaded, so that
//   consecutive invocations read consecutive addresses of the operand as it is stored.
// Numerics: f32 products and f32 accumulation (the js reference accumulates in f64; the
//   parity test allows 1e-4 relative). Out-of-range tile elements load as 0.
// Limits: ⌈n/64⌉, ⌈m/64⌉ and batch ≤ 65535 (the host checks).
// Serves: the dense layers of NCF (He et al. 2017, §3.3 MLP) and score-all-items U·Vᵀ.
// Shared: the tile loop is `matmul_block`, which dense/dense_bias_act.wgsl reuses (it requires
//   this file) and finishes with bias + activation.

override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  _pad: u32,
  a_step: u32,
  b_step: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const TILE: u32 = 64u;
const TILE_K: u32 = 16u;

// tile_a[p][i] = op(A)[i0 + i, p0 + p]; tile_b[p][j] = op(B)[p0 + p, j0 + j].
var<workgroup> tile_a: array<array<f32, 64>, 16>;
var<workgroup> tile_b: array<array<f32, 64>, 16>;

// This workgroup's tile: acc[r][s] = C[b][i0 + ty + 16·r, j0 + tx + 16·s] (zero past the edges).
// Shared with dense/dense_bias_act.wgsl, which adds its epilogue; call it from uniform control flow
// (it holds workgroup barriers).
fn matmul_block(lid: vec3<u32>, wid: vec3<u32>) -> array<vec4<f32>, 4> {
  let m = params.m;
  let n = params.n;
  let k = params.k;
  let i0 = wid.y * TILE;
  let j0 = wid.x * TILE;
  let a_base = wid.z * params.a_step;
  let b_base = wid.z * params.b_step;
  let tx = lid.x;
  let ty = lid.y;
  let flat = ty * 16u + tx;
  var acc: array<vec4<f32>, 4>;
  for (var p0 = 0u; p0 < k; p0 += TILE_K) {
    for (var l = 0u; l < 4u; l++) {
      let e = flat + l * 256u;
      // op(A) tile element (row i, column p), read along A's contiguous axis.
      var i: u32;
      var p: u32;
      if (TRANSPOSE_A) {
        p = e / TILE;
        i = e % TILE;
      } else {
        i = e / TILE_K;
        p = e % TILE_K;
      }
      let gi = i0 + i;
      let gp = p0 + p;
      var va = 0.0;
      if (gi < m && gp < k) {
        if (TRANSPOSE_A) {
          va = a[a_base + gp * m + gi];
        } else {
          va = a[a_base + gi * k + gp];
        }
      }
      tile_a[p][i] = va;
      // op(B) tile element (row q, column j).
      var q: u32;
      var j: u32;
      if (TRANSPOSE_B) {
        j = e / TILE_K;
        q = e % TILE_K;
      } else {
        q = e / TILE;
        j = e % TILE;
      }
      let gq = p0 + q;
      let gj = j0 + j;
      var vb = 0.0;
      if (gq < k && gj < n) {
        if (TRANSPOSE_B) {
          vb = b[b_base + gj * k + gq];
        } else {
          vb = b[b_base + gq * n + gj];
        }
      }
      tile_b[q][j] = vb;
    }
    workgroupBarrier();
    for (var p = 0u; p < TILE_K; p++) {
      let bv = vec4<f32>(tile_b[p][tx], tile_b[p][tx + 16u], tile_b[p][tx + 32u], tile_b[p][tx + 48u]);
      acc[0] += tile_a[p][ty] * bv;
      acc[1] += tile_a[p][ty + 16u] * bv;
      acc[2] += tile_a[p][ty + 32u] * bv;
      acc[3] += tile_a[p][ty + 48u] * bv;
    }
    workgroupBarrier();
  }
  return acc;
}

@compute @workgroup_size(16, 16)
fn matmul(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let m = params.m;
  let n = params.n;
  let tx = lid.x;
  let ty = lid.y;
  let i0 = wid.y * TILE;
  let j0 = wid.x * TILE;
  let acc = matmul_block(lid, wid);
  let c_base = wid.z * m * n;
  for (var r = 0u; r < 4u; r++) {
    let gi = i0 + ty + 16u * r;
    if (gi < m) {
      for (var s = 0u; s < 4u; s++) {
        let gj = j0 + tx + 16u * s;
        if (gj < n) {
          c[c_base + gi * n + gj] = acc[r][s];
        }
      }
    }
  }
}
