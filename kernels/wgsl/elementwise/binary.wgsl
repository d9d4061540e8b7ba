// elementwise/binary.wgsl — entry point `binary`: z = a ∘ b on f32 with NumPy broadcasting,
// ∘ chosen at pipeline creation (override FN, the index into BINARY_FNS of
// packages/kernels/src/webgpu/kernels/elementwise/binary.ts: add, sub, mul, div, pow,
// maximum, minimum, equal, greater, greater_equal; comparisons give f32 0/1).
//
// Broadcasting: the host aligns both shapes to the output's rank r ≤ 8 (axes from the
//   right) and passes the output shape and each input's element strides (0 on a stretched
//   axis); each invocation decomposes its output index from the last axis. When neither
//   input is broadcast (SAME_SHAPE) the index is used directly.
// Numerics: f32 (the reference computes in f64 and rounds to f32: add, sub, mul, div,
//   maximum, minimum and comparisons agree exactly; pow is exp2(b·log2 a) in most drivers,
//   so it agrees to a few ulps, and a negative base gives what the driver gives).
// Layouts and dtypes: a, b, z f32, dense row-major. Other dtypes stay on the host (the
//   glue throws).
// Threading: one invocation per output element; 2-D grid past 65535 workgroups.

struct Params {
  n: u32,
  rank: u32,
  _pad0: u32,
  _pad1: u32,
  shape: array<vec4<u32>, 2>,
  stride_a: array<vec4<u32>, 2>,
  stride_b: array<vec4<u32>, 2>,
}

override FN: u32 = 0u;
override SAME_SHAPE: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> z: array<f32>;

const WORKGROUP: u32 = 256u;

fn apply(u: f32, v: f32) -> f32 {
  switch (FN) {
    case 0u: { return u + v; }
    case 1u: { return u - v; }
    case 2u: { return u * v; }
    case 3u: { return u / v; }
    case 4u: { return pow(u, v); }
    case 5u: { return max(u, v); }
    case 6u: { return min(u, v); }
    case 7u: { return select(0.0, 1.0, u == v); }
    case 8u: { return select(0.0, 1.0, u > v); }
    case 9u: { return select(0.0, 1.0, u >= v); }
    default: { return u; }
  }
}

@compute @workgroup_size(WORKGROUP)
fn binary(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let o = gid.x + gid.y * groups.x * WORKGROUP;
  if (o >= params.n) {
    return;
  }
  if (SAME_SHAPE) {
    z[o] = apply(a[o], b[o]);
    return;
  }
  var rest = o;
  var ia = 0u;
  var ib = 0u;
  for (var ax = i32(params.rank) - 1; ax >= 0; ax--) {
    let q = u32(ax) / 4u;
    let c = u32(ax) % 4u;
    let size = params.shape[q][c];
    let idx = rest % size;
    rest = rest / size;
    ia += idx * params.stride_a[q][c];
    ib += idx * params.stride_b[q][c];
  }
  z[o] = apply(a[ia], b[ib]);
}
