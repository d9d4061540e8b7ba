// random/dropout_mask.wgsl — entry point `dropout_mask`: the inverted-dropout mask
// m_i = 1/(1 − p) if u_i ≥ p else 0 (Srivastava et al. 2014, JMLR 15; the inverted form keeps
// E[m_i] = 1), with u_i the uniform at word counter + i of Philox stream (seed, stream).
//
// Equation: u_i = (word(counter + i) >> 8)·2⁻²⁴ (common/philox.wgsl, @rec/core's uniformAt).
//   u_i ≥ p ⇔ (word >> 8) ≥ threshold, threshold = ⌈p·2²⁴⌉ clamped to [0, 2²⁴] (the host
//   computes it in f64; NaN gives 2²⁴, every element dropped, as the reference's u ≥ NaN).
// Layouts and dtypes: out f32 [n] written as u32 words; `keep` is the f32 word of 1/(1 − p)
//   rounded once in f64 on the host, as the reference's store; key, counter as (lo, hi) u32.
// Threading: one invocation per Philox block of four words: invocation t computes block
//   ⌊counter/4⌋ + t once and writes the (up to four) elements whose words it holds; elements
//   are disjoint, no atomics, no shared generator state.
// Numerics: integers only — bit-exact with js and native for every p.
// Limits: n + (counter mod 4) < 2³² (the host checks); counter + n ≤ 2⁵³ as the reference.

//! requires common/philox.wgsl

struct Params {
  n: u32,
  threshold: u32,
  keep: u32,
  stream: u32,
  key: vec2<u32>,
  counter: vec2<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

const WORKGROUP: u32 = 256u;

@compute @workgroup_size(WORKGROUP)
fn dropout_mask(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = gid.x + gid.y * groups.x * WORKGROUP;
  let offset = params.counter.x & 3u;
  let n = params.n;
  // Elements 4t − offset … 4t − offset + 3 hold words 0 … 3 of this block.
  if (t * 4u >= n + offset) {
    return;
  }
  let first_block = vec2<u32>((params.counter.x >> 2u) | (params.counter.y << 30u), params.counter.y >> 2u);
  let block = add_u64(first_block, vec2<u32>(t, 0u));
  let words = philox4x32_10(vec4<u32>(block.x, block.y, params.stream, 0u), params.key);
  for (var w = 0u; w < 4u; w++) {
    let slot = t * 4u + w;
    if (slot < offset || slot - offset >= n) {
      continue;
    }
    out[slot - offset] = select(params.keep, 0u, (words[w] >> 8u) < params.threshold);
  }
}
