// common/sorted_has.wgsl — no entry point: membership in a sorted CSR row by binary search,
// the WGSL twin of @rec/core's `sortedHas` (search/sorted.ts).
//
// Equation: sorted_has_SORTED(lo, hi, item) = ∃ e ∈ [lo, hi): SORTED[e] = item, for a range
//   SORTED[lo, hi) sorted ascending; O(log(hi − lo)) reads.
// Template: SORTED is a parameter, not a binding. A kernel names the module-scope
//   `array<i32>` it searches in its requires line, e.g.
//     //! requires common/sorted_has.wgsl(indices)
//   and gets `fn sorted_has_indices(lo: u32, hi: u32, item: i32) -> bool` (composeShader in
//   packages/kernels/src/webgpu/shaders.ts replaces every SORTED; one copy per array).
//   Why a template: WGSL cannot pass a pointer to a storage array into a function on every
//   implementation (that needs the `unrestricted_pointer_parameters` language feature), and a
//   fixed module-scope name (row_chain.wgsl's convention) would take the kernels' domain names
//   (`seen_items`, `mask_indices`) and allow one searched array per shader.
// Layouts and dtypes: SORTED i32, ascending within [lo, hi); lo ≤ hi ≤ arrayLength.
// Numerics: integers only; (lo + hi) >> 1 cannot overflow for ranges below 2³¹ entries.

fn sorted_has_SORTED(lo_in: u32, hi_in: u32, item: i32) -> bool {
  var lo = lo_in;
  var hi = hi_in;
  while (lo < hi) {
    let mid = (lo + hi) >> 1u;
    let v = SORTED[mid];
    if (v == item) {
      return true;
    }
    if (v < item) {
      lo = mid + 1u;
    } else {
      hi = mid;
    }
  }
  return false;
}
