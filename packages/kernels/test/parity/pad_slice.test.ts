import { forEachBackend } from '@rec/core/testing';
import { parityBackends } from './backends.js';
import { layoutFailures, layoutParity } from './layout_cases.js';

await forEachBackend(parityBackends('pad_slice'), (backend) => {
  layoutFailures('pad_slice', backend, [
    { name: 'x placed past the output', shapes: [[2, 3]], attrs: { shape: [4, 4], begin: [1, 2] }, message: /^pad_slice: the window at \[1, 2\] of size \[2, 3\] is not inside \[4, 4\]$/ },
  ]);
  layoutParity('pad_slice', backend, [
    { name: 'a run into a vector (the gradient of a behaviour\'s rows)', shapes: [[300]], attrs: { shape: [1000], begin: [257] } },
    { name: 'whole rows into a matrix', shapes: [[20, 8]], attrs: { shape: [50, 8], begin: [10, 0] } },
    { name: 'an inner window', shapes: [[5, 4]], attrs: { shape: [9, 11], begin: [2, 3] } },
    { name: 'rank 3', shapes: [[2, 3, 3]], attrs: { shape: [4, 5, 6], begin: [1, 2, 3] } },
    { name: 'filling the output', shapes: [[3, 70_000]], attrs: { shape: [3, 70_000], begin: [0, 0] } },
    { name: 'an empty x (all zeros)', shapes: [[0, 4]], attrs: { shape: [6, 4], begin: [2, 0] } },
    { name: 'a window of 1,098,000 elements (native splits its rows over threads)', shapes: [[1098, 1000]], attrs: { shape: [1100, 1024], begin: [1, 3] } },
  ]);
});
