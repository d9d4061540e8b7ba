// common/merge_rows.wgsl — entry point `merge_rows`: the duplicate-row step shared by the
// row-sparse optimizers (`sparse_adagrad`, later `sparse_sgd`, `sparse_adam`); the GPU form
// of @rec/core's `kernels/optim/merge-rows.ts`.
//
// Equation: for each entry j of indices [n], with r = indices[j]:
//   first(j) = no i < j has indices[i] = r;
//   next(j)  = the smallest i > j with indices[i] = r, or n when none.
//   links[j] = next(j) | (first(j) ? FIRST : 0),  FIRST = 1 << 31.
// The optimizer kernel then runs one invocation per (first entry, column) and sums the
// chain j → next(j) → … in entry order: the same rows, the same order of addition as the
// reference's merge, with no sort and no float atomics, and deterministic.
// Layouts and dtypes: indices i32 [n]; links u32 [n]; status u32 [1].
// Threading: one invocation per entry; each scans the entries before it (first) and after
//   it up to its successor, so the cost is O(n²) comparisons in the worst case (all
//   distinct), e.g. 8·10⁶ for a batch of 4096 — small next to the row updates. A batch of
//   hundreds of thousands of entries wants a radix sort instead (not done yet).
// Bad input: an index outside [0, rows) sets status = 1; the optimizer kernel then writes
//   nothing at all (as the reference, which checks every index first), and the host
//   raises the error at the next read.
// Limits: n < 2³¹.

struct Params {
  n: u32,
  rows: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> links: array<u32>;
@group(0) @binding(3) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 64u;
const FIRST: u32 = 0x80000000u;

@compute @workgroup_size(WORKGROUP)
fn merge_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let j = gid.x + gid.y * groups.x * WORKGROUP;
  let n = params.n;
  if (j >= n) {
    return;
  }
  let r = indices[j];
  if (r < 0 || u32(r) >= params.rows) {
    atomicMax(&status, 1u);
  }
  var first = true;
  for (var i = 0u; i < j; i++) {
    if (indices[i] == r) {
      first = false;
      break;
    }
  }
  var next = n;
  for (var i = j + 1u; i < n; i++) {
    if (indices[i] == r) {
      next = i;
      break;
    }
  }
  links[j] = next | select(0u, FIRST, first);
}
