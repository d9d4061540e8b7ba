// common/group_by_index.wgsl — entry points `group_count`, `group_scan`, `group_fill`,
// `group_sort`: the rows of a batch grouped by the id each names, on the GPU, with no float
// atomics — a CSR whose segment for id k lists the rows j with ids[j] = k in increasing j.
// Shared by the kernels that sum rows into their id's slot in row order
// (`indexing/scatter_add_rows.wgsl`, `dense/scatter_outer_add.wgsl`).
//
// Passes (the including kernel dispatches them in order, then its own accumulate pass):
//   1. `group_count`  group_counts[k] = #{j : group_ids[j] = k} (integer atomicAdd: exact in any
//                     order); an id outside [0, group_limit()) sets status and is left out.
//   2. `group_scan`   group_starts = exclusive prefix sum of group_counts, group_starts[limit] =
//                     the total (one workgroup: each invocation scans a contiguous chunk of ids).
//   3. `group_fill`   group_entries[group_starts[k] + slot] = j, the slot taken by atomicSub on
//                     group_counts[k]: every j lands once, in an order that depends on
//                     scheduling...
//   4. `group_sort`   ...so one invocation per id sorts its segment ascending (insertion sort up
//                     to 16 entries, heapsort above: O(h log h) for an id named h times).
// Convention (as row_chain.wgsl): fixed module-scope names the including kernel declares —
//   `params.n` (rows j), `fn group_limit() -> u32` (ids are in [0, group_limit())),
//   `group_ids: array<i32>`, `group_counts: array<atomic<u32>>` [limit + 1],
//   `group_starts: array<u32>` [limit + 1], `group_entries: array<u32>` [n],
//   `status: atomic<u32>`, and the constants WORKGROUP and SCAN_WORKGROUP. This file declares
//   `linear_id` and the scan's workgroup array.
// Limits: n < 2³²; one workgroup scans all ids (O(limit / SCAN_WORKGROUP) each).

var<workgroup> chunk_total: array<u32, SCAN_WORKGROUP>;

fn linear_id(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * WORKGROUP;
}

@compute @workgroup_size(WORKGROUP)
fn group_count(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let j = linear_id(gid, groups);
  if (j >= params.n) {
    return;
  }
  let r = group_ids[j];
  if (r < 0 || u32(r) >= group_limit()) {
    atomicOr(&status, 1u);
    return;
  }
  atomicAdd(&group_counts[u32(r)], 1u);
}

@compute @workgroup_size(SCAN_WORKGROUP)
fn group_scan(@builtin(local_invocation_index) lid: u32) {
  let rows = group_limit();
  let chunk = (rows + SCAN_WORKGROUP - 1u) / SCAN_WORKGROUP;
  let lo = min(lid * chunk, rows);
  let hi = min(lo + chunk, rows);
  var total = 0u;
  for (var r = lo; r < hi; r++) {
    total += atomicLoad(&group_counts[r]);
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
    group_starts[rows] = run;
  }
  workgroupBarrier();
  var at = chunk_total[lid];
  for (var r = lo; r < hi; r++) {
    group_starts[r] = at;
    at += atomicLoad(&group_counts[r]);
  }
}

@compute @workgroup_size(WORKGROUP)
fn group_fill(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let j = linear_id(gid, groups);
  if (j >= params.n) {
    return;
  }
  let r = group_ids[j];
  if (r < 0 || u32(r) >= group_limit()) {
    return;
  }
  let slot = atomicSub(&group_counts[u32(r)], 1u) - 1u;
  group_entries[group_starts[u32(r)] + slot] = j;
}

// Restores the max-heap property of group_entries[lo, lo + size) below heap position p.
fn group_sift_down(lo: u32, p_in: u32, size: u32) {
  var p = p_in;
  loop {
    var c = 2u * p + 1u;
    if (c >= size) {
      break;
    }
    if (c + 1u < size && group_entries[lo + c + 1u] > group_entries[lo + c]) {
      c += 1u;
    }
    if (group_entries[lo + p] >= group_entries[lo + c]) {
      break;
    }
    let t = group_entries[lo + p];
    group_entries[lo + p] = group_entries[lo + c];
    group_entries[lo + c] = t;
    p = c;
  }
}

@compute @workgroup_size(WORKGROUP)
fn group_sort(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = linear_id(gid, groups);
  if (r >= group_limit()) {
    return;
  }
  let lo = group_starts[r];
  let size = group_starts[r + 1u] - lo;
  if (size <= 16u) {
    for (var i = 1u; i < size; i++) {
      let v = group_entries[lo + i];
      var k = i;
      while (k > 0u && group_entries[lo + k - 1u] > v) {
        group_entries[lo + k] = group_entries[lo + k - 1u];
        k -= 1u;
      }
      group_entries[lo + k] = v;
    }
    return;
  }
  for (var p = size / 2u; p > 0u; p--) {
    group_sift_down(lo, p - 1u, size);
  }
  for (var end = size - 1u; end > 0u; end--) {
    let t = group_entries[lo];
    group_entries[lo] = group_entries[lo + end];
    group_entries[lo + end] = t;
    group_sift_down(lo, 0u, end);
  }
}
