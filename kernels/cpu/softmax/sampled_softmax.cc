// `sampled_softmax` and `sampled_softmax_grad`: sampled softmax with the log-Q
// correction (Jean, Cho, Memisevic & Bengio 2015, ACL, §3), fused.
// Reference and full contract: packages/core/src/kernels/softmax/sampled_softmax.ts.
//
//   per row b, columns j ∈ {label_b} ∪ sampled (column 0 = label):
//     o_0 = h_b·w_label + bias_label − logQ_label[b]
//     o_s = h_b·w_{sampled_s} + bias_{sampled_s} − logQ_sampled[s], −∞ at accidental hits
//     loss_b = logsumexp(o) − o_0
//   backward, δ_bj = γ_b·(softmax(o)_j − [j = 0]):
//     dHidden = δ_·0 ⊙ W[labels] + Δ·W_S,   dRows[0, B) = δ_·0 ⊙ H,   dRows[B, B+S) = Δᵀ·H
//     dBias[b] = δ_b0,  dBias[B + s] = Σ_b δ_bs          (Δ = [δ_bs], B × S)
//
// Layouts: H f32 [B·d], W f32 [C·d], labels i32 [B], sampled i32 [S], logQ f32
// [B] / [S], bias f32 [C] or empty, dLoss f32 [B]; outputs preallocated.
// Numerics: the sampled logits H·W_Sᵀ and both gradient products Δ·W_S, Δᵀ·H
// go through the tiled f32 matmul (f32 accumulation); the label logit is an f64
// dot product; logsumexp and δ in f64. Agreement with the f64 reference: 1e-5.
// Threading: the matmuls use the pool; the per-row softmax runs rows over threads;
// Δᵀ·H sums over rows inside the matmul, so there are no atomics and the result
// does not depend on the thread count.
// Memory: W_S is gathered once into an S × d block (S·d floats) and the logits
// / Δ are a B × S block.
#include <cmath>
#include <limits>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"
#include "../dense/matmul.h"

