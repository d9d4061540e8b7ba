//! requires common/group_by_index.wgsl
// indexing/scatter_add_rows.wgsl — y = target; y[indices[j]] += src[j] for every j, in order of
// j, duplicates accumulating; the WGSL twin of kernels/cpu/indexing/scatter_add_rows.cc
// (reference and full contract: packages/core/src/kernels/indexing/scatter_add_rows.ts).
//
// Method: no float atomics and no lost updates — a CSR of the ids is built on the GPU, then
//   each output element sums its own row's updates in order of j:
//   1–4. `group_count`, `group_scan`, `group_fill`, `group_sort` (common/group_by_index.wgsl):
//        counts per row (integer atomics; an index outside [0, rows) sets status and is left
//        out), their exclusive prefix sum, each j placed in its row's segment, and each
//        segment sorted ascending, so a row's updates are listed in order of j.
//   5. `scatter_add_rows` one invocation per element (r, c): y = target + Σ src[j·width + c] over
//                       the row's segment, left to right, i.e. in order of j.
// Layouts and dtypes: target (binding target_rows; `target` is reserved in WGSL) [rows·width],
//   src [n·width] and y [rows·width] of one 32-bit dtype
//   (f32: DTYPE 0, i32 / u32: DTYPE 1), bound as u32 words; indices i32 [n] (binding group_ids); counts
//   and starts u32 [rows + 1]; entries u32 [n]; status u32 [1].
// Numerics: exact for every dtype, as the C++ version: f32 adds in f32 in order of j (the
//   reference's f64 add of two f32 values rounds to the same f32; a driver that flushes
//   subnormals differs there only), i32/u32 adds wrap modulo 2³² (the reference's stores wrap).
// Bad input: the host raises status at the next read (the reference throws before writing);
//   out-of-range entries are left out of every row. Limits: n, rows·width < 2³².
// Cost: O(n) atomics on integer counters, O(rows) for the scan in one workgroup, and the sort,
//   which is trivial unless one row is hit very often (one invocation sorts it).

struct Params {
  n: u32,
  rows: u32,
  width: u32,
  _pad0: u32,
}

override DTYPE: u32 = 0u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> group_ids: array<i32>;
@group(0) @binding(2) var<storage, read> target_rows: array<u32>;
@group(0) @binding(3) var<storage, read> src: array<u32>;
@group(0) @binding(4) var<storage, read_write> y: array<u32>;
@group(0) @binding(5) var<storage, read_write> group_counts: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read_write> group_starts: array<u32>;
@group(0) @binding(7) var<storage, read_write> group_entries: array<u32>;
@group(0) @binding(8) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 256u;
const SCAN_WORKGROUP: u32 = 256u;

fn group_limit() -> u32 {
  return params.rows;
}

@compute @workgroup_size(WORKGROUP)
fn scatter_add_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = linear_id(gid, groups);
  let width = params.width;
  if (i >= params.rows * width) {
    return;
  }
  let r = i / width;
  let c = i % width;
  var acc = target_rows[i];
  for (var q = group_starts[r]; q < group_starts[r + 1u]; q++) {
    let s = src[group_entries[q] * width + c];
    if (DTYPE == 0u) {
      acc = bitcast<u32>(bitcast<f32>(acc) + bitcast<f32>(s));
    } else {
      acc += s;
    }
  }
  y[i] = acc;
}
