// Module entry of the native addon: exports each kernel under its id, the
// thread-count controls, and the build facts the loader reports
// (NAPI_VERSION comes from package.json's binary.napi_versions through
// CMakeLists.txt, the one place it is set).
#include "addon.h"

#include <cstdlib>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "common/thread_pool.h"

namespace {

/**
 * Keeps tensor buffers in the heap: every op's output is a fresh typed array, which V8
 * allocates with calloc; glibc maps each one above its mmap threshold (128 KiB to start) and
 * unmaps it on free, so a NeuMF step at batch 2048 spent about a third of its time in page
 * faults and zeroing fresh pages (apps/bench README, issue 18). With the threshold at 32 MiB
 * (glibc's maximum) and freed memory kept up to 128 MiB, the same buffers are reused: about
 * 1.2–1.4× that step. Process-wide, so it is opt-out: REC_MALLOC_TUNING=0 leaves malloc alone.
 * Returns what was done, for the loader to report.
 */
std::string tune_malloc() {
#if defined(__GLIBC__)
  const char* setting = std::getenv("REC_MALLOC_TUNING");
  if (setting && std::string(setting) == "0") return "off (REC_MALLOC_TUNING=0)";
  const bool mmap_ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1;
  const bool trim_ok = mallopt(M_TRIM_THRESHOLD, 128 << 20) == 1;
  if (mmap_ok && trim_ok) return "glibc mmap threshold 32 MiB, trim threshold 128 MiB";
  return "glibc refused the tuning";
#else
  return "not glibc: malloc left alone";
#endif
}

Napi::Value threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), rec::ThreadPool::instance().size());
}

Napi::Value set_threads(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::Error::New(env, "setThreads: expected a thread count");
  const int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1 || n > 1024) throw Napi::Error::New(env, "setThreads: thread count must be in [1, 1024]");
  rec::ThreadPool::instance().set_threads(n);
  return Napi::Number::New(env, rec::ThreadPool::instance().size());
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  exports.Set("buildFlags", Napi::String::New(env, REC_BUILD_FLAGS));
  exports.Set("mallocTuning", Napi::String::New(env, tune_malloc()));
  exports.Set("threads", Napi::Function::New(env, threads, "threads"));
  exports.Set("setThreads", Napi::Function::New(env, set_threads, "setThreads"));
  exports.Set("neg_sample_exclude", Napi::Function::New(env, rec::neg_sample_exclude, "neg_sample_exclude"));
  exports.Set("neg_sample_alias", Napi::Function::New(env, rec::neg_sample_alias, "neg_sample_alias"));
  exports.Set("neg_sample_category", Napi::Function::New(env, rec::neg_sample_category, "neg_sample_category"));
  exports.Set("neg_sample_multichannel", Napi::Function::New(env, rec::neg_sample_multichannel, "neg_sample_multichannel"));
  exports.Set("neg_sample_cascade", Napi::Function::New(env, rec::neg_sample_cascade, "neg_sample_cascade"));
  exports.Set("sample_weighted_candidates", Napi::Function::New(env, rec::sample_weighted_candidates, "sample_weighted_candidates"));
  exports.Set("sparse_sgd", Napi::Function::New(env, rec::sparse_sgd, "sparse_sgd"));
  exports.Set("sparse_adagrad", Napi::Function::New(env, rec::sparse_adagrad, "sparse_adagrad"));
  exports.Set("sparse_adam", Napi::Function::New(env, rec::sparse_adam, "sparse_adam"));
  exports.Set("bpr_step", Napi::Function::New(env, rec::bpr_step, "bpr_step"));
  exports.Set("bpr_sample_step", Napi::Function::New(env, rec::bpr_sample_step, "bpr_sample_step"));
  exports.Set("rank_topk", Napi::Function::New(env, rec::rank_topk, "rank_topk"));
  exports.Set("matmul", Napi::Function::New(env, rec::matmul, "matmul"));
  exports.Set("sampled_softmax", Napi::Function::New(env, rec::sampled_softmax, "sampled_softmax"));
  exports.Set("sampled_softmax_grad", Napi::Function::New(env, rec::sampled_softmax_grad, "sampled_softmax_grad"));
  exports.Set("skipgram_step", Napi::Function::New(env, rec::skipgram_step, "skipgram_step"));
  exports.Set("skipgram_sample_step", Napi::Function::New(env, rec::skipgram_sample_step, "skipgram_sample_step"));
  exports.Set("dense_bias_act", Napi::Function::New(env, rec::dense_bias_act, "dense_bias_act"));
  exports.Set("tower_score", Napi::Function::New(env, rec::tower_score, "tower_score"));
  exports.Set("gather_matvec", Napi::Function::New(env, rec::gather_matvec, "gather_matvec"));
  exports.Set("scatter_outer_add", Napi::Function::New(env, rec::scatter_outer_add, "scatter_outer_add"));
  exports.Set("softmax", Napi::Function::New(env, rec::softmax, "softmax"));
  exports.Set("log_softmax", Napi::Function::New(env, rec::log_softmax, "log_softmax"));
  exports.Set("reduce", Napi::Function::New(env, rec::reduce, "reduce"));
  exports.Set("unary", Napi::Function::New(env, rec::unary, "unary"));
  exports.Set("binary", Napi::Function::New(env, rec::binary, "binary"));
  exports.Set("gather_rows", Napi::Function::New(env, rec::gather_rows, "gather_rows"));
  exports.Set("scatter_add_rows", Napi::Function::New(env, rec::scatter_add_rows, "scatter_add_rows"));
  exports.Set("take_along_axis", Napi::Function::New(env, rec::take_along_axis, "take_along_axis"));
  exports.Set("put_along_axis", Napi::Function::New(env, rec::put_along_axis, "put_along_axis"));
  exports.Set("dropout_mask", Napi::Function::New(env, rec::dropout_mask, "dropout_mask"));
  exports.Set("sgd_update", Napi::Function::New(env, rec::sgd_update, "sgd_update"));
  exports.Set("adagrad_update", Napi::Function::New(env, rec::adagrad_update, "adagrad_update"));
  exports.Set("adam_update", Napi::Function::New(env, rec::adam_update, "adam_update"));
  exports.Set("strided_copy", Napi::Function::New(env, rec::strided_copy, "strided_copy"));
  exports.Set("layer_norm", Napi::Function::New(env, rec::layer_norm, "layer_norm"));
  exports.Set("layer_norm_grad", Napi::Function::New(env, rec::layer_norm_grad, "layer_norm_grad"));
  exports.Set("selective_scan", Napi::Function::New(env, rec::selective_scan, "selective_scan"));
  exports.Set("selective_scan_grad", Napi::Function::New(env, rec::selective_scan_grad, "selective_scan_grad"));
  exports.Set("bound_stream_triad", Napi::Function::New(env, rec::bound_stream_triad, "bound_stream_triad"));
  exports.Set("bound_gather_scatter", Napi::Function::New(env, rec::bound_gather_scatter, "bound_gather_scatter"));
  exports.Set("bound_fma_peak", Napi::Function::New(env, rec::bound_fma_peak, "bound_fma_peak"));
  return exports;
}

}  // namespace

NODE_API_MODULE(rec_kernels, init)
