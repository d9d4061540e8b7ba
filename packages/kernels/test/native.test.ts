import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getBackend, hostF32, matmul, registerBackendLoader, resolveBackend, runKernel, setBackend, tensor } from '@rec/core';
import { skipOrFail } from '@rec/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNative, loadNativeBackend, nativeOrderedMode, nativeThreads, type OrderedMode, registerFastBackends, setNativeOrderedMode, setNativeThreads } from '../src/index.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const native = loadNative();

describe('native addon', () => {
  afterEach(() => setBackend('js'));

  it('loads, or says why in one line', (ctx) => {
    if (!native.ok) {
      expect(native.reason).not.toContain('\n');
      return skipOrFail(ctx, 'REC_REQUIRE_NATIVE', `native addon not available: ${native.reason}`);
    }
    expect(native.addon.napiVersion).toBe(8);
    expect(native.addon.threads()).toBeGreaterThanOrEqual(1);
  });

  it('is what resolveBackend picks when no faster backend loads, with one line per skipped backend', async (ctx) => {
    if (!native.ok) return skipOrFail(ctx, 'REC_REQUIRE_NATIVE', native.reason);
    registerFastBackends();
    // A stand-in for a faster backend that cannot load here.
    registerBackendLoader('webgpu', 30, () => ({ ok: false, reason: 'no adapter (test stand-in)' }));
    const lines: string[] = [];
    const b = await resolveBackend({ log: (l) => lines.push(l) });
    expect(b.name).toBe('native');
    expect(lines).toEqual(['backend webgpu skipped: no adapter (test stand-in)']);
  });

  it('falls back to the js kernels on the same host arrays', (ctx) => {
    const r = loadNativeBackend();
    if (!r.ok) return skipOrFail(ctx, 'REC_REQUIRE_NATIVE', r.reason);
    expect(getBackend('js').name).toBe('js');
    const a = tensor(new Float32Array([1, 2, 3, 4]), [2, 2], { backend: r.backend });
    const c = matmul(a, a);
    expect(c.backend.name).toBe('native');
    expect(Array.from(hostF32(c))).toEqual([7, 10, 15, 22]);
  });

  it('honours REC_THREADS and setThreads', (ctx) => {
    if (!native.ok) return skipOrFail(ctx, 'REC_REQUIRE_NATIVE', native.reason);
    const child = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(native.path)}).threads())`], {
      env: { ...process.env, REC_THREADS: '3' }, encoding: 'utf8',
    });
    expect(child.stdout.trim()).toBe('3');
    const before = nativeThreads();
    expect(setNativeThreads(1)).toBe(1);
    expect(setNativeThreads(before)).toBe(before);
  });

  it('runs the row-ordered kernels on the pool or the caller alone (REC_ORDERED, setNativeOrderedMode) with the same bits in every mode', async (ctx) => {
    if (!native.ok) return skipOrFail(ctx, 'REC_REQUIRE_NATIVE', native.reason);
    const mode = (env: Record<string, string>) => spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(native.path)}).orderedMode())`], {
      env: { ...process.env, ...env }, encoding: 'utf8',
    }).stdout.trim();
    expect([mode({ REC_ORDERED: 'pool' }), mode({ REC_ORDERED: 'caller' }), mode({ REC_ORDERED: 'auto' }), mode({ REC_ORDERED: 'nonsense' })]).toEqual(['pool', 'caller', 'auto', 'auto']);
    expect(() => setNativeOrderedMode('fast' as OrderedMode)).toThrow(/^setNativeOrderedMode: mode must be 'auto', 'pool' or 'caller', got fast$/);
    await loadNativeBackend();
    // 40 calls of 2,048 triples on 2 threads in each mode: auto's first calls alternate pool and
    // caller and then keep the faster, and every run must give the same tables bit for bit.
    const before = nativeThreads();
    const modeBefore = nativeOrderedMode();
    const train = (m: OrderedMode) => {
      setNativeOrderedMode(m);
      const rand = (k: number, n: number) => Int32Array.from({ length: 2048 }, (_, t) => (t * 7919 + k * 104_729 + ((t * t) % 97)) % n);
      const P = tensor(Float32Array.from({ length: 500 * 32 }, (_, k) => Math.sin(k) * 0.1), [500, 32], { backend: 'native' });
      const Q = tensor(Float32Array.from({ length: 300 * 32 }, (_, k) => Math.cos(k) * 0.1), [300, 32], { backend: 'native' });
      for (let call = 0; call < 40; call++) {
        const [u, i, j] = [rand(call, 500), rand(call + 1, 12), rand(call + 2, 300)].map((a) => tensor(a, undefined, { backend: 'native' }));
        runKernel('bpr_step', [P, Q, u, i, j], { lr: 0.05, reg: 0.01 })[0].readSync();
      }
      return [hostF32(P), hostF32(Q)];
    };
    try {
      setNativeThreads(2);
      const [pool, caller, auto] = (['pool', 'caller', 'auto'] as const).map(train);
      for (const [k, t] of pool.entries()) {
        expect(Buffer.from(caller[k].buffer).equals(Buffer.from(t.buffer)), `table ${k}, caller`).toBe(true);
        expect(Buffer.from(auto[k].buffer).equals(Buffer.from(t.buffer)), `table ${k}, auto`).toBe(true);
      }
    } finally {
      setNativeThreads(before);
      setNativeOrderedMode(modeBefore);
    }
  });

  it('tunes glibc malloc when it loads, and leaves it alone under REC_MALLOC_TUNING=0', (ctx) => {
    if (!native.ok) return skipOrFail(ctx, 'REC_REQUIRE_NATIVE', native.reason);
    const tuning = (env: Record<string, string>) => spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(native.path)}).mallocTuning)`], {
      env: { ...process.env, ...env }, encoding: 'utf8',
    }).stdout.trim();
    const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
    expect(tuning({})).toBe(glibc ? 'glibc mmap threshold 32 MiB, trim threshold 128 MiB' : 'not glibc: malloc left alone');
    expect(tuning({ REC_MALLOC_TUNING: '0' })).toBe(glibc ? 'off (REC_MALLOC_TUNING=0)' : 'not glibc: malloc left alone');
  });

  it('throws a JS error naming the kernel and argument on a wrong call, instead of crashing', (ctx) => {
    if (!native.ok) return skipOrFail(ctx, 'REC_REQUIRE_NATIVE', native.reason);
    const addon = native.addon as unknown as Record<string, (...args: unknown[]) => unknown>;
    expect(() => addon.sparse_adagrad(new Float32Array(4), 2, new Int32Array(1), new Float64Array(2), new Float32Array(4), 0.1, 0, 0)).toThrow(
      /sparse_adagrad: argument 3 \(values\) must be a Float32Array/,
    );
    expect(() => addon.bpr_step(new Float32Array(4), new Float32Array(4), 2, Int32Array.of(0), Int32Array.of(0), Int32Array.of(0, 1), 1, 0)).toThrow(
      /bpr_step: negatives has 2 elements, expected 1/,
    );
  });
});

describe('native build script', () => {
  it('skips with one line when REC_SKIP_NATIVE_BUILD=1 and never fails the install', () => {
    const r = spawnSync(process.execPath, [join(packageRoot, 'scripts/build-native.mjs')], {
      env: { ...process.env, REC_SKIP_NATIVE_BUILD: '1' }, encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['@rec/kernels native build: skipped (REC_SKIP_NATIVE_BUILD=1); the js backend will be used']);
  });
});
