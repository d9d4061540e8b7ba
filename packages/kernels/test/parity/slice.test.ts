import { forEachBackend } from '@rec/core/testing';
import { parityBackends } from './backends.js';
import { layoutFailures, layoutParity } from './layout_cases.js';

await forEachBackend(parityBackends('slice'), (backend) => {
  layoutFailures('slice', backend, [
    { name: 'a window past the end', shapes: [[4, 5]], attrs: { begin: [2, 1], size: [3, 2] }, message: /^slice: the window at \[2, 1\] of size \[3, 2\] is not inside \[4, 5\]$/ },
    { name: 'a begin of another rank', shapes: [[4, 5]], attrs: { begin: [1], size: [2] }, message: /^slice: the window at \[1\] of size \[2\] is not inside \[4, 5\]$/ },
  ]);
  layoutParity('slice', backend, [
    { name: 'a run of a vector (the rows of one behaviour)', shapes: [[1000]], attrs: { begin: [257], size: [300] } },
    { name: 'whole rows of a matrix', shapes: [[50, 8]], attrs: { begin: [10, 0], size: [20, 8] } },
    { name: 'an inner window', shapes: [[9, 11]], attrs: { begin: [2, 3], size: [5, 4] } },
    { name: 'rank 3, every axis cut', shapes: [[4, 5, 6]], attrs: { begin: [1, 2, 3], size: [2, 3, 3] } },
    { name: 'the whole tensor', shapes: [[3, 70_000]], attrs: { begin: [0, 0], size: [3, 70_000] } },
    { name: 'empty', shapes: [[6, 4]], attrs: { begin: [2, 0], size: [0, 4] } },
    { name: 'an inner window of 1,098,000 elements (native splits its rows over threads)', shapes: [[1100, 1024]], attrs: { begin: [1, 3], size: [1098, 1000] } },
  ]);
});
