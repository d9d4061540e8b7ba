// The addon's exports: each kernel's .cc registers the functions it exports with
// REC_EXPORT(name), after defining them in namespace rec, and addon.cc exports every
// registered function under its name (packages/kernels/CMakeLists.txt globs the sources), so
// a new kernel touches its own files only. The functions' JS signatures are the `NativeAddon`
// interface in packages/kernels/src/native/load.ts; keep the two in step.
#pragma once

#include <napi.h>

#include <vector>

namespace rec {

/** An exported function of the addon. */
using ExportFn = Napi::Value (*)(const Napi::CallbackInfo&);

/** One registered export: its JS name and its function. */
struct ExportEntry {
  const char* name;
  ExportFn fn;
};

/** Every export registered so far (filled by REC_EXPORT's static objects before the module loads). */
std::vector<ExportEntry>& export_registry();

/** Registers one export when its translation unit's statics are initialised. */
struct ExportRegistrar {
  ExportRegistrar(const char* name, ExportFn fn) { export_registry().push_back({name, fn}); }
};

}  // namespace rec

/** Exports rec::name under "name"; written once, at file scope, after the function's definition. */
#define REC_EXPORT(name) static const ::rec::ExportRegistrar rec_export_##name(#name, &::rec::name)
