import { forEachBackend } from '@rec/core/testing';
import { parityBackends } from './backends.js';
import { type LayoutCase, layoutFailures, layoutParity } from './layout_cases.js';

/** Every permutation of a rank-3 shape, as cases. */
function allPermutations(shape: number[]): LayoutCase[] {
  const out: LayoutCase[] = [];
  const go = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) out.push({ name: `[${shape.join(', ')}] by [${prefix.join(', ')}]`, shapes: [shape], attrs: { perm: prefix } });
    rest.forEach((a, k) => go([...prefix, a], [...rest.slice(0, k), ...rest.slice(k + 1)]));
  };
  go([], shape.map((_, a) => a));
  return out;
}

await forEachBackend(parityBackends('transpose'), (backend) => {
  layoutFailures('transpose', backend, [
    { name: 'a repeated axis', shapes: [[2, 3, 4]], attrs: { perm: [0, 1, 1] }, message: /^transpose: perm \[0, 1, 1\] is not a permutation of the 3 axes of \[2, 3, 4\]$/ },
    { name: 'a perm of another rank', shapes: [[2, 3]], attrs: { perm: [1, 0, 2] }, message: /^transpose: perm \[1, 0, 2\] is not a permutation of the 2 axes of \[2, 3\]$/ },
    { name: 'an axis out of range', shapes: [[2, 3]], attrs: { perm: [0, 2] }, message: /^transpose: perm \[0, 2\] is not a permutation of the 2 axes of \[2, 3\]$/ },
  ]);
  layoutParity('transpose', backend, [
    { name: 'a matrix [37, 53]', shapes: [[37, 53]], attrs: { perm: [1, 0] } },
    { name: 'a vector (the identity)', shapes: [[17]], attrs: { perm: [0] } },
    ...allPermutations([4, 5, 6]),
    { name: 'multi-head attention\'s split [B, T, h, d] → [B, h, T, d] = [8, 50, 4, 16]', shapes: [[8, 50, 4, 16]], attrs: { perm: [0, 2, 1, 3] } },
    { name: 'and its merge [B, h, T, d] → [B, T, h, d] = [8, 4, 50, 16]', shapes: [[8, 4, 50, 16]], attrs: { perm: [0, 2, 1, 3] } },
    { name: 'keys for QKᵀ [B, T, h, d] → [B, h, d, T]', shapes: [[3, 10, 2, 8]], attrs: { perm: [0, 2, 3, 1] } },
    { name: 'rank 4, every axis moved [3, 4, 5, 6] by [3, 1, 0, 2]', shapes: [[3, 4, 5, 6]], attrs: { perm: [3, 1, 0, 2] } },
    { name: 'Mamba4Rec\'s [B, L, D] → [L, B, D] = [16, 20, 32]', shapes: [[16, 20, 32]], attrs: { perm: [1, 0, 2] } },
    { name: 'size-1 and size-0 axes [3, 1, 0, 2]', shapes: [[3, 1, 0, 2]], attrs: { perm: [2, 0, 3, 1] } },
    { name: 'attention at SASRec\'s size and 4 heads, 1,638,400 elements (native splits rows over threads) [128, 50, 4, 64]', shapes: [[128, 50, 4, 64]], attrs: { perm: [0, 2, 1, 3] } },
    { name: 'a 1,100 × 1,000 matrix (1,100,000 elements)', shapes: [[1100, 1000]], attrs: { perm: [1, 0] } },
  ]);
});
