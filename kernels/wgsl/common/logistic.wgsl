// common/logistic.wgsl — no entry point: the logistic function and softplus in forms that
// neither overflow nor lose small values, shared by the SGD and softmax kernels.
//
// Equations: σ(z) = 1 / (1 + e⁻ᶻ);  softplus(z) = ln(1 + eᶻ) = −ln σ(−z).
//   sigmoid: z ≥ 0 → 1 / (1 + e⁻ᶻ), else eᶻ / (1 + eᶻ): the exponent is never positive, so no
//   infinity appears (WGSL does not promise IEEE infinities) and σ saturates to exactly 0 or 1.
//   softplus: z > 0 → z + log1p(e⁻ᶻ), else log1p(eᶻ), with an exact log1p.
// Numerics: f32; log1p_exact is Goldberg's trick (log(u)·t / (u − 1), u = 1 + t), exact to a
//   few ulps where log(1 + t) would round t away.

// log(1 + t) without losing t when t is tiny (Goldberg's trick).
fn log1p_exact(t: f32) -> f32 {
  let u = 1.0 + t;
  if (u == 1.0) {
    return t;
  }
  return log(u) * t / (u - 1.0);
}

fn softplus(z: f32) -> f32 {
  if (z > 0.0) {
    return z + log1p_exact(exp(-z));
  }
  return log1p_exact(exp(z));
}

fn sigmoid(z: f32) -> f32 {
  if (z >= 0.0) {
    return 1.0 / (1.0 + exp(-z));
  }
  let e = exp(z);
  return e / (1.0 + e);
}
