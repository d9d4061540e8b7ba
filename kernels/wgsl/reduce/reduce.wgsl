//! requires common/float_pair.wgsl
// reduce/reduce.wgsl — entry points `reduce` (one invocation per output) and `reduce_workgroup`
// (one workgroup per output, for long reductions): y = Σ, max or min of x over a set of axes,
// the reduced axes kept with size 1, the WGSL twin of kernels/cpu/reduce/reduce.cc (reference
// and full contract: packages/core/src/kernels/reduce/reduce.ts):
//
//   y[o] = ⊕_{k < mid} x[base(o) + offset(k)],   ⊕ ∈ {+ (FN 0), max (FN 1), min (FN 2)}
//
// Layouts and dtypes: x and y one dtype — f32 (DTYPE 0), i32 (1) or u32 (2) — bound as u32
//   words. The host drops size-1 axes and merges neighbouring axes of the same kind, then
//   passes the kept groups (sizes and input strides, row-major order of the output) and the
//   reduced groups (sizes and strides, row-major order of the reference's walk), at most 8 of
//   each: base(o) and offset(k) are those mixed-radix decompositions.
// Variants: FN and DTYPE are pipeline-override constants; the entry point is picked by the
//   host from `mid` (see packages/kernels/src/webgpu/kernels/reduce/reduce.ts).
// Threading: `reduce` walks k = 0, 1, … in the reference's order; `reduce_workgroup` gives
//   invocation l the k ≡ l (mod 128) and combines the 128 partial states in a fixed tree in
//   workgroup memory. No atomics, so both are deterministic run to run.
// Numerics:
//   - max / min are exact (bit for bit) on both entry points: values compare by integer order
//     keys (f32 ±0 equal, so the first zero's sign wins, as the reference's `v > acc`; WGSL does
//     not promise NaN or ∞ through float compares), a NaN anywhere gives NaN, and partial
//     states carry the index of their value so ties across lanes keep the first one.
//   - integer sums wrap modulo 2³² (u32 adds), which is the reference's f64 sum stored to a
//     32-bit typed array while |Σ| < 2⁵³ (always, below 2²¹ elements per output).
//   - f32 sums run as a float pair (common/float_pair.wgsl, ~48 bits) rounded once, against
//     the reference's f64 accumulator rounded once: within 1 ulp, usually equal. ±∞ and NaN are
//     kept as flags (+∞ and −∞ together give NaN, as IEEE). Limit: a finite partial sum past
//     f32's range becomes ∞ here where the reference's f64 could come back into range.
//   - an empty reduction stores the reference's start value: 0, −∞ (max) or +∞ (min), which an
//     integer dtype stores as 0.

struct Params {
  n_out: u32,
  mid: u32,
  kept_rank: u32,
  red_rank: u32,
  // 1.0, opaque to the compiler (see common/float_pair.wgsl).
  unit: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  kept_size: array<vec4<u32>, 2>,
  kept_stride: array<vec4<u32>, 2>,
  red_size: array<vec4<u32>, 2>,
  red_stride: array<vec4<u32>, 2>,
}

override FN: u32 = 0u;
override DTYPE: u32 = 0u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;

fn float_pair_unit() -> f32 {
  return params.unit;
}

const WORKGROUP: u32 = 64u;
const WIDE_WORKGROUP: u32 = 128u;

const FLAG_NAN: u32 = 1u;
const FLAG_POS_INF: u32 = 2u;
const FLAG_NEG_INF: u32 = 4u;
const FLAG_HAS: u32 = 8u;

// The running value of one output: `pair` (f32 sums), `word` (integer sum, or the order key of
// the max / min so far), `bits` and `first` (that value's bits and reduced index), `flags`.
struct State {
  pair: vec2<f32>,
  word: u32,
  bits: u32,
  first: u32,
  flags: u32,
}

var<workgroup> partial: array<State, WIDE_WORKGROUP>;

fn empty_state() -> State {
  return State(vec2<f32>(0.0, 0.0), 0u, 0u, 0u, 0u);
}

// A key whose unsigned order is the order of the values (f32: ±0 equal; NaN never asked), and
// for min the reverse, so "better" is always the larger key.
fn order_key(bits: u32) -> u32 {
  var key = bits;
  if (DTYPE == 0u) {
    let b = select(bits, 0u, bits == 0x80000000u);
    key = select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
  } else if (DTYPE == 1u) {
    key = bits ^ 0x80000000u;
  }
  return select(key, ~key, FN == 2u);
}

