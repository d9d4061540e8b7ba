/**
 * The tensor engine: memory scopes (tidy/keep), grad mode, the kernel
 * registry and backend dispatch, shared storage of views, broadcasting and
 * dtype rules of the binary kernel, and gradient accumulation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  add, backward, type Backend, currentBackend, declareKernel, declaredKernels, div, Embedding, equal, exp, findKernel, gather,
  greater, greaterEqual, isGradEnabled, jsBackend, keep, kernelBackends, matmul, memory, mul, noGrad, Parameter, registerBackend,
  registerKernel, reshape, RowSparse, runKernel, sum, tensor, tidy, transpose, type DataHandle, type Tensor,
} from '../src/index.js';

const host = (t: Tensor) => Array.from(t.readSync());

describe('tidy and keep', () => {
  it('disposes intermediates and keeps what the function returns', () => {
    const x = tensor([1, 2, 3]);
    let intermediate: Tensor | undefined;
    const scopesBefore = memory().scopes;
    const { y, parts } = tidy(() => {
      expect(memory().scopes).toBe(scopesBefore + 1);
      intermediate = exp(x);
      return { y: mul(intermediate, 2), parts: [add(x, 1), sum(x)] };
    });
    expect(memory().scopes).toBe(scopesBefore);
    expect(intermediate!.isDisposed).toBe(true);
    expect(y.isDisposed).toBe(false);
    expect(parts.map((t) => t.isDisposed)).toEqual([false, false]);
    expect(x.isDisposed).toBe(false); // created outside the scope
    expect(host(parts[1])).toEqual([6]);
  });

  it('counts live tensors: created and not yet disposed, once per tensor', () => {
    const x = tensor([1, 2, 3]);
    const before = memory().tensors;
    const kept = tidy(() => add(mul(exp(x), 2), 1));
    expect(memory().tensors).toBe(before + 1); // the intermediates are gone, the result is live
    kept.dispose();
    kept.dispose(); // idempotent: counted down once
    expect(memory().tensors).toBe(before);
  });

  it('moves tensors returned by a nested tidy to the enclosing scope', () => {
    const x = tensor([1, 2]);
    let fromInner: Tensor | undefined;
    let innerTemp: Tensor | undefined;
    const returned = tidy(() => {
      fromInner = tidy(() => {
        innerTemp = mul(x, 3);
        return add(innerTemp, 1);
      });
      expect(innerTemp!.isDisposed).toBe(true);
      expect(fromInner.isDisposed).toBe(false); // alive until the outer scope closes
      return tidy(() => add(x, 10)); // returned through both scopes
    });
    expect(fromInner!.isDisposed).toBe(true); // the outer scope owned it and did not return it
    expect(returned.isDisposed).toBe(false);
    expect(host(returned)).toEqual([11, 12]);
  });

  it('keep() exempts a tensor, and Parameters created inside a scope survive it', () => {
    let kept: Tensor | undefined;
    let param: Parameter | undefined;
    let dropped: Tensor | undefined;
    tidy(() => {
      kept = keep(tensor([1, 2]));
      dropped = tensor([3]);
      param = new Parameter(new Float32Array([4, 5]), [2]);
      tidy(() => keep(mul(kept!, 2))); // keep() also reaches through nested scopes
    });
    expect(kept!.isDisposed).toBe(false);
    expect(param!.isDisposed).toBe(false);
    expect(dropped!.isDisposed).toBe(true);
    expect(host(param!)).toEqual([4, 5]);
  });

  it('using a disposed tensor throws a clear error', async () => {
    const t = tidy(() => {
      const inner = tensor([1, 2]);
      return { inner, sum: sum(inner) };
    }).inner;
    expect(t.isDisposed).toBe(false);
    t.dispose();
    t.dispose(); // idempotent
    expect(t.isDisposed).toBe(true);
    expect(() => add(t, 1)).toThrow(/tensor #\d+ \[2\] was disposed and cannot be used/);
    expect(() => t.readSync()).toThrow(/was disposed/);
    expect(() => t.read()).toThrow(/was disposed/);
    expect(String(t)).toBe('Tensor([2], f32, disposed)');
  });

  it('returns host arrays as they are, without searching them for tensors', () => {
    // A tensor hung on a typed array as a property is not looked for (before, Object.values
    // walked the array, every element boxed, and found it): host data is returned untouched.
    let hung: Tensor | undefined;
    const scores = new Float32Array([1, 2, 3]);
    const out = tidy(() => {
      hung = tensor([7]);
      return Object.assign(scores, { hung });
    });
    expect(out).toBe(scores);
    expect(hung!.isDisposed).toBe(true);
    // The same tensor returned directly, or in an object, survives.
    const kept = tidy(() => ({ scores, t: tensor([7]) }));
    expect(kept.t.isDisposed).toBe(false);
    const buffer = tidy(() => scores.buffer);
    expect(buffer).toBe(scores.buffer);
  });

  it('rejects an async function', () => {
    const before = memory().scopes;
    expect(() => tidy(async () => tensor([1]))).toThrow(/tidy\(\) takes a synchronous function/);
    expect(memory().scopes).toBe(before);
  });

  // KNOWN BUG (engine.ts, tidy): when fn throws — or returns a Promise — the
  // scope is popped but its tensors are neither disposed nor handed to the
  // outer scope, so on a GPU backend their buffers leak. Remove `.fails` once fixed.
  it('disposes the scope\'s tensors when the function throws', () => {
    let created: Tensor | undefined;
    expect(() =>
      tidy(() => {
        created = tensor([1, 2]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(created!.isDisposed).toBe(true);
  });
});

describe('noGrad', () => {
  it('records nothing inside and restores grad mode afterwards, even on throw', () => {
    const w = new Parameter(new Float32Array([1, 2]), [2]);
    expect(isGradEnabled()).toBe(true);
    const y = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return sum(mul(exp(w), w));
    });
    expect(y.requiresGrad).toBe(false);
    expect(y.gradNode).toBeUndefined();
    expect(() => backward(y)).toThrow(/does not require a gradient/);
    expect(isGradEnabled()).toBe(true);
    expect(() => noGrad(() => { throw new Error('inside'); })).toThrow('inside');
    expect(isGradEnabled()).toBe(true);

    const recorded = mul(w, 2);
    expect(recorded.requiresGrad).toBe(true);
    expect(recorded.gradNode?.op).toBe('mul');
  });
});

/** Kernel ids declared in the source files under src/kernels (what the registry must hold). */
function kernelIdsInSource(): string[] {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'kernels');
  const ids: string[] = [];
  for (const file of readdirSync(root, { recursive: true }) as string[]) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/declareKernel\(\s*\{\s*id:\s*'([a-z0-9_]+)'/g)) ids.push(m[1]);
  }
  return ids.sort();
}

