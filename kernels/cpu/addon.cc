// Module entry of the native addon: exports each kernel's functions (registered by
// REC_EXPORT in its own .cc, see addon.h), the thread-count controls, and the build facts
// the loader reports (NAPI_VERSION comes from package.json's binary.napi_versions through
// CMakeLists.txt, the one place it is set).
#include "addon.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "common/row_order.h"
#include "common/thread_pool.h"

namespace rec {

std::vector<ExportEntry>& export_registry() {
  static std::vector<ExportEntry> entries;
  return entries;
}

}  // namespace rec

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

Napi::Value ordered_mode_of(const Napi::CallbackInfo& info) {
  static const char* const names[] = {"auto", "pool", "caller"};
  return Napi::String::New(info.Env(), names[rec::ordered_mode().load()]);
}

Napi::Value set_ordered_mode(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const std::string mode = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  if (mode == "auto") rec::ordered_mode().store(int(rec::OrderedMode::kAuto));
  else if (mode == "pool") rec::ordered_mode().store(int(rec::OrderedMode::kPool));
  else if (mode == "caller") rec::ordered_mode().store(int(rec::OrderedMode::kCaller));
  else throw Napi::Error::New(env, "setOrderedMode: expected 'auto', 'pool' or 'caller', got '" + mode + "'");
  return ordered_mode_of(info);
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  exports.Set("buildFlags", Napi::String::New(env, REC_BUILD_FLAGS));
  exports.Set("mallocTuning", Napi::String::New(env, tune_malloc()));
  exports.Set("threads", Napi::Function::New(env, threads, "threads"));
  exports.Set("setThreads", Napi::Function::New(env, set_threads, "setThreads"));
  exports.Set("orderedMode", Napi::Function::New(env, ordered_mode_of, "orderedMode"));
  exports.Set("setOrderedMode", Napi::Function::New(env, set_ordered_mode, "setOrderedMode"));
  // Every kernel's exports (REC_EXPORT in its .cc), in name order so the module reads the same
  // whatever order the linker put the translation units in.
  std::vector<rec::ExportEntry> entries = rec::export_registry();
  std::sort(entries.begin(), entries.end(), [](const rec::ExportEntry& x, const rec::ExportEntry& y) { return std::string(x.name) < std::string(y.name); });
  for (const rec::ExportEntry& e : entries) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
  return exports;
}

}  // namespace

NODE_API_MODULE(rec_kernels, init)
