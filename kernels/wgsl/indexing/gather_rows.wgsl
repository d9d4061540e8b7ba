// indexing/gather_rows.wgsl — entry point `gather_rows`: y[j] = table[indices[j]], the embedding
// lookup; the WGSL twin of kernels/cpu/indexing/gather_rows.cc (reference and full contract:
// packages/core/src/kernels/indexing/gather_rows.ts).
//
// Layouts and dtypes: table [rows·width] of any 32-bit dtype (f32, i32, u32: bound as u32 words
//   and copied, so bit-exact for every dtype; the table's trailing axes flattened into width);
//   indices i32 [n] (any shape, flat); y [n·width], the table's dtype; status u32 [1].
// Threading: one invocation per output element (row j, column c), 2-D grid past 65535
//   workgroups; neighbouring invocations read neighbouring words of one table row.
// Bad input: an index outside [0, rows) sets status (the host raises it at the next read) and
//   its output row is 0. Limits: n·width < 2³² and rows·width < 2³² words.

struct Params {
  total: u32,
  width: u32,
  rows: u32,
  _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> table: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> y: array<u32>;
@group(0) @binding(4) var<storage, read_write> status: atomic<u32>;

const WORKGROUP: u32 = 256u;

@compute @workgroup_size(WORKGROUP)
fn gather_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP;
  if (i >= params.total) {
    return;
  }
  let width = params.width;
  let r = indices[i / width];
  if (r < 0 || u32(r) >= params.rows) {
    atomicOr(&status, 1u);
    y[i] = 0u;
    return;
  }
  y[i] = table[u32(r) * width + i % width];
}
