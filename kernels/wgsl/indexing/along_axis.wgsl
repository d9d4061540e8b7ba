// indexing/along_axis.wgsl — entry points `take_along_axis` and its adjoint `put_along_axis`
// on the last axis (as the C++ side shares kernels/cpu/indexing/along_axis.h).
//
// Equations, for r in [0, rows):
//   take_along_axis: y[r] = x[r·classes + indices[r]] (e.g. the log-probability of each row's label);
//   put_along_axis:  y[r·classes + indices[r]] = 0 + x[r]; every other element of y stays 0.
// Layouts and dtypes (f32 data moved as u32 words): take — x [rows, classes] (leading axes
//   flattened), y [rows]; put — x [rows], y [rows, classes] zero-filled by the host (a new
//   GPUBuffer); indices i32 [rows]; status u32 [1].
// Threading: one invocation per row; one writer per output element — no atomics.
// Numerics: 32-bit copies, no float arithmetic (which a GPU may flush to zero for subnormals):
//   bit-exact. put's 0 + (−0) = +0, so the word 0x80000000 becomes 0, as in the reference.
// Bad input: an index outside [0, classes) sets status (the host raises it at the next read);
//   take writes 0 for that row, put writes nothing.
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
// What `row_class` returns for a row past the end or an index out of range (status set).
const NO_CLASS: u32 = 0xffffffffu;

// Row r's class, or NO_CLASS (past the end, or out of range: status set).
fn row_class(r: u32) -> u32 {
  if (r >= params.rows) {
    return NO_CLASS;
  }
  let c = indices[r];
  if (c < 0 || u32(c) >= params.classes) {
    atomicOr(&status, 1u);
    return NO_CLASS;
  }
  return u32(c);
}

@compute @workgroup_size(WORKGROUP)
fn take_along_axis(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.x + gid.y * groups.x * WORKGROUP;
  let c = row_class(r);
  if (c != NO_CLASS) {
    y[r] = x[r * params.classes + c];
  } else if (r < params.rows) {
    y[r] = 0u;
  }
}

@compute @workgroup_size(WORKGROUP)
fn put_along_axis(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.x + gid.y * groups.x * WORKGROUP;
  let c = row_class(r);
  if (c == NO_CLASS) {
    return;
  }
  let word = x[r];
  y[r * params.classes + c] = select(word, 0u, word == NEGATIVE_ZERO);
}
