import { forEachBackend } from '@rec/core/testing';
import { parityBackends } from './backends.js';
import { layoutFailures, layoutParity } from './layout_cases.js';

await forEachBackend(parityBackends('broadcast_to'), (backend) => {
  layoutFailures('broadcast_to', backend, [
    { name: 'a dim that is neither 1 nor the target', shapes: [[2, 3]], attrs: { shape: [4, 3] }, message: /^broadcast_to: \[2, 3\] cannot be broadcast to \[4, 3\]$/ },
  ]);
  layoutParity('broadcast_to', backend, [
    { name: 'a scalar to [3, 5] (the gradient of a mean)', shapes: [[]], attrs: { shape: [3, 5] } },
    { name: 'a row [1, 7] to [300, 7]', shapes: [[1, 7]], attrs: { shape: [300, 7] } },
    { name: 'a column [257, 1] to [257, 9]', shapes: [[257, 1]], attrs: { shape: [257, 9] } },
    { name: '[4] to [2, 3, 4] (new leading axes)', shapes: [[4]], attrs: { shape: [2, 3, 4] } },
    { name: '[2, 1, 3, 1] to [2, 5, 3, 4]', shapes: [[2, 1, 3, 1]], attrs: { shape: [2, 5, 3, 4] } },
    { name: 'rank 8', shapes: [[1, 2, 1, 2, 1, 2, 1, 2]], attrs: { shape: [2, 2, 2, 2, 2, 2, 2, 2] } },
    { name: '70,000 elements (past one workgroup row)', shapes: [[1, 1000]], attrs: { shape: [70, 1000] } },
    { name: 'to an empty shape', shapes: [[1, 3]], attrs: { shape: [0, 3] } },
    { name: 'a column to 1,100 × 1,024 (a stride-0 inner axis; native splits the rows)', shapes: [[1100, 1]], attrs: { shape: [1100, 1024] } },
    { name: 'a row to 1,100 × 1,024', shapes: [[1024]], attrs: { shape: [1100, 1024] } },
  ]);
});
