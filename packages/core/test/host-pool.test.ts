/**
 * The host pool (`tensor/host-pool.ts`): a disposed tensor's array serves the next
 * allocation of its length, zeroed — and never an array someone outside the backend holds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { add, clearHostPool, hostPoolStats, mul, Parameter, setHostPoolLimit, tensor, tidy, zeros } from '../src/index.js';

const N = 4096; // above the pool's smallest length

const DEFAULT_LIMIT = hostPoolStats().limitBytes;

afterEach(() => {
  setHostPoolLimit(DEFAULT_LIMIT);
  clearHostPool();
});

function filled(value: number): Float32Array {
  return new Float32Array(N).fill(value);
}

describe('host pool', () => {
  it('gives a disposed intermediate to the next allocation of its length, zeroed', () => {
    clearHostPool();
    const x = tensor(filled(1));
    tidy(() => void add(x, x)); // an intermediate of N floats, disposed by tidy
    expect(hostPoolStats().arrays).toBe(1);
    const before = hostPoolStats().hits;
    const z = zeros([N]);
    expect(hostPoolStats().hits).toBe(before + 1);
    expect(hostPoolStats().arrays).toBe(0);
    expect(z.readSync().every((v) => v === 0)).toBe(true);
  });

  it('never recycles an array a caller read with readSync', () => {
    clearHostPool();
    const x = tensor(filled(2));
    let seen: Float32Array | undefined;
    tidy(() => {
      seen = add(x, x).readSync() as Float32Array; // the caller keeps the array past the scope
    });
    expect(hostPoolStats().arrays).toBe(0);
    tidy(() => void add(x, tensor(filled(10)))); // allocates N floats again (12s); must not be `seen`
    expect(seen!.every((v) => v === 4)).toBe(true);
  });

  it("never recycles a Parameter's adopted initial values", () => {
    clearHostPool();
    const init = filled(3);
    const p = new Parameter(init, [N]);
    p.dispose();
    expect(hostPoolStats().arrays).toBe(0);
    tidy(() => void add(tensor(filled(1)), tensor(filled(1))));
    expect(init.every((v) => v === 3)).toBe(true);
  });

  it('copies a typed array handed to tensor() and recycles only the copy', () => {
    clearHostPool();
    const values = filled(5);
    tensor(values).dispose();
    expect(hostPoolStats().arrays).toBe(1);
    zeros([N]);
    expect(values.every((v) => v === 5)).toBe(true);
  });

  it('makes room for a new length by dropping the lengths used least recently', () => {
    clearHostPool();
    setHostPoolLimit(4 * N * 4);
    tensor(filled(1)).dispose();
    tensor(new Float32Array(2 * N)).dispose(); // N and 2N held: 3N of the 4N floats allowed
    expect(hostPoolStats().arrays).toBe(2);
    tensor(new Float32Array(N + 1024)).dispose(); // 4N + 1024 would not fit: drops N's (older)
    expect(hostPoolStats()).toMatchObject({ arrays: 2, bytes: (3 * N + 1024) * 4 });
    const before = hostPoolStats().hits;
    zeros([2 * N]);
    zeros([N + 1024]);
    expect(hostPoolStats().hits).toBe(before + 2);
    zeros([N]);
    expect(hostPoolStats().hits).toBe(before + 2); // N's array was the one dropped
  });

  it('serves every length of a size class from one array, as a view, and takes it back whole', () => {
    clearHostPool();
    // 2,050 floats round up to the class of 2,304 (eighths of 2,048): the pool holds 2,304.
    tensor(new Float32Array(2050).fill(7)).dispose();
    expect(hostPoolStats()).toMatchObject({ arrays: 1, bytes: 2304 * 4 });
    const before = hostPoolStats().hits;
    const a = tidy(() => add(zeros([2100]), tensor(new Float32Array(2100).fill(1))));
    expect(hostPoolStats().hits).toBeGreaterThan(before);
    expect(a.shape).toEqual([2100]);
    expect(a.readSync().every((v) => v === 1)).toBe(true);
    // Another length of the class: zeroed over its own length, whatever the array held.
    tidy(() => void mul(tensor(new Float32Array(2300).fill(3)), tensor(new Float32Array(2300).fill(3))));
    const z = zeros([2049]);
    expect(z.size).toBe(2049);
    expect(z.readSync().every((v) => v === 0)).toBe(true);
    // A length of another class (2,560 = 2,048 + 2 · 256) misses.
    const misses = hostPoolStats().misses;
    zeros([2400]);
    expect(hostPoolStats().misses).toBe(misses + 1);
  });

  it('keeps nothing past its limit, and nothing at limit 0', () => {
    setHostPoolLimit(0);
    tidy(() => void add(tensor(filled(1)), tensor(filled(1))));
    expect(hostPoolStats().arrays).toBe(0);
    setHostPoolLimit(N * 4);
    tidy(() => {
      add(tensor(filled(1)), tensor(filled(1)));
    });
    expect(hostPoolStats().bytes).toBeLessThanOrEqual(N * 4);
    expect(() => setHostPoolLimit(-1)).toThrow(/setHostPoolLimit: bytes must be a finite number ≥ 0, got -1/);
  });
});
