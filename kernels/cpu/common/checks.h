// Argument checks at the native edge. Only typed arrays and numbers cross it
// (see packages/kernels/src/native/load.ts, `NativeAddon`); every accessor here
// checks the element type and, where given, the length, and throws a JS Error
// naming the kernel and the argument, so a wrong call can never read or write
// outside a buffer. Index ranges (row ids, item ids) are checked by each kernel
// before it writes anything.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace rec {

/** A borrowed view of a JS typed array's elements (valid during the call). */
template <typename T>
struct Span {
  T* data = nullptr;
  size_t size = 0;
  T& operator[](size_t i) const { return data[i]; }
};

template <typename T>
constexpr napi_typedarray_type typed_array_type();
template <>
constexpr napi_typedarray_type typed_array_type<float>() { return napi_float32_array; }
template <>
constexpr napi_typedarray_type typed_array_type<int32_t>() { return napi_int32_array; }
template <>
constexpr napi_typedarray_type typed_array_type<uint32_t>() { return napi_uint32_array; }

template <typename T>
constexpr const char* typed_array_name();
template <>
constexpr const char* typed_array_name<float>() { return "Float32Array"; }
template <>
constexpr const char* typed_array_name<int32_t>() { return "Int32Array"; }
template <>
constexpr const char* typed_array_name<uint32_t>() { return "Uint32Array"; }

[[noreturn]] inline void fail(const Napi::Env& env, const std::string& message) {
  throw Napi::Error::New(env, message);
}

/** Argument `i` as a T typed array; `expected` (when ≥ 0) is its required length. */
template <typename T>
Span<T> array_arg(const Napi::CallbackInfo& info, size_t i, const char* kernel, const char* name, int64_t expected = -1) {
  const Napi::Env env = info.Env();
  if (i >= info.Length() || !info[i].IsTypedArray()) {
    fail(env, std::string(kernel) + ": argument " + std::to_string(i) + " (" + name + ") must be a " + typed_array_name<T>());
  }
  Napi::TypedArray arr = info[i].As<Napi::TypedArray>();
  if (arr.TypedArrayType() != typed_array_type<T>()) {
    fail(env, std::string(kernel) + ": argument " + std::to_string(i) + " (" + name + ") must be a " + typed_array_name<T>());
  }
  Napi::TypedArrayOf<T> typed = info[i].As<Napi::TypedArrayOf<T>>();
  Span<T> s{typed.Data(), typed.ElementLength()};
  if (expected >= 0 && int64_t(s.size) != expected) {
    fail(env, std::string(kernel) + ": " + name + " has " + std::to_string(s.size) + " elements, expected " + std::to_string(expected));
  }
  return s;
}

/** Argument `i` as a finite number. */
inline double number_arg(const Napi::CallbackInfo& info, size_t i, const char* kernel, const char* name) {
  if (i >= info.Length() || !info[i].IsNumber()) {
    fail(info.Env(), std::string(kernel) + ": argument " + std::to_string(i) + " (" + name + ") must be a number");
  }
  return info[i].As<Napi::Number>().DoubleValue();
}

/** Argument `i` as an integer in [lo, hi]. */
inline int64_t int_arg(const Napi::CallbackInfo& info, size_t i, const char* kernel, const char* name, int64_t lo, int64_t hi) {
  const double v = number_arg(info, i, kernel, name);
  if (!(v >= double(lo) && v <= double(hi)) || v != double(int64_t(v))) {
    fail(info.Env(), std::string(kernel) + ": " + name + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                         "], got " + std::to_string(v));
  }
  return int64_t(v);
}

/** Checks every id in `ids` lies in [0, count); names the first offender. */
inline void check_ids(const Napi::Env& env, Span<int32_t> ids, int64_t count, const char* kernel, const char* name) {
  for (size_t j = 0; j < ids.size; ++j) {
    if (ids[j] < 0 || ids[j] >= count) {
      fail(env, std::string(kernel) + ": " + name + " " + std::to_string(ids[j]) + " at position " + std::to_string(j) +
                    " is out of range for " + std::to_string(count) + " rows");
    }
  }
}

}  // namespace rec
