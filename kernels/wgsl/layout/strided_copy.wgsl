// layout/strided_copy.wgsl — entry points `transpose`, `broadcast_to`, `slice`, `pad_slice` and
// `concat`: the layout copies autograd, attention's head split and merge, and the
// multi-behaviour models need on the GPU (the webgpu backend has no host fallback). Each is one
// strided copy; the host chooses the strides.
//
// Equation, for every index vector idx of the iteration shape s (rank r ≤ 8), with o its
//   row-major position:
//   dst[dst_base + Σ_a idx_a·dst_stride_a] = src[src_base + Σ_a idx_a·src_stride_a]
// The host's choices (packages/kernels/src/webgpu/kernels/layout/strided_copy.ts):
//   transpose:    s = the output shape (x's axes permuted), src = x's strides permuted,
//                 dst contiguous;
//   broadcast_to: s = the output shape, src strides 0 on stretched axes, dst contiguous;
//   slice:        s = size, src = x's strides from Σ begin_a·stride_a, dst contiguous;
//   pad_slice:    s = x's shape, src contiguous, dst = the output's strides from its begin;
//                 the rest of the output stays 0 (a new GPUBuffer is zero-filled);
//   concat:       one dispatch per input, s = its shape, dst = the output's strides from the
//                 input's offset along the axis.
// Layouts and dtypes: f32, i32 and u32 alike, moved as u32 words, dense row-major.
// Numerics: 32-bit copies, no arithmetic on the values: bit-exact with the reference.
// Threading: one invocation per element of s; every destination element has one writer.
// Limits: rank ≤ 8 and every offset < 2³² (the host checks); 2-D grid past 65535 workgroups.

struct Params {
  n: u32,
  rank: u32,
  src_base: u32,
  dst_base: u32,
  shape: array<vec4<u32>, 2>,
  src_stride: array<vec4<u32>, 2>,
  dst_stride: array<vec4<u32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

const WORKGROUP: u32 = 256u;

fn copy_element(gid: vec3<u32>, groups: vec3<u32>) {
  let o = gid.x + gid.y * groups.x * WORKGROUP;
  if (o >= params.n) {
    return;
  }
  var rest = o;
  var s = params.src_base;
  var d = params.dst_base;
  for (var ax = i32(params.rank) - 1; ax >= 0; ax--) {
    let q = u32(ax) / 4u;
    let c = u32(ax) % 4u;
    let size = params.shape[q][c];
    let idx = rest % size;
    rest = rest / size;
    s += idx * params.src_stride[q][c];
    d += idx * params.dst_stride[q][c];
  }
  dst[d] = src[s];
}

@compute @workgroup_size(WORKGROUP)
fn transpose(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  copy_element(gid, groups);
}

@compute @workgroup_size(WORKGROUP)
fn broadcast_to(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  copy_element(gid, groups);
}

@compute @workgroup_size(WORKGROUP)
fn slice(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  copy_element(gid, groups);
}

@compute @workgroup_size(WORKGROUP)
fn pad_slice(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  copy_element(gid, groups);
}

@compute @workgroup_size(WORKGROUP)
fn concat(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  copy_element(gid, groups);
}
