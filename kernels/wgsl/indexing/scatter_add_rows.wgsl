// indexing/scatter_add_rows.wgsl — y = target; y[indices[j]] += src[j] for every j, in order of
// j, duplicates accumulating; the WGSL twin of kernels/cpu/indexing/scatter_add_rows.cc
// (reference and full contract: packages/core/src/kernels/indexing/scatter_add_rows.ts).
//
// Method: no float atomics and no lost updates — a CSR of the ids is built on the GPU, then
//   each output element sums its own row's updates in order of j:
//   1. `scatter_count`  counts[r] = #{j : indices[j] = r} (integer atomicAdd: exact in any order);
//                       an index outside [0, rows) sets status and is left out.
//   2. `scatter_scan`   starts = exclusive prefix sum of counts, starts[rows] = the total (one
//                       workgroup: each invocation scans a contiguous chunk of rows).
//   3. `scatter_fill`   entries[starts[r] + slot] = j, the slot taken by atomicSub on counts[r]:
//                       every j lands once, in an order that depends on scheduling...
//   4. `scatter_sort`   ...so one invocation per row sorts its segment ascending (insertion
//                       sort up to 16 entries, heapsort above: O(k log k) for a row hit k times).
//   5. `scatter_add_rows` one invocation per element (r, c): y = target + Σ src[j·width + c] over
//                       the row's segment, left to right, i.e. in order of j.
// Layouts and dtypes: target (binding target_rows; `target` is reserved in WGSL) [rows·width],
//   src [n·width] and y [rows·width] of one 32-bit dtype
//   (f32: DTYPE 0, i32 / u32: DTYPE 1), bound as u32 words; indices i32 [n]; counts and starts
//   u32 [rows + 1]; entries u32 [n]; status u32 [1].
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
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read> target_rows: array<u32>;
@group(0) @binding(3) var<storage, read> src: array<u32>;
@group(0) @binding(4) var<storage, read_write> y: array<u32>;
@group(0) @binding(5) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read_write> starts: array<u32>;
@group(0) @binding(7) var<storage, read_write> entries: array<u32>;
@group(0) @binding(8) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 256u;
const SCAN_WORKGROUP: u32 = 256u;

var<workgroup> chunk_total: array<u32, SCAN_WORKGROUP>;

fn linear_id(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WORKGROUP;
}

@compute @workgroup_size(WORKGROUP)
fn scatter_count(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let j = linear_id(gid, groups);
  if (j >= params.n) {
    return;
  }
  let r = indices[j];
  if (r < 0 || u32(r) >= params.rows) {
    atomicOr(&status, 1u);
    return;
  }
  atomicAdd(&counts[u32(r)], 1u);
}

@compute @workgroup_size(SCAN_WORKGROUP)
fn scatter_scan(@builtin(local_invocation_index) lid: u32) {
  let rows = params.rows;
  let chunk = (rows + SCAN_WORKGROUP - 1u) / SCAN_WORKGROUP;
  let lo = min(lid * chunk, rows);
  let hi = min(lo + chunk, rows);
  var total = 0u;
  for (var r = lo; r < hi; r++) {
    total += atomicLoad(&counts[r]);
  }
  chunk_total[lid] = total;
  workgroupBarrier();
  if (lid == 0u) {
    var run = 0u;
    for (var l = 0u; l < SCAN_WORKGROUP; l++) {
      let t = chunk_total[l];
      chunk_total[l] = run;
      run += t;
    }
    starts[rows] = run;
  }
  workgroupBarrier();
  var at = chunk_total[lid];
  for (var r = lo; r < hi; r++) {
    starts[r] = at;
    at += atomicLoad(&counts[r]);
  }
}

@compute @workgroup_size(WORKGROUP)
fn scatter_fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let j = linear_id(gid, groups);
  if (j >= params.n) {
    return;
  }
  let r = indices[j];
  if (r < 0 || u32(r) >= params.rows) {
    return;
  }
  let slot = atomicSub(&counts[u32(r)], 1u) - 1u;
  entries[starts[u32(r)] + slot] = j;
}

// Restores the max-heap property of entries[lo, lo + size) below heap position p.
fn sift_down(lo: u32, p_in: u32, size: u32) {
  var p = p_in;
  loop {
    var c = 2u * p + 1u;
    if (c >= size) {
      break;
    }
    if (c + 1u < size && entries[lo + c + 1u] > entries[lo + c]) {
      c += 1u;
    }
    if (entries[lo + p] >= entries[lo + c]) {
      break;
    }
    let t = entries[lo + p];
    entries[lo + p] = entries[lo + c];
    entries[lo + c] = t;
    p = c;
  }
}

@compute @workgroup_size(WORKGROUP)
fn scatter_sort(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = linear_id(gid, groups);
  if (r >= params.rows) {
    return;
  }
  let lo = starts[r];
  let size = starts[r + 1u] - lo;
  if (size <= 16u) {
    for (var i = 1u; i < size; i++) {
      let v = entries[lo + i];
      var k = i;
      while (k > 0u && entries[lo + k - 1u] > v) {
        entries[lo + k] = entries[lo + k - 1u];
        k -= 1u;
      }
      entries[lo + k] = v;
    }
    return;
  }
  for (var p = size / 2u; p > 0u; p--) {
    sift_down(lo, p - 1u, size);
  }
  for (var end = size - 1u; end > 0u; end--) {
    let t = entries[lo];
    entries[lo] = entries[lo + end];
    entries[lo + end] = t;
    sift_down(lo, 0u, end);
  }
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
  for (var q = starts[r]; q < starts[r + 1u]; q++) {
    let s = src[entries[q] * width + c];
    if (DTYPE == 0u) {
      acc = bitcast<u32>(bitcast<f32>(acc) + bitcast<f32>(s));
    } else {
      acc += s;
    }
  }
  y[i] = acc;
}