/** A second host-memory backend whose tensors report themselves as its own (kernels fall back to js). */
function hostBackend(name: string, fallback?: string): Backend {
  const own = <H extends DataHandle>(h: H): H => ({ ...h, backend });
  const backend: Backend = {
    name,
    ...(fallback ? { fallback } : {}),
    alloc: (dtype, size) => own(jsBackend.alloc(dtype, size)),
    upload: (dtype, values, adopt) => own(jsBackend.upload(dtype, values, adopt)),
    write: jsBackend.write,
    read: jsBackend.read,
    readSync: jsBackend.readSync,
    free: jsBackend.free,
  };
  return backend;
}

describe('kernel registry and dispatch', () => {
  it('declaredKernels() lists every kernel declared under src/kernels', () => {
    const declared = declaredKernels().map((k) => k.id);
    expect(declared).toEqual([...declared].sort((a, b) => a.localeCompare(b)));
    expect(declared).toEqual(kernelIdsInSource());
    for (const id of ['binary', 'unary', 'matmul', 'softmax', 'gather_rows', 'scatter_add_rows', 'dropout_mask']) expect(declared).toContain(id);
    for (const spec of declaredKernels()) {
      expect(spec.summary.length, spec.id).toBeGreaterThan(0);
      expect(spec.family.length, spec.id).toBeGreaterThan(0);
    }
  });

  it('every declared kernel has its js reference', () => {
    const missing = declaredKernels().filter((k) => !findKernel(k.id, 'js')).map((k) => k.id);
    expect(missing).toEqual([]);
    for (const { id } of declaredKernels()) expect(kernelBackends(id), id).toContain('js');
  });

  it('refuses to register an undeclared kernel or to redeclare one differently', () => {
    expect(() => registerKernel('no_such_kernel', 'js', () => undefined)).toThrow(/cannot register 'no_such_kernel:js': kernel 'no_such_kernel' is not declared/);
    expect(findKernel('no_such_kernel', 'js')).toBeUndefined();
    const matmulSpec = declaredKernels().find((k) => k.id === 'matmul')!;
    expect(() => declareKernel({ ...matmulSpec, summary: 'something else' })).toThrow(/'matmul' is declared twice/);
    expect(declareKernel({ ...matmulSpec })).toEqual(matmulSpec); // the same spec again is fine
  });

  it('dispatches through a fallback and rejects inputs on different backends with a clear error', () => {
    registerBackend(hostBackend('test-other', 'js'));
    const onJs = tensor([1, 2, 3]);
    const onOther = tensor([10, 20, 30], [3], { backend: 'test-other' });
    expect(onOther.backend.name).toBe('test-other');
    expect(currentBackend().name).toBe('js');

    const sumOther = add(onOther, onOther); // no binary:test-other, so binary:js runs on its storage
    expect(sumOther.backend.name).toBe('test-other');
    expect(host(sumOther)).toEqual([20, 40, 60]);

    const message = /kernel 'binary': inputs live on different backends \('js' and 'test-other'\); move them with toBackend\(\)/;
    expect(() => add(onJs, onOther)).toThrow(message);
    expect(() => runKernel('binary', [onJs, onOther], { fn: 'add' })).toThrow(message);
    expect(() => matmul(reshape(onOther, [1, 3]), reshape(onJs, [3, 1]))).toThrow(/kernel 'matmul': inputs live on different backends \('test-other' and 'js'\)/);

    registerBackend(hostBackend('test-bare'));
    const bare = tensor([1], [1], { backend: 'test-bare' });
    expect(() => add(bare, bare)).toThrow(/kernel 'binary' has no implementation on backend 'test-bare'/);
    expect(() => runKernel('no_such_kernel', [onJs], {})).toThrow(/kernel 'no_such_kernel' has no implementation on backend 'js'/);
  });
});

