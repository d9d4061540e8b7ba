//! requires common/philox.wgsl
//! requires common/sample_unseen.wgsl(seen_items)
// sampling/neg_sample_multichannel.wgsl — entry point `neg_sample_multichannel`: MC-BPR
// negatives (Loni et al. 2016; the baseline of NMTR §IV-A2): an item the user viewed but did
// not buy with probability p, else an item the user never interacted with.
//
// Equation: for row r with user u, k_r = counter + r·(1 + T) (T = max_tries):
//   channel = viewed  if (word k_r >> 8)·2⁻²⁴ < p and viewed(u) ≠ ∅, else unseen
//   viewed:  j = viewed(u)[mulhi32(word k_r+1, |viewed(u)|)]
//   unseen:  try t draws j = mulhi32(word k_r+1+t, V), retried while j ∈ seen(u)
//   After T tries an unseen row keeps its last draw and adds 1 to `exhausted`.
//   The coin is compared as integers: (word >> 8) < coin_threshold = ⌈p·2²⁴⌉ (computed on the
//   host), which is the reference's f64 test exactly. Bit-identical to the js reference.
// Layouts and dtypes: users i32 [n]; viewed_indptr i32 [U + 1], viewed_items i32 [·];
//   seen_indptr i32 [U + 1], seen_items i32 [·] sorted per row; negatives i32 [n];
//   channel i32 [n] (1 viewed, 0 unseen); exhausted i32 [1] (atomic); status u32 [1].
// Threading: one invocation per row (rows own their counters); `exhausted` is an atomic add.
//   2-D dispatch (x ≤ 65535 workgroups).
// Numerics: u32 only; the 64-bit counter is carried as (lo, hi).
// Bad input: a user out of range (status bit 0), a viewed or seen row that is not a valid CSR
//   row (bit 1), or a drawn viewed item outside [0, V) (bit 2) writes −1 and sets the bit; the
//   host raises it at the next read. The js reference checks every row and every viewed item
//   at once; this checks the rows the batch touches and the viewed items it draws.

struct Params {
  n: u32,
  num_users: u32,
  num_items: u32,
  max_tries: u32,
  key: vec2<u32>,
  counter: vec2<u32>,
  stream: u32,
  coin_threshold: u32,
  viewed_nnz: u32,
  seen_nnz: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> users: array<i32>;
@group(0) @binding(2) var<storage, read> viewed_indptr: array<i32>;
@group(0) @binding(3) var<storage, read> viewed_items: array<i32>;
@group(0) @binding(4) var<storage, read> seen_indptr: array<i32>;
@group(0) @binding(5) var<storage, read> seen_items: array<i32>;
@group(0) @binding(6) var<storage, read_write> negatives: array<i32>;
@group(0) @binding(7) var<storage, read_write> channel: array<i32>;
@group(0) @binding(8) var<storage, read_write> exhausted: atomic<i32>;
@group(0) @binding(9) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 64u;
const BAD_USER: u32 = 1u;
const BAD_ROW: u32 = 2u;
const BAD_VIEWED_ITEM: u32 = 4u;

fn reject(r: u32, bit: u32) {
  negatives[r] = -1;
  channel[r] = 0;
  atomicOr(&status, bit);
}

@compute @workgroup_size(WORKGROUP)
fn neg_sample_multichannel(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.x + gid.y * groups.x * WORKGROUP;
  if (r >= params.n) {
    return;
  }
  let user = users[r];
  if (user < 0 || u32(user) >= params.num_users) {
    reject(r, BAD_USER);
    return;
  }
  let u = u32(user);
  let v_lo = viewed_indptr[u];
  let v_hi = viewed_indptr[u + 1u];
  let lo_i = seen_indptr[u];
  let hi_i = seen_indptr[u + 1u];
  if (v_lo < 0 || v_lo > v_hi || u32(v_hi) > params.viewed_nnz || lo_i < 0 || lo_i > hi_i || u32(hi_i) > params.seen_nnz) {
    reject(r, BAD_ROW);
    return;
  }
  // k_r = counter + r·(1 + T); words k_r (coin) and k_r + 1 + t (draws).
  let base = add_u64(params.counter, mul_u32_wide(r, 1u + params.max_tries));
  let v_count = u32(v_hi - v_lo);
  if (v_count > 0u && (philox_u32_at(params.key, params.stream, base) >> 8u) < params.coin_threshold) {
    let w = philox_u32_at(params.key, params.stream, add_u64(base, vec2<u32>(1u, 0u)));
    let item = viewed_items[u32(v_lo) + mulhi32(w, v_count)];
    if (item < 0 || u32(item) >= params.num_items) {
      reject(r, BAD_VIEWED_ITEM);
      return;
    }
    negatives[r] = item;
    channel[r] = 1;
    return;
  }
  let lo = u32(lo_i);
  let hi = u32(hi_i);
  let drawn = sample_unseen_seen_items(params.key, params.stream, add_u64(base, vec2<u32>(1u, 0u)), params.num_items, params.max_tries, lo, hi);
  if (drawn.exhausted) {
    atomicAdd(&exhausted, 1);
  }
  negatives[r] = i32(drawn.item);
  channel[r] = 0;
}