namespace rec {
namespace {

struct Args {
  Span<float> h, w, lq, sq, bias;
  Span<int32_t> labels, sampled;
  int64_t B, S, d, C;
  bool remove_hits;
};

Args read_args(const Napi::CallbackInfo& info, const char* K) {
  const Napi::Env env = info.Env();
  Args a;
  a.h = array_arg<float>(info, 0, K, "hidden");
  a.w = array_arg<float>(info, 1, K, "classWeights");
  a.labels = array_arg<int32_t>(info, 2, K, "labels");
  a.sampled = array_arg<int32_t>(info, 3, K, "sampled");
  a.B = int64_t(a.labels.size);
  a.S = int64_t(a.sampled.size);
  a.lq = array_arg<float>(info, 4, K, "labelLogQ", a.B);
  a.sq = array_arg<float>(info, 5, K, "sampledLogQ", a.S);
  a.bias = array_arg<float>(info, 6, K, "classBias");
  a.d = int_arg(info, 7, K, "dim", 1, 1 << 20);
  a.remove_hits = int_arg(info, 8, K, "removeAccidentalHits", 0, 1) != 0;
  if (int64_t(a.h.size) != a.B * a.d) fail(env, std::string(K) + ": hidden must have labels.length × dim elements");
  if (a.w.size % size_t(a.d) != 0) fail(env, std::string(K) + ": classWeights is not whole rows of the given dim");
  a.C = int64_t(a.w.size) / a.d;
  if (a.bias.size != 0 && int64_t(a.bias.size) != a.C) fail(env, std::string(K) + ": classBias must be empty or have one entry per class");
  check_ids(env, a.labels, a.C, K, "label");
  check_ids(env, a.sampled, a.C, K, "sampled class");
  return a;
}

// Fills logits [B, S] (f32, −∞ at masked hits; bias and −logQ included) and
// label0 [B] (f64), via one matmul against the gathered sampled rows ws [S, d].
void logits(const Args& a, std::vector<float>& ws, std::vector<float>& L, std::vector<double>& o0) {
  const int64_t B = a.B, S = a.S, d = a.d;
  ws.resize(size_t(S * d));
  for (int64_t s = 0; s < S; ++s) std::copy_n(a.w.data + int64_t(a.sampled[s]) * d, d, ws.data() + s * d);
  L.resize(size_t(B * S));
  if (S > 0) matmul_f32(a.h.data, ws.data(), L.data(), B, S, d, false, true);
  o0.resize(size_t(B));
  const bool bias = a.bias.size != 0;
  parallel_for(B, 64, [&](int64_t begin, int64_t end, int) {
    for (int64_t b = begin; b < end; ++b) {
      const float* hb = a.h.data + b * d;
      const int32_t lab = a.labels[b];
      const float* wl = a.w.data + int64_t(lab) * d;
      double x = 0;
      for (int64_t k = 0; k < d; ++k) x += double(hb[k]) * double(wl[k]);
      o0[size_t(b)] = x + (bias ? double(a.bias[size_t(lab)]) : 0.0) - double(a.lq[size_t(b)]);
      float* row = L.data() + b * S;
      for (int64_t s = 0; s < S; ++s) {
        const int32_t c = a.sampled[size_t(s)];
        row[s] = a.remove_hits && c == lab ? -std::numeric_limits<float>::infinity()
                                           : float(double(row[s]) + (bias ? double(a.bias[size_t(c)]) : 0.0) - double(a.sq[size_t(s)]));
      }
    }
  });
}

// logsumexp over {o0} ∪ row, in f64.
double log_sum_exp(double o0, const float* row, int64_t S) {
  double max = o0;
  for (int64_t s = 0; s < S; ++s) max = std::max(max, double(row[s]));
  double sum = std::exp(o0 - max);
  for (int64_t s = 0; s < S; ++s) sum += std::exp(double(row[s]) - max);
  return max + std::log(sum);
}

}  // namespace

Napi::Value sampled_softmax(const Napi::CallbackInfo& info) {
  constexpr const char* K = "sampled_softmax";
  const Args a = read_args(info, K);
  const Span<float> loss = array_arg<float>(info, 9, K, "loss", a.B);
  std::vector<float> ws, L;
  std::vector<double> o0;
  logits(a, ws, L, o0);
  parallel_for(a.B, 64, [&](int64_t begin, int64_t end, int) {
    for (int64_t b = begin; b < end; ++b) loss[size_t(b)] = float(log_sum_exp(o0[size_t(b)], L.data() + b * a.S, a.S) - o0[size_t(b)]);
  });
  return info.Env().Undefined();
}

Napi::Value sampled_softmax_grad(const Napi::CallbackInfo& info) {
  constexpr const char* K = "sampled_softmax_grad";
  const Args a = read_args(info, K);
  const int64_t B = a.B, S = a.S, d = a.d;
  const Span<float> dloss = array_arg<float>(info, 9, K, "dLoss", B);
  const Span<float> dh = array_arg<float>(info, 10, K, "dHidden", B * d);
  const Span<float> drows = array_arg<float>(info, 11, K, "dRows", (B + S) * d);
  const Span<float> dbias = array_arg<float>(info, 12, K, "dBias", B + S);
  std::vector<float> ws, L;
  std::vector<double> o0;
  logits(a, ws, L, o0);
  // L becomes Δ in place; δ_b0 goes to dBias[b].
  parallel_for(B, 64, [&](int64_t begin, int64_t end, int) {
    for (int64_t b = begin; b < end; ++b) {
      float* row = L.data() + b * S;
      const double lse = log_sum_exp(o0[size_t(b)], row, S);
      const double g = dloss[size_t(b)];
      for (int64_t s = 0; s < S; ++s) row[s] = float(g * std::exp(double(row[s]) - lse));
      dbias[size_t(b)] = float(g * (std::exp(o0[size_t(b)] - lse) - 1.0));
    }
  });
  // dHidden = Δ·W_S, then + δ_b0·w_label; dRows[B, B+S) = Δᵀ·H.
  if (S > 0) {
    matmul_f32(L.data(), ws.data(), dh.data, B, d, S, false, false);
    matmul_f32(L.data(), a.h.data, drows.data + B * d, S, d, B, true, false);
  } else {
    std::fill(dh.data, dh.data + B * d, 0.0f);
  }
  parallel_for(B, 64, [&](int64_t begin, int64_t end, int) {
    for (int64_t b = begin; b < end; ++b) {
      const float delta = dbias[size_t(b)];
      const float* wl = a.w.data + int64_t(a.labels[size_t(b)]) * d;
      const float* hb = a.h.data + b * d;
      for (int64_t k = 0; k < d; ++k) {
        dh[size_t(b * d + k)] += delta * wl[k];
        drows[size_t(b * d + k)] = delta * hb[k];
      }
    }
  });
  for (int64_t s = 0; s < S; ++s) {
    double acc = 0;
    for (int64_t b = 0; b < B; ++b) acc += L[size_t(b * S + s)];
    dbias[size_t(B + s)] = float(acc);
  }
  return info.Env().Undefined();
}

}  // namespace rec

REC_EXPORT(sampled_softmax);
REC_EXPORT(sampled_softmax_grad);