fn accumulate(s_in: State, bits: u32, k: u32) -> State {
  var s = s_in;
  let special = DTYPE == 0u && (bits & 0x7f800000u) == 0x7f800000u;
  if (FN == 0u) {
    if (DTYPE != 0u) {
      s.word += bits;
    } else if (special) {
      if ((bits & 0x007fffffu) != 0u) {
        s.flags |= FLAG_NAN;
      } else {
        s.flags |= select(FLAG_POS_INF, FLAG_NEG_INF, (bits & 0x80000000u) != 0u);
      }
    } else {
      s.pair = pair_add_f32(s.pair, bitcast<f32>(bits));
    }
    return s;
  }
  if (special && (bits & 0x007fffffu) != 0u) {
    s.flags |= FLAG_NAN;
    return s;
  }
  let key = order_key(bits);
  if ((s.flags & FLAG_HAS) == 0u || key > s.word) {
    s.word = key;
    s.bits = bits;
    s.first = k;
    s.flags |= FLAG_HAS;
  }
  return s;
}

// a ⊕ b for partial states (a's elements need not all precede b's: ties go to the lower index).
fn combine(a: State, b: State) -> State {
  var s = a;
  s.flags = a.flags | b.flags;
  if (FN == 0u) {
    s.pair = pair_add(a.pair, b.pair);
    s.word = a.word + b.word;
    return s;
  }
  let a_has = (a.flags & FLAG_HAS) != 0u;
  let b_has = (b.flags & FLAG_HAS) != 0u;
  if (b_has && (!a_has || b.word > a.word || (b.word == a.word && b.first < a.first))) {
    s.word = b.word;
    s.bits = b.bits;
    s.first = b.first;
  }
  return s;
}

fn finish(s: State) -> u32 {
  if ((s.flags & FLAG_NAN) != 0u) {
    return 0x7fc00000u;
  }
  if (FN == 0u) {
    if (DTYPE != 0u) {
      return s.word;
    }
    let inf = s.flags & (FLAG_POS_INF | FLAG_NEG_INF);
    if (inf == (FLAG_POS_INF | FLAG_NEG_INF)) {
      return 0x7fc00000u;
    }
    if (inf == FLAG_POS_INF) {
      return 0x7f800000u;
    }
    if (inf == FLAG_NEG_INF) {
      return 0xff800000u;
    }
    return bitcast<u32>(pair_value(s.pair));
  }
  if ((s.flags & FLAG_HAS) != 0u) {
    return s.bits;
  }
  // Nothing reduced: the reference's start value, −∞ (max) or +∞ (min); 0 in an integer array.
  if (DTYPE != 0u) {
    return 0u;
  }
  return select(0x7f800000u, 0xff800000u, FN == 1u);
}

fn dim(v: array<vec4<u32>, 2>, a: u32) -> u32 {
  return v[a / 4u][a % 4u];
}

// Input offset of output o: its kept coordinates times the kept strides.
fn base_of(o: u32) -> u32 {
  var rest = o;
  var off = 0u;
  for (var a = i32(params.kept_rank) - 1; a >= 0; a--) {
    let size = dim(params.kept_size, u32(a));
    off += (rest % size) * dim(params.kept_stride, u32(a));
    rest /= size;
  }
  return off;
}

// Offset of the k-th reduced element (row-major over the reduced groups).
fn offset_of(k: u32) -> u32 {
  var rest = k;
  var off = 0u;
  for (var a = i32(params.red_rank) - 1; a >= 0; a--) {
    let size = dim(params.red_size, u32(a));
    off += (rest % size) * dim(params.red_stride, u32(a));
    rest /= size;
  }
  return off;
}

@compute @workgroup_size(WORKGROUP)
fn reduce(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let o = gid.x + gid.y * groups.x * WORKGROUP;
  if (o >= params.n_out) {
    return;
  }
  let base = base_of(o);
  var s = empty_state();
  for (var k = 0u; k < params.mid; k++) {
    s = accumulate(s, x[base + offset_of(k)], k);
  }
  y[o] = finish(s);
}

@compute @workgroup_size(WIDE_WORKGROUP)
fn reduce_workgroup(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * groups.x;
  if (o >= params.n_out) {
    return;
  }
  let base = base_of(o);
  var s = empty_state();
  for (var k = lid; k < params.mid; k += WIDE_WORKGROUP) {
    s = accumulate(s, x[base + offset_of(k)], k);
  }
  partial[lid] = s;
  workgroupBarrier();
  for (var span = WIDE_WORKGROUP / 2u; span > 0u; span >>= 1u) {
    if (lid < span) {
      partial[lid] = combine(partial[lid], partial[lid + span]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    y[o] = finish(partial[0]);
  }
}
