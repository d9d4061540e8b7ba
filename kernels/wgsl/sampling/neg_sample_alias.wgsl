//! requires common/philox.wgsl
//! requires common/sorted_has.wgsl(indices)
// sampling/neg_sample_alias.wgsl — entry point `neg_sample_alias`: negatives from a fixed
// non-uniform item distribution (word2vec's unigram^0.75, Mikolov et al. 2013, §2.2) through a
// Walker/Vose alias table, optionally excluding each row's user's positives.
//
// Equation: try t of row r uses Philox words k = counter + 2·(r·T + t) and k + 1 (T = max_tries):
//   column = mulhi32(word k, V);  coin = (word k+1 >> 8)·2⁻²⁴ (exact in f32)
//   item   = coin < prob[column] ? column : alias_of[column]
//   EXCLUDE = false: every row keeps its first try (rows = the `count` attribute);
//   EXCLUDE = true: a draw in the user's sorted CSR row is retried; after T tries the row keeps
//   its last draw and adds 1 to `exhausted` (as neg_sample_exclude).
//   Every try costs exactly 2 words, so the draws are bit-identical to the js reference.
// Layouts and dtypes: prob f32 [V]; alias_of i32 [V] (`alias` is a WGSL keyword); users i32
//   [n], indptr i32 [U + 1], indices i32 [nnz] sorted per row (4-byte placeholders when EXCLUDE
//   is false);
//   negatives i32 [n]; exhausted i32 [1] (atomic); status u32 [1].
// Variants: the override EXCLUDE (a pipeline of its own each way).
// Threading: one invocation per row (rows own their counters); `exhausted` is an atomic add.
//   2-D dispatch (x ≤ 65535 workgroups).
// Numerics: the coin compare is in f32 on values exact in f32, the same test as the reference's
//   f64 one; counters are 64-bit (lo, hi).
// Bad input: a user out of range (status bit 0) or a row that is not a valid CSR row (bit 1)
//   writes −1; an alias entry outside [0, V) that a draw reaches (bit 2) writes −1. The host
//   raises them at the next read. The js reference checks the whole table at once; this
//   checks the entries the batch reaches.
// Serves: word2vec-style negatives of the item-embedding models (MRLR's skip-gram, CCRec §5.1).

override EXCLUDE: bool = false;

struct Params {
  n: u32,
  table_size: u32,
  num_users: u32,
  max_tries: u32,
  key: vec2<u32>,
  counter: vec2<u32>,
  stream: u32,
  nnz: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> prob: array<f32>;
@group(0) @binding(2) var<storage, read> alias_of: array<i32>;
@group(0) @binding(3) var<storage, read> users: array<i32>;
@group(0) @binding(4) var<storage, read> indptr: array<i32>;
@group(0) @binding(5) var<storage, read> indices: array<i32>;
@group(0) @binding(6) var<storage, read_write> negatives: array<i32>;
@group(0) @binding(7) var<storage, read_write> exhausted: atomic<i32>;
@group(0) @binding(8) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 64u;
const BAD_USER: u32 = 1u;
const BAD_ROW: u32 = 2u;
const BAD_ALIAS: u32 = 4u;
const UNIFORM_STEP: f32 = 1.0 / 16777216.0;

@compute @workgroup_size(WORKGROUP)
fn neg_sample_alias(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.x + gid.y * groups.x * WORKGROUP;
  if (r >= params.n) {
    return;
  }
  var lo = 0u;
  var hi = 0u;
  if (EXCLUDE) {
    let user = users[r];
    if (user < 0 || u32(user) >= params.num_users) {
      negatives[r] = -1;
      atomicOr(&status, BAD_USER);
      return;
    }
    let lo_i = indptr[user];
    let hi_i = indptr[user + 1];
    if (lo_i < 0 || lo_i > hi_i || u32(hi_i) > params.nnz) {
      negatives[r] = -1;
      atomicOr(&status, BAD_ROW);
      return;
    }
    lo = u32(lo_i);
    hi = u32(hi_i);
  }
  // k = counter + 2·r·T, then + 2 per try.
  let rt = mul_u32_wide(r, params.max_tries);
  var k = add_u64(params.counter, add_u64(rt, rt));
  var item = 0;
  var t = 0u;
  for (; t < params.max_tries; t++) {
    let column = mulhi32(philox_u32_at(params.key, params.stream, k), params.table_size);
    let coin = f32(philox_u32_at(params.key, params.stream, add_u64(k, vec2<u32>(1u, 0u))) >> 8u) * UNIFORM_STEP;
    item = select(alias_of[column], i32(column), coin < prob[column]);
    if (item < 0 || u32(item) >= params.table_size) {
      negatives[r] = -1;
      atomicOr(&status, BAD_ALIAS);
      return;
    }
    if (!EXCLUDE || !sorted_has_indices(lo, hi, item)) {
      break;
    }
    k = add_u64(k, vec2<u32>(2u, 0u));
  }
  if (t == params.max_tries) {
    atomicAdd(&exhausted, 1);
  }
  negatives[r] = item;
}
