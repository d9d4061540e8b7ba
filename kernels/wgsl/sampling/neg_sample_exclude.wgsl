//! requires common/philox.wgsl
//! requires common/sample_unseen.wgsl(indices)
// sampling/neg_sample_exclude.wgsl — entry point `neg_sample_exclude`.
//
// Equation: for each row r, a negative j ~ Uniform(items \ positives(users[r])).
//   Try t of row r draws w = u32At(seed, stream, counter + r·T + t) (T = max_tries) and
//   j = mulhi32(w, num_items) = ⌊w · num_items / 2³²⌋; a j found in the user's sorted CSR row
//   (binary search) is retried; after T tries the row keeps its last draw and adds 1 to
//   `exhausted`. Bit-identical to the js reference (same counters, same multiply-high).
// Layouts and dtypes: users i32 [n]; indptr i32 [U + 1]; indices i32 [nnz] sorted per row;
//   negatives i32 [n]; exhausted i32 [1] (atomic). Params in the uniform.
// Threading: one invocation per row; rows are independent; `exhausted` is an atomic add.
//   Dispatch is 2-D (x ≤ 65535 workgroups) so n may exceed 65535·64.
// Numerics: u32 only; the 64-bit counter k is carried as (lo, hi).
// Bad input: the GPU cannot throw, so a user outside [0, U) (status bit 0), or a user whose
//   indptr range is not a range of indices (bit 1), writes -1 and sets `status` (the host
//   raises it at the next read) — the js reference throws at once for a bad user.
// Serves: BPR (Rendle et al. 2009, §4.3 LearnBPR) and every model trained with sampled negatives.

struct Params {
  n: u32,
  num_users: u32,
  num_items: u32,
  max_tries: u32,
  key: vec2<u32>,
  counter: vec2<u32>,
  stream: u32,
  nnz: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> users: array<i32>;
@group(0) @binding(2) var<storage, read> indptr: array<i32>;
@group(0) @binding(3) var<storage, read> indices: array<i32>;
@group(0) @binding(4) var<storage, read_write> negatives: array<i32>;
@group(0) @binding(5) var<storage, read_write> exhausted: atomic<i32>;
@group(0) @binding(6) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 64u;

@compute @workgroup_size(WORKGROUP)
fn neg_sample_exclude(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.x + gid.y * groups.x * WORKGROUP;
  if (r >= params.n) {
    return;
  }
  let user = users[r];
  if (user < 0 || u32(user) >= params.num_users) {
    negatives[r] = -1;
    atomicOr(&status, 1u);
    return;
  }
  let start = indptr[user];
  let end = indptr[user + 1];
  if (start < 0 || start > end || u32(end) > params.nnz) {
    negatives[r] = -1;
    atomicOr(&status, 2u);
    return;
  }
  let lo = u32(start);
  let hi = u32(end);
  let drawn = sample_unseen_indices(params.key, params.stream, add_u64(params.counter, mul_u32_wide(r, params.max_tries)), params.num_items, params.max_tries, lo, hi);
  if (drawn.exhausted) {
    atomicAdd(&exhausted, 1);
  }
  negatives[r] = i32(drawn.item);
}
