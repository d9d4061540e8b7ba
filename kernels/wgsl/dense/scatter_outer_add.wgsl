//! requires common/group_by_index.wgsl
// dense/scatter_outer_add.wgsl — outer products summed into the matrix each row's index names;
// the WGSL twin of kernels/cpu/dense/scatter_outer_add.cc (reference and full contract:
// packages/core/src/kernels/dense/scatter_outer_add.ts).
//
// Equation, for a [n, R], b [n, C], index [n] (each in [0, N)) and N = `matrices`:
//   out[k, i, c] = Σ_{r : index[r] = k} a[r, i] · b[r, c]          out [N, R, C]
//   (zero where no row names k). gather_matvec's adjoint for its table: with y = W[index] · x,
//   dW = scatter_outer_add(dy, x, index); with y = W[index]ᵀ · x, dW = scatter_outer_add(x, dy,
//   index). The [n, R, C] products are never built.
// Method: deterministic, no float atomics — a CSR of the rows per matrix is built on the GPU
//   (the index tensor stays there: no readback), then each output element sums its matrix's
//   rows in increasing r:
//   1–4. `group_count`, `group_scan`, `group_fill`, `group_sort` (common/group_by_index.wgsl,
//        shared with indexing/scatter_add_rows.wgsl): rows per matrix (integer atomics; an
//        index outside [0, N) sets status and is left out), their exclusive prefix sum, each
//        row placed in its matrix's segment, and each segment sorted ascending, so a matrix's
//        rows are listed in increasing r.
//   5. `scatter_outer_add` one invocation per output column c and stride of rows i of matrix
//                     k (c along x, i along y, k along z: no integer division): for each of
//                     its i, the sum of a[r, i] · b[r, c] over the matrix's segment, left to
//                     right. A matrix that no row names is not written (new storage is zero).
//   Why a CSR and not a scan of all n rows per output element: that costs N·R·C·n reads of
//   index (6.3·10⁹ at N = 3089, R = C = 32, n = 2000), where this does O(n + N) bookkeeping and
//   n·R·C multiply-adds in total, whatever N.
// Layouts and dtypes: a f32 [n·R], b f32 [n·C], out f32 [N·R·C], row-major; index i32 [n] (binding group_ids);
//   counts u32 [N + 1] (atomic), starts u32 [N + 1], rows of each matrix u32 [n] (group_entries);
//   status u32 [1].
// Threading: pass 5 runs workgroups of 32 columns × 8 rows of one matrix, so a workgroup shares
//   one segment of rows (uniform trip count), neighbouring invocations read the same a[r, i]
//   (broadcast) and neighbouring words of b[r], and each output element is written once, by
//   one invocation. Matrices go along z, split by the host into dispatches of ≤ 65535 (first
//   matrix in k0). Along y the host dispatches between 1 and ⌈R/8⌉ workgroups, enough for
//   about 1024 workgroups in all, and each invocation walks the rows i in strides of
//   8·num_workgroups.y: many matrices (N = 3089) get one workgroup per matrix and column tile,
//   so an unnamed matrix costs one early exit, not ⌈R/8⌉ (on lavapipe this halves pass 5 at
//   N = 3089, R = C = 32); few matrices (N = 41) get one invocation per element, which a GPU
//   needs to fill its cores. The result does not depend on that choice or on scheduling.
// Numerics: f32 products and f32 accumulation over r in increasing order, as the C++ version
//   (the js reference sums in f64 and rounds once; the parity test allows its tolerance).
// Bad input: an index outside [0, N) sets status (the host raises it at the next read; the
//   reference throws before writing) and its row is left out of every matrix — no write lands
//   outside out. Limits: n < 2³², N·R·C < 2³² elements, ⌈C/32⌉ ≤ 65535 (the host
//   checks).
// Cost: O(n) integer atomics, O(N) for the scan in one workgroup, the sort (trivial unless one
//   matrix is named very often: one invocation sorts it), and n·R·C multiply-adds in pass 5,
//   spread over at most N·R·C invocations.
// Serves: Yu et al., ACM MM 2020, §3.2 eq. 1–2 (the gradient of the per-category maps).

struct Params {
  // Indexed rows n.
  n: u32,
  // Matrices N.
  matrices: u32,
  // Rows R and columns C of each matrix.
  rows: u32,
  cols: u32,
  // First matrix of this dispatch of pass 5 (the host splits N into dispatches of ≤ 65535).
  k0: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> group_ids: array<i32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read_write> group_counts: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read_write> group_starts: array<u32>;
@group(0) @binding(7) var<storage, read_write> group_entries: array<u32>;
@group(0) @binding(8) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 256u;
const SCAN_WORKGROUP: u32 = 256u;
// Pass 5's workgroup: TILE_C columns × TILE_I rows of one matrix.
const TILE_C: u32 = 32u;
const TILE_I: u32 = 8u;

fn group_limit() -> u32 {
  return params.matrices;
}

@compute @workgroup_size(TILE_C, TILE_I)
fn scatter_outer_add(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let R = params.rows;
  let C = params.cols;
  let c = gid.x;
  let k = params.k0 + gid.z;
  let lo = group_starts[k];
  let hi = group_starts[k + 1u];
  // out is zero-filled when allocated, so a matrix no row names needs no write.
  if (c >= C || lo == hi) {
    return;
  }
  // Rows i of the matrix, strided over the workgroups along y (the host picks how many).
  for (var i = gid.y; i < R; i += TILE_I * groups.y) {
    var acc = 0.0;
    for (var q = lo; q < hi; q++) {
      let r = group_entries[q];
      acc += a[r * R + i] * b[r * C + c];
    }
    out[(k * R + i) * C + c] = acc;
  }
}
