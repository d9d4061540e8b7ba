// indexing/take_along_axis.wgsl — entry point `take_along_axis`: y[r] = x[r, indices[r]] on
// the last axis, e.g. the log-probability of each row's label.
//
// Equation: y[r] = x[r·classes + indices[r]] for r in [0, rows).
// Layouts and dtypes: x f32 [rows, classes] (leading axes flattened), read as u32 words;
//   indices i32 [rows]; y f32 [rows], written as u32 words; status u32 [1].
// Threading: one invocation per row; one writer per output — no atomics.
// Numerics: a 32-bit copy (no float arithmetic, so no flush of subnormals): bit-exact.
// Bad input: an index outside [0, classes) sets status (the host raises it at the next read)
//   and writes 0 for that row.
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

@compute @workgroup_size(WORKGROUP)
fn take_along_axis(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.x + gid.y * groups.x * WORKGROUP;
  if (r >= params.rows) {
    return;
  }
  let c = indices[r];
  if (c < 0 || u32(c) >= params.classes) {
    atomicOr(&status, 1u);
    y[r] = 0u;
    return;
  }
  y[r] = x[r * params.classes + u32(c)];
}