describe('kernel rules', () => {
  it('every declared kernel states its rule on inputs and attributes', () => {
    const missing = declaredKernels().filter((k) => typeof k.check !== 'function').map((k) => k.id);
    expect(missing).toEqual([]);
  });

  it('runKernel checks the declared rule before a backend\'s implementation runs, and only then', () => {
    registerBackend(hostBackend('test-spy'));
    let calls = 0;
    registerKernel('bpr_step', 'test-spy', () => {
      calls++;
    });
    const on = { backend: 'test-spy' };
    const table = () => tensor(new Float32Array(4), [2, 2], on);
    const ids = () => tensor(Int32Array.of(0), [1], on);
    expect(() => runKernel('bpr_step', [table(), table(), ids(), ids()], { lr: 0.1, reg: 0 })).toThrow(/^bpr_step: expected 5 inputs/);
    expect(() => runKernel('bpr_step', [table(), table(), ids(), ids(), ids()], { lr: 0.1, reg: 0, hogwild: 'yes' })).toThrow(
      /^bpr_step: attribute hogwild must be true or false, got yes$/,
    );
    expect(() => runKernel('bpr_step', [table(), table(), ids(), ids(), ids()], null as unknown as object)).toThrow(/^bpr_step: expected an attributes object, got null$/);
    expect(calls).toBe(0);
    runKernel('bpr_step', [table(), table(), ids(), ids(), ids()], { lr: 0.1, reg: 0 });
    expect(calls).toBe(1);
  });
});

