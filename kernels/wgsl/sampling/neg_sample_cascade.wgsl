//! requires common/philox.wgsl
//! requires common/sample_unseen.wgsl(indices)
// sampling/neg_sample_cascade.wgsl — entry point `neg_sample_cascade`: per-behaviour negatives
// for a cascade of behaviours (view ⊇ cart ⊇ buy), as NMTR §III-D samples them.
//
// Equation: for row r (user u, positive i) and behaviour b of B:
//   i ∈ items_b(u):  j_rb ~ Uniform(items \ items_b(u)) by bounded retry
//   otherwise:       j_rb = −1 (no positive of behaviour b, so no negative)
//   Try t of slot s = r·B + b draws w = u32At(seed, stream, counter + s·T + t) (T = max_tries),
//   j = mulhi32(w, num_items); a j in items_b(u) (binary search of the sorted CSR row) is
//   retried; after T tries the slot keeps its last draw and adds 1 to `exhausted`.
//   Bit-identical to the js reference (same counters, same multiply-high).
// Layouts and dtypes: users, positives i32 [n]; indptr i32 [B, U + 1] (behaviour-major row
//   pointers, absolute offsets into the one shared `indices`); indices i32 [nnz] sorted within
//   each (b, u) row; negatives i32 [n, B]; exhausted i32 [1] (atomic); status u32 [1].
// Threading: one invocation per slot (r, b): slots are independent (each owns its counters);
//   `exhausted` is an atomic add. 2-D dispatch (x ≤ 65535 workgroups) so n·B may exceed 65535·64.
// Numerics: u32 only; the 64-bit counter is carried as (lo, hi).
// Bad input: the GPU cannot throw, so a slot whose user or positive is out of range, or whose
//   row pointers are not a valid CSR row (0 ≤ lo ≤ hi ≤ nnz), writes −1 and sets a status bit
//   (bit 0: ids, bit 1: row pointers; the host raises them at the next read). The js
//   reference checks every row pointer at once; this checks the rows the batch touches.
// Serves: NMTR (Gao et al., ICDE 2019, §III-D), the multi-behaviour cascade's sampler.

struct Params {
  n: u32,
  behaviours: u32,
  num_users: u32,
  num_items: u32,
  key: vec2<u32>,
  counter: vec2<u32>,
  stream: u32,
  max_tries: u32,
  nnz: u32,
  _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> users: array<i32>;
@group(0) @binding(2) var<storage, read> positives: array<i32>;
@group(0) @binding(3) var<storage, read> indptr: array<i32>;
@group(0) @binding(4) var<storage, read> indices: array<i32>;
@group(0) @binding(5) var<storage, read_write> negatives: array<i32>;
@group(0) @binding(6) var<storage, read_write> exhausted: atomic<i32>;
@group(0) @binding(7) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 64u;
const BAD_ID: u32 = 1u;
const BAD_ROW: u32 = 2u;

@compute @workgroup_size(WORKGROUP)
fn neg_sample_cascade(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let slot = gid.x + gid.y * groups.x * WORKGROUP;
  if (slot >= params.n * params.behaviours) {
    return;
  }
  let r = slot / params.behaviours;
  let b = slot % params.behaviours;
  let user = users[r];
  let positive = positives[r];
  if (user < 0 || u32(user) >= params.num_users || positive < 0 || u32(positive) >= params.num_items) {
    negatives[slot] = -1;
    atomicOr(&status, BAD_ID);
    return;
  }
  let row = b * (params.num_users + 1u) + u32(user);
  let lo_i = indptr[row];
  let hi_i = indptr[row + 1u];
  if (lo_i < 0 || lo_i > hi_i || u32(hi_i) > params.nnz) {
    negatives[slot] = -1;
    atomicOr(&status, BAD_ROW);
    return;
  }
  let lo = u32(lo_i);
  let hi = u32(hi_i);
  if (!sorted_has_indices(lo, hi, positive)) {
    negatives[slot] = -1;
    return;
  }
  let drawn = sample_unseen_indices(params.key, params.stream, add_u64(params.counter, mul_u32_wide(slot, params.max_tries)), params.num_items, params.max_tries, lo, hi);
  if (drawn.exhausted) {
    atomicAdd(&exhausted, 1);
  }
  negatives[slot] = i32(drawn.item);
}
