// The functions the addon exports, one per kernel id (the same snake_case id as
// the registry key `<id>:native`), plus the machine-bound probes of the bench.
// Their JS signatures are the `NativeAddon` interface in
// packages/kernels/src/native/load.ts; keep the two in step.
#pragma once

#include <napi.h>

namespace rec {

Napi::Value neg_sample_exclude(const Napi::CallbackInfo& info);
Napi::Value neg_sample_alias(const Napi::CallbackInfo& info);
Napi::Value neg_sample_category(const Napi::CallbackInfo& info);
Napi::Value neg_sample_multichannel(const Napi::CallbackInfo& info);
Napi::Value neg_sample_cascade(const Napi::CallbackInfo& info);
Napi::Value sample_weighted_candidates(const Napi::CallbackInfo& info);
Napi::Value sparse_sgd(const Napi::CallbackInfo& info);
Napi::Value sparse_adagrad(const Napi::CallbackInfo& info);
Napi::Value sparse_adam(const Napi::CallbackInfo& info);
Napi::Value bpr_step(const Napi::CallbackInfo& info);
Napi::Value bpr_sample_step(const Napi::CallbackInfo& info);
Napi::Value rank_topk(const Napi::CallbackInfo& info);
Napi::Value matmul(const Napi::CallbackInfo& info);
Napi::Value sampled_softmax(const Napi::CallbackInfo& info);
Napi::Value sampled_softmax_grad(const Napi::CallbackInfo& info);
Napi::Value skipgram_step(const Napi::CallbackInfo& info);
Napi::Value skipgram_sample_step(const Napi::CallbackInfo& info);
Napi::Value dense_bias_act(const Napi::CallbackInfo& info);
Napi::Value tower_score(const Napi::CallbackInfo& info);
Napi::Value gather_matvec(const Napi::CallbackInfo& info);
Napi::Value scatter_outer_add(const Napi::CallbackInfo& info);
Napi::Value softmax(const Napi::CallbackInfo& info);
Napi::Value log_softmax(const Napi::CallbackInfo& info);
Napi::Value reduce(const Napi::CallbackInfo& info);
Napi::Value unary(const Napi::CallbackInfo& info);
Napi::Value binary(const Napi::CallbackInfo& info);
Napi::Value gather_rows(const Napi::CallbackInfo& info);
Napi::Value scatter_add_rows(const Napi::CallbackInfo& info);
Napi::Value take_along_axis(const Napi::CallbackInfo& info);
Napi::Value put_along_axis(const Napi::CallbackInfo& info);
Napi::Value dropout_mask(const Napi::CallbackInfo& info);
Napi::Value sgd_update(const Napi::CallbackInfo& info);
Napi::Value adagrad_update(const Napi::CallbackInfo& info);
Napi::Value adam_update(const Napi::CallbackInfo& info);
Napi::Value strided_copy(const Napi::CallbackInfo& info);
Napi::Value layer_norm(const Napi::CallbackInfo& info);
Napi::Value layer_norm_grad(const Napi::CallbackInfo& info);
Napi::Value selective_scan(const Napi::CallbackInfo& info);
Napi::Value selective_scan_grad(const Napi::CallbackInfo& info);

Napi::Value bound_stream_triad(const Napi::CallbackInfo& info);
Napi::Value bound_gather_scatter(const Napi::CallbackInfo& info);
Napi::Value bound_fma_peak(const Napi::CallbackInfo& info);

}  // namespace rec