describe('views and storage', () => {
  it('reshape shares storage, counted by reference', () => {
    const x = tensor([1, 2, 3, 4, 5, 6]);
    const view = reshape(x, [2, 3]);
    const again = reshape(view, [3, -1]);
    expect(view.shape).toEqual([2, 3]);
    expect(again.shape).toEqual([3, 2]);
    expect(view.handle).toBe(x.handle);
    expect(again.handle).toBe(x.handle);
    expect(x.handle.refs).toBe(3);
    expect(reshape(x, [6])).toBe(x); // same shape: no new view

    view.dispose();
    expect(x.handle.refs).toBe(2);
    expect(host(x)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(host(again)).toEqual([1, 2, 3, 4, 5, 6]);
    const handle = again.handle;
    x.dispose();
    expect(host(again)).toEqual([1, 2, 3, 4, 5, 6]);
    again.dispose();
    expect(handle.refs).toBe(0); // the last view freed the storage
    expect(() => reshape(tensor([1, 2, 3]), [2, -1])).toThrow(/reshape: cannot view \[3\] \(3 elements\) as \[2, -1\]/);
  });

  it('a transpose that moves only size-1 axes is a view; one that reorders longer axes copies', () => {
    const x = tensor(Float32Array.from({ length: 12 }, (_, i) => i), [2, 3, 1, 2]);
    const heads = transpose(x, [0, 2, 1, 3]); // [2, 1, 3, 2]: one attention head split off
    expect(heads.shape).toEqual([2, 1, 3, 2]);
    expect(heads.handle).toBe(x.handle);
    expect(host(heads)).toEqual(host(x));
    const swapped = transpose(x, [0, 1, 3, 2]); // [2, 3, 2, 1]: the 2-long axis moves past a 1: still the same order of long axes
    expect(swapped.handle).toBe(x.handle);
    const copy = transpose(x, [1, 0, 2, 3]); // [3, 2, 1, 2]: long axes reordered
    expect(copy.handle).not.toBe(x.handle);
    expect(host(copy).slice(0, 4)).toEqual([0, 1, 6, 7]);
  });
});

describe('slice and pad_slice: windows copied in contiguous runs', () => {
  // Windows that are whole rows (one run per block), a middle column band (a run per row),
  // a single element, a full copy, an empty window, and rank 0 and 1.
  const cases: [full: number[], begin: number[], size: number[]][] = [
    [[4, 6], [1, 0], [2, 6]], [[4, 6], [0, 2], [4, 3]], [[2, 3, 4], [1, 0, 1], [1, 3, 2]], [[2, 3, 4], [0, 1, 0], [2, 2, 4]],
    [[2, 3, 4], [1, 2, 3], [1, 1, 1]], [[2, 3, 4], [0, 0, 0], [2, 3, 4]], [[3, 5], [1, 1], [0, 3]], [[7], [2], [4]], [[], [], []],
  ];
  for (const [full, begin, size] of cases) {
    it(`slice of [${full}] at [${begin}] size [${size}] equals the element-by-element copy, and pad_slice puts it back`, () => {
      const n = full.reduce((p, d) => p * d, 1);
      const x = tensor(Array.from({ length: n }, (_, i) => i + 1), full);
      const strides = full.map((_, ax) => full.slice(ax + 1).reduce((p, d) => p * d, 1));
      const expected: number[] = [];
      const walk = (ax: number, offset: number): void => {
        if (ax === full.length) {
          expected.push(offset + 1);
          return;
        }
        for (let i = 0; i < size[ax]; i++) walk(ax + 1, offset + (begin[ax] + i) * strides[ax]);
      };
      if (size.every((d) => d > 0)) walk(0, 0);
      const [y] = runKernel('slice', [x], { begin, size });
      expect(y.shape).toEqual(size);
      expect(host(y)).toEqual(expected);
      const [back] = runKernel('pad_slice', [y], { shape: full, begin });
      const inWindow = new Set(expected);
      expect(host(back)).toEqual(Array.from({ length: n }, (_, i) => (inWindow.has(i + 1) ? i + 1 : 0)));
    });
  }
});

describe('binary kernel: broadcasting and dtypes', () => {
  it('[2, 3, 4] + [3, 1] matches the hand computation', () => {
    const a = Array.from({ length: 24 }, (_, i) => i);
    const b = [100, 200, 300];
    const y = add(tensor(a, [2, 3, 4]), tensor(b, [3, 1]));
    expect(y.shape).toEqual([2, 3, 4]);
    const expected: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) expected.push(a[(i * 3 + j) * 4 + k] + b[j]);
    expect(host(y)).toEqual(expected);

    // [2, 1] · [1, 3] → [2, 3] (both stretch), a scalar on the left, and a number operand
    expect(host(mul(tensor([2, 3], [2, 1]), tensor([1, 10, 100], [1, 3])))).toEqual([2, 20, 200, 3, 30, 300]);
    expect(host(div(tensor([8], []), tensor([1, 2, 4])))).toEqual([8, 4, 2]);
    expect(host(add(5, tensor([1, 2])))).toEqual([6, 7]);
    expect(() => add(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(/add: shapes \[3\] and \[2\] do not broadcast/);
  });

  it('integer arithmetic stays integer and wraps like Int32Array', () => {
    const y = add(tensor(new Int32Array([1, 2, 2147483647])), tensor(new Int32Array([10, 20, 1])));
    expect(y.dtype).toBe('i32');
    expect(host(y)).toEqual([11, 22, -2147483648]);
    const q = div(tensor(new Int32Array([7, -7])), tensor(new Int32Array([2, 2])));
    expect(q.dtype).toBe('i32');
    expect(host(q)).toEqual([3, -3]); // truncation toward zero
    expect(add(tensor(new Int32Array([1])), 2).dtype).toBe('i32'); // a number operand takes the tensor's dtype
    expect(() => add(tensor(new Int32Array([1])), tensor([1]))).toThrow(/operands have dtypes i32 and f32; cast one with cast\(\)/);
  });

  it('comparisons return f32 0/1 for any input dtype', () => {
    const a = tensor(new Int32Array([1, 5, 3]));
    const b = tensor(new Int32Array([1, 2, 4]));
    for (const [fn, expected] of [
      [equal, [1, 0, 0]],
      [greater, [0, 1, 0]],
      [greaterEqual, [1, 1, 0]],
    ] as const) {
      const y = fn(a, b);
      expect(y.dtype).toBe('f32');
      expect(host(y)).toEqual(expected);
    }
    expect(greater(tensor([0.5, -1]), 0).dtype).toBe('f32');
  });
});

describe('backward', () => {
  it('accumulates into .grad across calls until zeroGrad', () => {
    const w = new Parameter(new Float32Array([1, 2, 3]), [3]);
    const c = tensor([2, -1, 0.5]);
    backward(sum(mul(w, c)));
    expect(host(w.grad as Tensor)).toEqual([2, -1, 0.5]);
    backward(sum(mul(w, c)));
    expect(host(w.grad as Tensor)).toEqual([4, -2, 1]);
    const old = w.grad as Tensor;
    w.zeroGrad();
    expect(w.grad).toBeNull();
    expect(old.isDisposed).toBe(true);
    backward(sum(mul(mul(w, w), c))); // d/dw Σ c·w² = 2·c·w
    expect(host(w.grad as Tensor)).toEqual([4, -4, 3]);
  });

  it('accumulates row-sparse table gradients as concatenated rows', () => {
    const emb = new Embedding(5, 2, { seed: 1 });
    backward(sum(emb.forward(tensor(new Int32Array([1, 3])))));
    backward(sum(mul(emb.forward(tensor(new Int32Array([3]))), 2)));
    const g = emb.weight.grad as RowSparse;
    expect(g).toBeInstanceOf(RowSparse);
    expect(host(g.indices)).toEqual([1, 3, 3]);
    expect(host(g.values)).toEqual([1, 1, 1, 1, 2, 2]);
  });

  it('needs a seed for a non-scalar root, of the root\'s shape', () => {
    const w = new Parameter(new Float32Array([1, 2]), [2]);
    const y = mul(w, 3);
    expect(() => backward(y)).toThrow(/backward: root \[2\] is not a scalar; pass a seed gradient/);
    expect(() => backward(y, tensor([1, 1, 1]))).toThrow(/backward: seed \[3\] must match \[2\]/);
    backward(y, tensor([1, -1]));
    expect(host(w.grad as Tensor)).toEqual([3, -3]);
    expect(() => backward(tensor([1]))).toThrow(/does not require a gradient/);
  });

  // KNOWN BUG (backward.ts, final loop): leaves whose gradients are the same
  // tensor object (add's gradient passes dy through to both operands) share
  // one .grad; accumulating into the first disposes it under the second.
  it('backward twice through add(a, b) of two parameters', () => {
    const a = new Parameter(new Float32Array([1, 2]), [2]);
    const b = new Parameter(new Float32Array([3, 4]), [2]);
    const c = tensor([1, 2]);
    backward(sum(mul(add(a, b), c)));
    backward(sum(mul(add(a, b), c)));
    expect(host(a.grad as Tensor)).toEqual([2, 4]);
    expect(host(b.grad as Tensor)).toEqual([2, 4]);
  });

  // KNOWN BUG (ops/indexing.ts gather grad + backward.ts): for 1-D ids the
  // row-sparse gradient's `indices` IS the caller's ids tensor, so zeroGrad()
  // disposes the caller's ids (and keep() pulls them out of the caller's tidy).
  it('zeroGrad leaves the caller\'s id tensor alive', () => {
    const emb = new Embedding(5, 2, { seed: 1 });
    const ids = tensor(new Int32Array([1, 3]));
    backward(sum(emb.forward(ids)));
    emb.zeroGrad();
    expect(ids.isDisposed).toBe(false);
  });

  // KNOWN BUG (backward.ts + Tensor.dispose): a loss returned from tidy() has
  // its intermediates disposed, dispose() clears their gradNode, and backward
  // then stops there silently: the parameters get no gradient and no error.
  it('backward of a loss whose graph was disposed by tidy() errors (or computes the gradient)', () => {
    const w = new Parameter(new Float32Array([1, 2]), [2]);
    const loss = tidy(() => sum(exp(mul(w, 2))));
    let error: unknown;
    try {
      backward(loss);
    } catch (e) {
      error = e;
    }
    if (error) expect(String(error)).toMatch(/disposed/);
    else expect(host(w.grad as Tensor)).toEqual([2 * Math.exp(2), 2 * Math.exp(4)].map(Math.fround));
  });

  it('runs inside tidy without losing the parameters\' gradients', () => {
    const w = new Parameter(new Float32Array([1, 2]), [2]);
    tidy(() => backward(sum(mul(exp(w), 1))));
    expect(w.grad).not.toBeNull();
    expect((w.grad as Tensor).isDisposed).toBe(false);
    expect(host(w.grad as Tensor)).toEqual([Math.exp(1), Math.exp(2)].map(Math.fround));
    const table = new Parameter(new Float32Array(6), [3, 2]);
    tidy(() => backward(sum(gather(table, tensor(new Int32Array([2, 0]))))));
    const g = table.grad as RowSparse;
    expect(g.indices.isDisposed || g.values.isDisposed).toBe(false);
  });
});
