import { forEachBackend } from '@rec/core/testing';
import { parityBackends } from './backends.js';
import { layoutFailures, layoutParity } from './layout_cases.js';

await forEachBackend(parityBackends('concat'), (backend) => {
  layoutFailures('concat', backend, [
    { name: 'inputs that differ off the axis', shapes: [[2, 3], [3, 3]], attrs: { axis: 1 }, message: /^concat: \[2, 3\], \[3, 3\] differ outside axis 1$/ },
    { name: 'an axis past the rank', shapes: [[2, 3], [2, 3]], attrs: { axis: 2 }, message: /^concat: axis 2 is outside the 2 axes of \[2, 3\]$/ },
  ]);
  layoutParity('concat', backend, [
    { name: 'vectors (the behaviours\' rows of a batch)', shapes: [[300], [0], [257], [1]], attrs: { axis: 0 } },
    { name: 'matrices along rows', shapes: [[3, 8], [5, 8]], attrs: { axis: 0 } },
    { name: 'matrices along columns (a tower\'s input)', shapes: [[257, 8], [257, 16], [257, 1]], attrs: { axis: 1 } },
    { name: 'rank 3 along the middle axis', shapes: [[2, 3, 4], [2, 1, 4]], attrs: { axis: 1 } },
    { name: 'one input', shapes: [[70_000]], attrs: { axis: 0 } },
    { name: 'NeuMF\'s halves, [2048, 32] and [2048, 16] along axis 1', shapes: [[2048, 32], [2048, 16]], attrs: { axis: 1 } },
    { name: '1,200,000 elements along axis 1 (native splits its rows over threads)', shapes: [[1000, 600], [1000, 600]], attrs: { axis: 1 } },
  ]);
});
