// sgd/merge_parts.wgsl — entry point `merge_parts`: the end of a `bpr_step` / `skipgram_step`
// call with the category table and the attribute `parts` ≥ 2 (the spec, @rec/core's
// kernels/sgd/: item t reads and writes the category rows of its part p(t) = ⌊t / 64⌋ mod parts
// in that part's own copy S_p of X, made at the call's start; the shared tables as before).
// This pass folds the copies back into X.
//
// Equation, for every element (r, c) of X [Rx, d], X holding the value at the call's start:
//   X[r][c] ← S_0[r][c] + Σ_{p = 1 … parts−1, ascending} (S_p[r][c] − X[r][c])
//   each operation rounded to f32, in that order: acc = S_0; acc = acc + (S_p − X).
// The reference starts from the copy of the lowest part that WROTE row r and adds the later
// writers only; here every part is added (the spec allows it on webgpu): a part that never
// wrote r has S_p = X there, so it adds +0, and where the lowest writer q is not part 0,
// X + (S_q − X) can differ from S_q by one rounding — inside the parity tolerance.
// Layouts and dtypes: X f32 [Rx·d] in place; S f32 [parts·Rx·d], slice p at p·Rx·d (the
//   scratch the step ran on); status u32 [1], the step's status word.
// Bad input: when the step found bad input (its status word is not 0) it updated nothing, and
//   neither does this pass (it would turn a −0 of X into +0).
// Threading: one invocation per element (a linear grid, `linearGrid` on the host); each reads
//   and writes only its own element, so no atomics and no order between invocations.
// Numerics: f32, no multiply (nothing a GPU could fuse): within the parity tolerance of the
//   reference's merge, bit-equal where the signs of zeros agree.

struct Params {
  // Rx·d: the elements of X (and of each slice of S).
  count: u32,
  parts: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> X: array<f32>;
@group(0) @binding(2) var<storage, read> S: array<f32>;
@group(0) @binding(3) var<storage, read> status: array<u32>;

const WORKGROUP: u32 = 64u;

@compute @workgroup_size(WORKGROUP)
fn merge_parts(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  let count = params.count;
  if (i >= count || status[0] != 0u) {
    return;
  }
  let x = X[i];
  var acc = S[i];
  for (var p = 1u; p < params.parts; p++) {
    acc += S[p * count + i] - x;
  }
  X[i] = acc;
}
