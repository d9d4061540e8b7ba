// indexing/put_along_axis.wgsl — entry point `put_along_axis`: the adjoint of take_along_axis,
// y = zeros([rows, classes]); y[r, indices[r]] += x[r].
//
// Equation: y[r·classes + indices[r]] = 0 + x[r]; every other element stays 0.
// Layouts and dtypes: x f32 [rows], read as u32 words; indices i32 [rows]; y f32 [rows, classes],
//   zero-filled by the host (a new GPUBuffer), written as u32 words; status u32 [1].
// Threading: one invocation per row, writing only its own row — no atomics.
// Numerics: bit-exact without float arithmetic (which a GPU may flush to zero for subnormals):
//   the reference's 0 + x is x, except that 0 + (−0) = +0, so the word 0x80000000 becomes 0.
// Bad input: an index outside [0, classes) sets status (the host raises it at the next read)
//   and writes nothing for that row.
// Limits: rows·classes < 2³² (the host checks).

struct Params {
  rows: u32,
  classes: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> y: array<u32>;
@group(0) @binding(4) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 256u;
const NEGATIVE_ZERO: u32 = 0x80000000u;

@compute @workgroup_size(WORKGROUP)
fn put_along_axis(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.x + gid.y * groups.x * WORKGROUP;
  if (r >= params.rows) {
    return;
  }
  let c = indices[r];
  if (c < 0 || u32(c) >= params.classes) {
    atomicOr(&status, 1u);
    return;
  }
  let word = x[r];
  y[r * params.classes + u32(c)] = select(word, 0u, word == NEGATIVE_ZERO);
}
