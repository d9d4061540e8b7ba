// common/optim_step.wgsl — no entry point: the element updates of the optimizers, shared by
// the dense kernels (`sgd_update`, `adagrad_update`, `adam_update`) and the row-sparse ones
// (`sparse_sgd`, `sparse_adagrad`, `sparse_adam`), the WGSL twin of @rec/core's sgdElements /
// adagradElements / adamElements and of kernels/cpu/optim/optim_rows.h.
//
// Equation, for one element with parameter p and gradient g:
//   SGD:      g ← g + λ·p;  v ← μ·v + g;  p ← p − lr·(nesterov ? g + μ·v : v)   (v only with momentum)
//   Adagrad:  g ← g + λ·p;  G ← G + g²;  p ← p − lr·g / (√G + ε)
//   Adam:     g ← g + l2·p;  m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
//             p ← decay·p − lr·(m / c₁) / (√(v / c₂) + ε)
//   (Adam: coupled L2 is l2 = λ, decay = 1; AdamW is l2 = 0, decay = 1 − lr·λ; c = 1 − βᵗ, all
//   set by the host in f64.)
// Layouts and dtypes: scalars in, the updated state out as a struct; the caller loads and stores.
//   Pure functions, so they need no storage pointers (which WGSL cannot pass everywhere).
// Numerics: f32 throughout (the references use f64, rounded to f32 on store; the parity tests
//   allow 1e-6 + 1e-5·|ref|).
// Variants: SGD's momentum and Nesterov are bool arguments; callers pass override constants, so
//   the compiler folds them.

struct SgdState {
  p: f32,
  v: f32,
}

fn sgd_step(p: f32, v: f32, g: f32, lr: f32, momentum: f32, weight_decay: f32, with_momentum: bool, nesterov: bool) -> SgdState {
  let grad = g + weight_decay * p;
  var d = grad;
  var vel = v;
  if (with_momentum) {
    vel = momentum * v + grad;
    d = select(vel, grad + momentum * vel, nesterov);
  }
  return SgdState(p - lr * d, vel);
}

struct AdagradState {
  p: f32,
  sum: f32,
}

fn adagrad_step(p: f32, sum: f32, g: f32, lr: f32, eps: f32, weight_decay: f32) -> AdagradState {
  let grad = g + weight_decay * p;
  let acc = sum + grad * grad;
  return AdagradState(p - lr * grad / (sqrt(acc) + eps), acc);
}

struct AdamState {
  p: f32,
  m: f32,
  v: f32,
}

fn adam_step(p: f32, m: f32, v: f32, g: f32, lr: f32, beta1: f32, beta2: f32, eps: f32, l2: f32, decay: f32, correction1: f32, correction2: f32) -> AdamState {
  let grad = g + l2 * p;
  let mi = beta1 * m + (1.0 - beta1) * grad;
  let vi = beta2 * v + (1.0 - beta2) * grad * grad;
  return AdamState(decay * p - (lr * (mi / correction1)) / (sqrt(vi / correction2) + eps), mi, vi);
}
