/**
 * The kernel coverage check: every kernel declared in @rec/core is either fast
 * (and then has its js reference, parity test, benchmark entry and native
 * registration) or listed with a reason in src/coverage.ts. It lives in tools, the
 * repository checks, because it reads apps/bench's source, which no package test may.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { declaredKernels, findKernel } from '@rec/core';
import { skipOrFail } from '@rec/core/testing';
import { describe, expect, it } from 'vitest';
import { FAST_KERNELS, KERNEL_EXCEPTIONS, loadNativeBackend, NATIVE_KERNEL_IDS, PENDING_KERNELS } from '@rec/kernels';

const here = dirname(fileURLToPath(import.meta.url));
const benchSource = readFileSync(join(here, '../../apps/bench/src/kernels.ts'), 'utf8');

describe('kernel coverage', () => {
  const declared = declaredKernels().map((k) => k.id);

  it('lists every declared kernel exactly once: fast, exception (with a reason) or pending', () => {
    const problems: string[] = [];
    for (const id of declared) {
      const places = [id in FAST_KERNELS, id in KERNEL_EXCEPTIONS, id in PENDING_KERNELS].filter(Boolean).length;
      if (places !== 1) problems.push(`${id} is listed ${places} times in src/coverage.ts`);
    }
    for (const id of [...Object.keys(FAST_KERNELS), ...Object.keys(KERNEL_EXCEPTIONS), ...Object.keys(PENDING_KERNELS)]) {
      if (!declared.includes(id)) problems.push(`${id} is listed in src/coverage.ts but not declared in @rec/core`);
    }
    for (const [id, reason] of Object.entries({ ...KERNEL_EXCEPTIONS, ...PENDING_KERNELS })) {
      if (reason.trim().length < 10) problems.push(`${id} needs a reason`);
    }
    expect(problems).toEqual([]);
  });

  it('gives every declared kernel its js reference', () => {
    expect(declared.filter((id) => !findKernel(id, 'js'))).toEqual([]);
  });

  it('gives every fast kernel a parity test and a benchmark entry', () => {
    const problems: string[] = [];
    for (const id of Object.keys(FAST_KERNELS)) {
      if (!existsSync(join(here, '../../packages/kernels/test/parity', `${id}.test.ts`))) problems.push(`${id} lacks test/parity/${id}.test.ts`);
      if (!benchSource.includes(`kernel: '${id}'`)) problems.push(`${id} lacks a benchmark entry (kernel: '${id}') in apps/bench/src/kernels.ts`);
    }
    expect(problems).toEqual([]);
  });

  it('registers exactly the kernels claimed native', (ctx) => {
    const claimed = Object.entries(FAST_KERNELS).filter(([, f]) => f.native).map(([id]) => id).sort();
    expect([...NATIVE_KERNEL_IDS].sort()).toEqual(claimed);
    const loaded = loadNativeBackend();
    if (!loaded.ok) return skipOrFail(ctx, 'REC_REQUIRE_NATIVE', loaded.reason);
    expect(declared.filter((id) => findKernel(id, 'native') !== undefined).sort()).toEqual(claimed);
  });
});
