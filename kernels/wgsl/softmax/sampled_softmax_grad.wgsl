//! requires softmax/sampled_softmax.wgsl
// softmax/sampled_softmax_grad.wgsl — entry point `sampled_softmax_grad` (with
// `sampled_softmax_grad_hidden` and `sampled_softmax_grad_rows`, dispatched after it): the
// backward of softmax/sampled_softmax.wgsl, whose bindings, logits and row pass it reuses.
//
// Equation, with upstream γ_b = ∂L/∂loss_b and p = softmax(o) (o as in sampled_softmax.wgsl,
//   a masked hit has p = 0):
//   δ_bj = γ_b·(p_j − [j = 0])
//   dHidden[b]   = Σ_j δ_bj·w_{c_bj}         (c_b0 = label_b, c_bj = sampled_j)
//   dRows[b]     = δ_b0·h_b;   dRows[B + s] = Σ_b δ_b,s+1·h_b
//   dBias[b]     = δ_b0;       dBias[B + s] = Σ_b δ_b,s+1
// Layouts and dtypes: as sampled_softmax.wgsl, plus d_loss f32 [B]; delta f32 [B, S + 1]
//   (scratch: the logits, then δ); d_hidden f32 [B, d]; d_rows f32 [B + S, d]; d_bias
//   f32 [B + S] — rows in the id order classes = labels ‖ sampled (row-sparse gradients).
// Threading: three dispatches, in order —
//   `sampled_softmax_grad`: one workgroup per row: logits into delta, logsumexp (shared row
//     pass), then each invocation turns its own columns into δ (no barrier needed: it reads
//     only what it wrote);
//   `sampled_softmax_grad_hidden`: one invocation per (b, k), Σ over the S + 1 columns in order;
//   `sampled_softmax_grad_rows`: one invocation per (r, k) of dRows (max(d, 1) per row), Σ over
//     the batch in order for a sampled row (the shared-class gradient, no atomics); k = 0 also
//     writes dBias.
// Numerics: f32 throughout, sums in a fixed order (deterministic); the reference sums in f64.
//   Parity tolerance 1e-5 absolute + relative.
// Bad input: as sampled_softmax.wgsl; a row with a class out of range gets δ = 0.
// Cost: the forward's B·(S + 1)·d, plus 2·B·(S + 1)·d for the two products. Not tuned.

@group(0) @binding(8) var<storage, read> d_loss: array<f32>;
@group(0) @binding(9) var<storage, read_write> delta: array<f32>;
@group(0) @binding(10) var<storage, read_write> d_hidden: array<f32>;
@group(0) @binding(11) var<storage, read_write> d_rows: array<f32>;
@group(0) @binding(12) var<storage, read_write> d_bias: array<f32>;

const GRID_WORKGROUP: u32 = 64u;

@compute @workgroup_size(WORKGROUP)
fn sampled_softmax_grad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x + wid.y * groups.x;
  if (b >= params.batch) {
    return;
  }
  let width = params.samples + 1u;
  if (!row_ids_valid(b, lid)) {
    for (var j = lid; j < width; j += WORKGROUP) {
      delta[b * width + j] = 0.0;
    }
    return;
  }
  var acc = vec2<f32>(0.0, 0.0);
  for (var j = lid; j < width; j += WORKGROUP) {
    if (is_hit(b, j)) {
      continue;
    }
    let o = logit(b, j);
    delta[b * width + j] = o;
    acc = lse_push(acc, o);
  }
  let lse = row_log_sum_exp(lid, acc);
  let gamma = d_loss[b];
  for (var j = lid; j < width; j += WORKGROUP) {
    var value = 0.0;
    if (!is_hit(b, j)) {
      value = gamma * (exp(delta[b * width + j] - lse) - select(0.0, 1.0, j == 0u));
    }
    delta[b * width + j] = value;
  }
}

@compute @workgroup_size(GRID_WORKGROUP)
fn sampled_softmax_grad_hidden(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * GRID_WORKGROUP;
  let d = params.dim;
  if (i >= params.batch * d) {
    return;
  }
  let b = i / d;
  let k = i % d;
  let width = params.samples + 1u;
  var sum = 0.0;
  for (var j = 0u; j < width; j++) {
    let c = u32(classes[column_slot(b, j)]);
    sum += delta[b * width + j] * class_weights[c * d + k];
  }
  d_hidden[i] = sum;
}

@compute @workgroup_size(GRID_WORKGROUP)
fn sampled_softmax_grad_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * GRID_WORKGROUP;
  let d = params.dim;
  let B = params.batch;
  // max(d, 1) invocations per row, so that dBias is written even when d = 0.
  let cols = max(d, 1u);
  if (i >= (B + params.samples) * cols) {
    return;
  }
  let r = i / cols;
  let k = i % cols;
  let width = params.samples + 1u;
  if (r < B) {
    let g = delta[r * width];
    if (k < d) {
      d_rows[r * d + k] = g * hidden[r * d + k];
    }
    if (k == 0u) {
      d_bias[r] = g;
    }
    return;
  }
  let column = r - B + 1u;
  var sum = 0.0;
  var bias_sum = 0.0;
  for (var b = 0u; b < B; b++) {
    let g = delta[b * width + column];
    if (k < d) {
      sum += g * hidden[b * d + k];
    }
    bias_sum += g;
  }
  if (k < d) {
    d_rows[r * d + k] = sum;
  }
  if (k == 0u) {
    d_bias[r] = bias_sum;
  }
}
