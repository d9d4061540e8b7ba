//! requires common/sorted_has.wgsl(mask_indices)
// ranking/rank_topk.wgsl — entry point `rank_topk`: score a block of users against every
// item, mask each user's listed items, keep the k best per user.
//
// Equation: s[b, j] = ⟨U[b], V[j]⟩ (+ bias[j] with HAS_BIAS, added to the finished f32 dot
//   product) for j ∉ mask(b); top[b] = the k items with the highest
//   s[b, j], best first; equal scores go to the lower item index (as @rec/core's reference
//   and @rec/eval's topKIndices). mask(b) = maskIndices[maskIndptr[b] .. maskIndptr[b+1]),
//   sorted ascending. Fewer than k unmasked items: padded with index −1, score −∞.
// Layouts and dtypes: U f32 [B, d]; V f32 [n, d]; maskIndptr i32 [B + 1]; maskIndices i32
//   [nnz]; topIndices i32 [B, k]; topScores f32 [B, k]; status u32 [1]; itemBias f32 [n]
//   (a 4-byte placeholder without HAS_BIAS, a pipeline-override constant).
// Threading: one workgroup of 256 invocations per user (2-D grid past 65535 users). The
//   workgroup holds 1024 (score, index) slots in workgroup memory: slots [0, 256) keep the
//   best 256 so far, sorted; each round scores the next 768 items into slots [256, 1024)
//   (3 per invocation; a masked item, or one past n, becomes padding), then a bitonic sort
//   of all 1024 slots (55 stages, 2 compare-exchanges per invocation each) brings the best
//   256 back to the front. ⌈n / 768⌉ rounds per user.
// Order: "a before b" ⇔ s_a > s_b, or s_a = s_b and index_a < index_b — a total order, so
//   the result does not depend on the sort network: exact index parity with the reference
//   whenever the scores themselves agree. Padding carries index 0x7fffffff and −∞, so it
//   ranks after every item, even an item whose score is −∞.
// Numerics: each dot product summed in f32 in order c = 0..d−1 (the reference sums in f64
//   and rounds to f32), so scores agree exactly when products and partial sums are exact
//   in f32 (the parity fixtures), and to f32 rounding otherwise. NaN scores: unspecified.
// Limits: k ≤ 256 (the host checks; evaluation and serving use ≤ 200).
// Bad input: a user's mask row that is not a valid sorted CSR row of ids in [0, n) sets
//   status (the host raises it at the next read); that user's output is padding.
// Cost: B·n·d multiply-adds, and 55·1024/2 compare-exchanges per 768 items. Not yet tuned:
//   U and V are read from storage, not tiled through workgroup memory.

struct Params {
  users: u32,
  items: u32,
  d: u32,
  k: u32,
  nnz: u32,
  // 0xff800000, the bits of −∞: WGSL rejects a constant expression that evaluates to an
  // infinity, so −∞ comes from the uniform.
  neg_inf_bits: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> U: array<f32>;
@group(0) @binding(2) var<storage, read> V: array<f32>;
@group(0) @binding(3) var<storage, read> mask_indptr: array<i32>;
@group(0) @binding(4) var<storage, read> mask_indices: array<i32>;
@group(0) @binding(5) var<storage, read_write> top_indices: array<i32>;
@group(0) @binding(6) var<storage, read_write> top_scores: array<f32>;
@group(0) @binding(7) var<storage, read_write> status: atomic<u32>;
@group(0) @binding(8) var<storage, read> item_bias: array<f32>;

override HAS_BIAS: bool = false;

const WORKGROUP: u32 = 256u;
const KEEP: u32 = 256u;
const SLOTS: u32 = 1024u;
const PAD_INDEX: i32 = 0x7fffffff;

var<workgroup> slot_score: array<f32, SLOTS>;
var<workgroup> slot_index: array<i32, SLOTS>;
var<workgroup> bad: u32;

fn neg_inf() -> f32 {
  return bitcast<f32>(params.neg_inf_bits);
}

// True when slot a ranks before slot b.
fn before(sa: f32, ia: i32, sb: f32, ib: i32) -> bool {
  return sa > sb || (sa == sb && ia < ib);
}

@compute @workgroup_size(WORKGROUP)
fn rank_topk(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x + wid.y * groups.x;
  // Uniform across the workgroup: the whole workgroup leaves together.
  if (b >= params.users) {
    return;
  }
  let n = params.items;
  let d = params.d;
  let k = params.k;

  // Check this user's mask row (the reference checks every row before ranking).
  if (lid == 0u) {
    bad = 0u;
  }
  workgroupBarrier();
  let start = mask_indptr[b];
  let end = mask_indptr[b + 1u];
  var mine = 0u;
  if (start < 0 || start > end || u32(end) > params.nnz) {
    mine = 1u;
  } else {
    for (var e = u32(start) + lid; e < u32(end); e += WORKGROUP) {
      let item = mask_indices[e];
      if (item < 0 || u32(item) >= n || (e > u32(start) && item <= mask_indices[e - 1u])) {
        mine = 1u;
      }
    }
  }
  if (mine != 0u) {
    bad = 1u;
  }
  let invalid = workgroupUniformLoad(&bad) != 0u;
  if (invalid && lid == 0u) {
    atomicMax(&status, 1u);
  }

  for (var s = lid; s < KEEP; s += WORKGROUP) {
    slot_score[s] = neg_inf();
    slot_index[s] = PAD_INDEX;
  }
  let lo = select(u32(start), 0u, invalid);
  let hi = select(u32(end), 0u, invalid);
  let per_round = SLOTS - KEEP;
  let rounds = select((n + per_round - 1u) / per_round, 0u, invalid);
  let u = b * d;
  for (var r = 0u; r < rounds; r++) {
    for (var s = KEEP + lid; s < SLOTS; s += WORKGROUP) {
      let j = r * per_round + (s - KEEP);
      var score = neg_inf();
      var index = PAD_INDEX;
      if (j < n && !sorted_has_mask_indices(lo, hi, i32(j))) {
        var dot = 0.0;
        let v = j * d;
        for (var c = 0u; c < d; c++) {
          dot += U[u + c] * V[v + c];
        }
        score = dot;
        if (HAS_BIAS) {
          score = dot + item_bias[j];
        }
        index = i32(j);
      }
      slot_score[s] = score;
      slot_index[s] = index;
    }
    workgroupBarrier();
    // Bitonic sort of the SLOTS entries into "before" order.
    for (var size = 2u; size <= SLOTS; size <<= 1u) {
      for (var stride = size >> 1u; stride > 0u; stride >>= 1u) {
        for (var i = lid; i < SLOTS; i += WORKGROUP) {
          let partner = i ^ stride;
          if (partner > i) {
            let si = slot_score[i];
            let ii = slot_index[i];
            let sp = slot_score[partner];
            let ip = slot_index[partner];
            // In blocks where (i & size) == 0 the pair ends in "before" order, else reversed.
            let swap = select(before(si, ii, sp, ip), before(sp, ip, si, ii), (i & size) == 0u);
            if (swap) {
              slot_score[i] = sp;
              slot_index[i] = ip;
              slot_score[partner] = si;
              slot_index[partner] = ii;
            }
          }
        }
        workgroupBarrier();
      }
    }
  }

  for (var o = lid; o < k; o += WORKGROUP) {
    let index = slot_index[o];
    let padded = index == PAD_INDEX;
    top_indices[b * k + o] = select(index, -1, padded);
    top_scores[b * k + o] = select(slot_score[o], neg_inf(), padded);
  }
}
