// dense/gather_matvec.wgsl — entry point `gather_matvec`: each row's own matrix, picked from a
// table by index, times the row's vector; the WGSL twin of kernels/cpu/dense/gather_matvec.cc
// (reference and full contract: packages/core/src/kernels/dense/gather_matvec.ts).
//
// Equation, for W [N, R, C], index [n] (each in [0, N)) and x [n, K]:
//   TRANSPOSE = false (K = C):  y[r, i] = Σ_c W[index[r], i, c] · x[r, c]     y [n, R]
//   TRANSPOSE = true  (K = R):  y[r, c] = Σ_i W[index[r], i, c] · x[r, i]     y [n, C]
//   The second-hand paper's per-category maps (eq. 1's W_c on the parent's representation,
//   eq. 2's W_δ(i)^item on the image features) and Sherlock's per-category projections; the
//   transposed form is the adjoint for x (dx = W[index]ᵀ · dy). Its adjoint for W is
//   dense/scatter_outer_add.wgsl.
// Layouts and dtypes: W f32 [N·R·C], x f32 [n·K], y f32 [n·width] (width = R, or C when
//   TRANSPOSE), row-major; index i32 [n]; status u32 [1].
// Threading: one invocation per output element (row r, output o), linear over r·width + o, 2-D
//   grid past 65535 workgroups. Neighbouring invocations share r, so they read one matrix and
//   one row of x (broadcast reads); with TRANSPOSE they also read neighbouring words of W.
//   Rows are independent: no atomics except on the status word.
// Variants: TRANSPOSE is a pipeline-override constant (compile-time, part of the pipeline cache
//   key), as in dense/matmul.wgsl: it is fixed at each call site (forward false, the adjoint for
//   x true) and it changes the inner loop's stride through W (C or 1), which the compiler can
//   then fold; a uniform would test it on every step for no benefit.
// Numerics: f32 products and f32 accumulation in order of the inner axis (the js reference
//   accumulates in f64 and rounds once; the parity test allows 1e-5 + 1e-4·|y|).
// Bad input: an index outside [0, N) sets status (the host raises it at the next read; the
//   reference throws before writing) and that row's outputs are 0. Limits: n·width < 2³² and
//   N·R·C < 2³² elements (the host checks).
// Serves: Yu et al., ACM MM 2020, §3.2 eq. 1–2; He et al., "Sherlock", IJCAI 2016, §3.

override TRANSPOSE: bool = false;

struct Params {
  // n · width: the outputs.
  total: u32,
  // Outputs per row: R, or C when TRANSPOSE.
  width: u32,
  // Inner (summed) axis: C, or R when TRANSPOSE.
  inner: u32,
  // Matrices N in the table.
  matrices: u32,
  // Columns C of each matrix (its row stride).
  cols: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> W: array<f32>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 256u;

@compute @workgroup_size(WORKGROUP)
fn gather_matvec(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = gid.x + gid.y * groups.x * WORKGROUP;
  if (e >= params.total) {
    return;
  }
  let width = params.width;
  let inner = params.inner;
  let cols = params.cols;
  let r = e / width;
  let o = e % width;
  let m = index[r];
  if (m < 0 || u32(m) >= params.matrices) {
    atomicOr(&status, 1u);
    y[e] = 0.0;
    return;
  }
  // W[m, i, c] sits at base + i·C + c.
  let base = u32(m) * width * inner;
  let x_row = r * inner;
  var acc = 0.0;
  if (TRANSPOSE) {
    // o is the column c; walk the rows i (stride C).
    for (var k = 0u; k < inner; k++) {
      acc += W[base + k * cols + o] * x[x_row + k];
    }
  } else {
    // o is the row i; walk its columns c (stride 1).
    let w_row = base + o * cols;
    for (var k = 0u; k < inner; k++) {
      acc += W[w_row + k] * x[x_row + k];
    }
  }
  y[e] = acc;
}
