//! requires common/philox.wgsl
//! requires common/sorted_has.wgsl(user_items)
// sampling/neg_sample_category.wgsl — entry point `neg_sample_category`: for each (user,
// positive) row, a negative from the positive's own leaf category or from a sibling leaf under
// the same parent, never one of the user's positives (the second-hand paper's §3.3.1 sampler).
//
// Equation: row r (positive i, leaf c = item_category[i]) uses words k_r = counter + r·(1 + 2T):
//   word k_r:             mode = sibling if (word >> 8)·2⁻²⁴ < rate and c has siblings, else leaf
//   try t, word k_r+1+2t: sibling mode: s = siblings(c)[mulhi32(word, |siblings(c)|)]; leaf: s = c
//   try t, word k_r+2+2t: j = items(s)[mulhi32(word, |items(s)|)]  (an empty s skips the try)
//   A j in the user's sorted positives row is retried; after T tries the row keeps its last
//   draw (−1 if every try met an empty category) and adds 1 to `exhausted`.
//   The coin is compared as integers: (word >> 8) < coin_threshold = ⌈rate·2²⁴⌉ (host), the
//   reference's f64 test exactly. Bit-identical to the js reference.
// Layouts and dtypes: batch i32 [2n] = users ‖ positives; item_category i32 [V];
//   cat_ptrs i32 [2(C + 1)] = category-items indptr ‖ sibling indptr; cat_items i32 [·];
//   sib_cats i32 [·]; user_indptr i32 [U + 1]; user_items i32 [·] sorted per row;
//   negatives i32 [n]; exhausted i32 [1] (atomic); status u32 [1]. The two packed bindings
//   (filled by copies on the GPU) keep the kernel within 10 storage buffers per stage.
// Threading: one invocation per row (rows own their counters); `exhausted` is an atomic add.
//   2-D dispatch (x ≤ 65535 workgroups).
// Numerics: u32 only; the 64-bit counter is carried as (lo, hi).
// Bad input: a user or positive out of range (status bit 0), a category-tree entry the row
//   reaches out of range or a tree row that is not a valid CSR row (bit 1), or the user's
//   positives row not a valid CSR row (bit 2) writes −1 and sets the bit; the host raises it at
//   the next read. The js reference checks the whole tree at once; this checks what the batch
//   reaches.

struct Params {
  n: u32,
  num_users: u32,
  num_items: u32,
  num_cats: u32,
  key: vec2<u32>,
  counter: vec2<u32>,
  stream: u32,
  coin_threshold: u32,
  max_tries: u32,
  cat_nnz: u32,
  sib_nnz: u32,
  user_nnz: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> batch: array<i32>;
@group(0) @binding(2) var<storage, read> item_category: array<i32>;
@group(0) @binding(3) var<storage, read> cat_ptrs: array<i32>;
@group(0) @binding(4) var<storage, read> cat_items: array<i32>;
@group(0) @binding(5) var<storage, read> sib_cats: array<i32>;
@group(0) @binding(6) var<storage, read> user_indptr: array<i32>;
@group(0) @binding(7) var<storage, read> user_items: array<i32>;
@group(0) @binding(8) var<storage, read_write> negatives: array<i32>;
@group(0) @binding(9) var<storage, read_write> exhausted: atomic<i32>;
@group(0) @binding(10) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 64u;
const BAD_ID: u32 = 1u;
const BAD_TREE: u32 = 2u;
const BAD_USER_ROW: u32 = 4u;

// Row pointers of category c: [lo, hi) into cat_items; `valid` false when not a CSR row.
fn category_row(c: u32) -> vec3<i32> {
  let lo = cat_ptrs[c];
  let hi = cat_ptrs[c + 1u];
  return vec3<i32>(lo, hi, select(0, 1, lo >= 0 && lo <= hi && u32(hi) <= params.cat_nnz));
}

fn reject(r: u32, bit: u32) {
  negatives[r] = -1;
  atomicOr(&status, bit);
}

@compute @workgroup_size(WORKGROUP)
fn neg_sample_category(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.x + gid.y * groups.x * WORKGROUP;
  if (r >= params.n) {
    return;
  }
  let user = batch[r];
  let positive = batch[params.n + r];
  if (user < 0 || u32(user) >= params.num_users || positive < 0 || u32(positive) >= params.num_items) {
    reject(r, BAD_ID);
    return;
  }
  let leaf_i = item_category[positive];
  if (leaf_i < 0 || u32(leaf_i) >= params.num_cats) {
    reject(r, BAD_TREE);
    return;
  }
  let leaf = u32(leaf_i);
  let lo_i = user_indptr[user];
  let hi_i = user_indptr[user + 1];
  if (lo_i < 0 || lo_i > hi_i || u32(hi_i) > params.user_nnz) {
    reject(r, BAD_USER_ROW);
    return;
  }
  let lo = u32(lo_i);
  let hi = u32(hi_i);
  // The sibling indptr follows the category-items indptr in cat_ptrs.
  let sib_base = params.num_cats + 1u;
  let sib_lo = cat_ptrs[sib_base + leaf];
  let sib_hi = cat_ptrs[sib_base + leaf + 1u];
  if (sib_lo < 0 || sib_lo > sib_hi || u32(sib_hi) > params.sib_nnz) {
    reject(r, BAD_TREE);
    return;
  }
  let sib_count = u32(sib_hi - sib_lo);
  // k_r = counter + r·(1 + 2T): the coin, then two words per try.
  let base = add_u64(params.counter, mul_u32_wide(r, 1u + 2u * params.max_tries));
  let sibling = sib_count > 0u && (philox_u32_at(params.key, params.stream, base) >> 8u) < params.coin_threshold;
  var item = -1;
  var t = 0u;
  var k = add_u64(base, vec2<u32>(1u, 0u));
  for (; t < params.max_tries; t++) {
    var cat = leaf;
    if (sibling) {
      let s = sib_cats[u32(sib_lo) + mulhi32(philox_u32_at(params.key, params.stream, k), sib_count)];
      if (s < 0 || u32(s) >= params.num_cats) {
        reject(r, BAD_TREE);
        return;
      }
      cat = u32(s);
    }
    let row = category_row(cat);
    if (row.z == 0) {
      reject(r, BAD_TREE);
      return;
    }
    let size = u32(row.y - row.x);
    if (size > 0u) {
      item = cat_items[u32(row.x) + mulhi32(philox_u32_at(params.key, params.stream, add_u64(k, vec2<u32>(1u, 0u))), size)];
      if (item < 0 || u32(item) >= params.num_items) {
        reject(r, BAD_TREE);
        return;
      }
      if (!sorted_has_user_items(lo, hi, item)) {
        break;
      }
    }
    k = add_u64(k, vec2<u32>(2u, 0u));
  }
  if (t == params.max_tries) {
    atomicAdd(&exhausted, 1);
  }
  negatives[r] = item;
}
