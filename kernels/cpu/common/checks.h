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

/** Whether two views share memory (tables that are views of one buffer: their rows could overlap at any offset). */
template <typename T>
inline bool spans_overlap(const Span<T>& a, const Span<T>& b) {
  return a.size && b.size && a.data < b.data + b.size && b.data < a.data + a.size;
}

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

/** The element types of @rec tensors (core's DType), all 32-bit. */
enum class DType { f32, i32, u32 };

/** A borrowed view of a Float32Array, Int32Array or Uint32Array, with its element type. */
struct AnySpan {
  DType dtype = DType::f32;
  void* data = nullptr;
  size_t size = 0;
  template <typename T>
  T* as() const { return static_cast<T*>(data); }
};

inline const char* dtype_name(DType d) { return d == DType::f32 ? "f32" : d == DType::i32 ? "i32" : "u32"; }

/** Argument `i` as any 32-bit typed array (f32, i32 or u32); `expected` (when ≥ 0) is its required length. */
inline AnySpan any_array_arg(const Napi::CallbackInfo& info, size_t i, const char* kernel, const char* name, int64_t expected = -1) {
  const Napi::Env env = info.Env();
  const std::string what = std::string(kernel) + ": argument " + std::to_string(i) + " (" + name + ") must be a Float32Array, Int32Array or Uint32Array";
  if (i >= info.Length() || !info[i].IsTypedArray()) fail(env, what);
  Napi::TypedArray arr = info[i].As<Napi::TypedArray>();
  AnySpan s;
  switch (arr.TypedArrayType()) {
    case napi_float32_array: s.dtype = DType::f32; break;
    case napi_int32_array: s.dtype = DType::i32; break;
    case napi_uint32_array: s.dtype = DType::u32; break;
    default: fail(env, what);
  }
  s.data = static_cast<uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
  s.size = arr.ElementLength();
  if (expected >= 0 && int64_t(s.size) != expected) {
    fail(env, std::string(kernel) + ": " + name + " has " + std::to_string(s.size) + " elements, expected " + std::to_string(expected));
  }
  return s;
}

/** Calls f(T{}) with T the C++ element type of `d` (float, int32_t or uint32_t). */
template <typename F>
decltype(auto) dispatch_dtype(DType d, F&& f) {
  switch (d) {
    case DType::i32: return f(int32_t{});
    case DType::u32: return f(uint32_t{});
    default: return f(float{});
  }
}

/** Argument `i` as a shape: an Int32Array of non-negative sizes; returns their product. */
inline int64_t shape_arg(const Napi::CallbackInfo& info, size_t i, const char* kernel, const char* name, Span<int32_t>& dims) {
  dims = array_arg<int32_t>(info, i, kernel, name);
  int64_t n = 1;
  for (size_t j = 0; j < dims.size; ++j) {
    if (dims[j] < 0) fail(info.Env(), std::string(kernel) + ": " + name + " has a negative size at axis " + std::to_string(j));
    n *= dims[j];
  }
  return n;
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
