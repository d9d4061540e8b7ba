//! requires common/philox.wgsl
//! requires common/sorted_has.wgsl(SORTED)
// common/sample_unseen.wgsl — no entry point: the bounded rejection loop of the excluding
// samplers, the WGSL twin of kernels/cpu/common/rejection.h's `sample_unseen`.
//
// Equation: try t = 0 … max_tries − 1 draws j = mulhi32(u32At(key, stream, first + t), num_items)
//   and stops at the first j not in SORTED[lo, hi); after max_tries tries the last draw is kept
//   and `exhausted` is true.
// Template: SORTED is the sorted module-scope `array<i32>` searched (see sorted_has.wgsl); a
//   kernel writes `//! requires common/sample_unseen.wgsl(indices)` and gets
//   `fn sample_unseen_indices(…) -> Unseen_indices`.
// Numerics: integers only; bit-identical to the js references' counters and multiply-high.

struct Unseen_SORTED {
  item: u32,
  exhausted: bool,
}

fn sample_unseen_SORTED(key: vec2<u32>, stream: u32, first: vec2<u32>, num_items: u32, max_tries: u32, lo: u32, hi: u32) -> Unseen_SORTED {
  var k = first;
  var item = 0u;
  for (var t = 0u; t < max_tries; t++) {
    item = mulhi32(philox_u32_at(key, stream, k), num_items);
    if (!sorted_has_SORTED(lo, hi, i32(item))) {
      return Unseen_SORTED(item, false);
    }
    k = add_u64(k, vec2<u32>(1u, 0u));
  }
  return Unseen_SORTED(item, true);
}
