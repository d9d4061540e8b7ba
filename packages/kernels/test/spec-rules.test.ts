/**
 * Each kernel's rule on its inputs and attributes is declared once, in its spec
 * (`KernelSpec.check` in `@rec/core`), and the engine runs it before the
 * implementation on every backend. Here every declared kernel is called with
 * no inputs and no attributes on every backend that implements it: each must
 * fail with its rule's one-line `<id>: …` message — the js reference's, word
 * for word — and not with whatever the implementation would have thrown on
 * reading a missing input.
 */
import { type Backend, declaredKernels, getBackend, kernelBackends, runKernel } from '@rec/core';
import { forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends } from './parity/backends.js';

function failure(id: string, backend: Backend): string {
  try {
    runKernel(id, [], {}, backend);
  } catch (err) {
    return err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
  }
  return 'no error';
}

// bpr_step has a version on every backend, so both fast backends load for this suite.
await forEachBackend(parityBackends('bpr_step'), (backend) => {
  const ids = declaredKernels()
    .map((k) => k.id)
    .filter((id) => backend.name === 'js' || backend.name === 'native' || kernelBackends(id).includes(backend.name));
  it(`runs every kernel's declared rule before its ${backend.name} implementation (${ids.length} kernels)`, () => {
    const js = getBackend('js');
    const wrong = ids
      .map((id) => [id, failure(id, backend), failure(id, js)] as const)
      .filter(([id, got, reference]) => got !== reference || !got.startsWith(`Error: ${id}: `))
      .map(([id, got, reference]) => `${id}: got "${got}", the reference "${reference}"`);
    expect(wrong).toEqual([]);
  });
});
