//! requires common/philox.wgsl
//! requires common/soft_f64.wgsl
// sampling/sample_weighted_candidates.wgsl — entry point `sample_weighted_candidates`: CCRec
// §5.1's probability-weighted negative sampler, S draws per row from the row's candidate list
// with the given (unnormalised) weights, by inverse CDF on one uniform per draw.
//
// Equation: for draw s of row r, k = counter + r·S + s:
//   W_r = Σ_l w_rl (f64, l = 0..L−1);  threshold = ((word k >> 8)·2⁻²⁴)·W_r  (f64, one rounding)
//   pick = the first l with Σ_{m ≤ l} w_rm > threshold (f64 prefix sums), else the last l with
//   w_rl > 0;  sample = candidates[r, pick],  weight = f32(f64(w_r,pick / W_r)).
//   Every f64 operation is done in software (common/soft_f64.wgsl), rounded as the
//   reference's, so picks and weights are bit-identical to the js reference.
// Layouts and dtypes: candidates i32 [n, L]; weights f32 [n, L]; samples i32 [n, S];
//   sample_weights f32 [n, S]; status u32 [1].
// Threading: one invocation per draw (r, s); each recomputes its row's sums in order, O(L),
//   as the reference does (the lists are tens of categories long).
// Bad input: a weight that is negative, infinite or NaN (status bit 0) or a row whose weights
//   sum to zero (bit 1) gives sample −1 and weight 0 for the row's draws; the host raises it at
//   the next read, without the row and column the js reference names.
// Serves: CCRec (§5.1 negative sampling over non-interacted categories; §5.3 reuses the weights).

struct Params {
  rows: u32,
  list_length: u32,
  samples: u32,
  stream: u32,
  key: vec2<u32>,
  counter: vec2<u32>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> candidates: array<i32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> samples: array<i32>;
@group(0) @binding(4) var<storage, read_write> sample_weights: array<f32>;
@group(0) @binding(5) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 64u;
const BAD_WEIGHT: u32 = 1u;
const ZERO_ROW: u32 = 2u;

@compute @workgroup_size(WORKGROUP)
fn sample_weighted_candidates(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let slot = gid.x + gid.y * groups.x * WORKGROUP;
  if (slot >= params.rows * params.samples) {
    return;
  }
  let r = slot / params.samples;
  let L = params.list_length;
  let row = r * L;
  var total = f64_zero();
  var last = 0u;
  var bad = 0u;
  for (var l = 0u; l < L; l++) {
    let w = weights[row + l];
    let bits = bitcast<u32>(w);
    // Non-finite (exponent all ones) or negative (sign set on a non-zero magnitude; −0 is fine).
    if ((bits & 0x7f800000u) == 0x7f800000u || (bits > 0x80000000u)) {
      bad = BAD_WEIGHT;
    } else if ((bits & 0x7fffffffu) != 0u) {
      last = l;
    }
    total = f64_add(total, f64_from_f32(w));
  }
  if (bad == 0u && u64_is_zero(total.m)) {
    bad = ZERO_ROW;
  }
  if (bad != 0u) {
    samples[slot] = -1;
    sample_weights[slot] = 0.0;
    atomicOr(&status, bad);
    return;
  }
  let word = philox_u32_at(params.key, params.stream, add_u64(params.counter, vec2<u32>(slot, 0u)));
  let threshold = f64_mul_unit(total, word >> 8u);
  var cum = f64_zero();
  var pick = last;
  for (var l = 0u; l < L; l++) {
    cum = f64_add(cum, f64_from_f32(weights[row + l]));
    if (f64_gt(cum, threshold)) {
      pick = l;
      break;
    }
  }
  samples[slot] = candidates[row + pick];
  sample_weights[slot] = f64_div_to_f32(f64_from_f32(weights[row + pick]), total);
}
