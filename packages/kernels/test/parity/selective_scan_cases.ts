/**
 * Cases of the `selective_scan` / `selective_scan_grad` parity suites: Mamba4Rec's shapes
 * (E = 2·d channels, N = 16 states) at small scale, one position, one channel, one state,
 * and an empty batch. Δ is positive and A negative, as the model makes them (softplus and
 * −exp), so the states stay bounded.
 */
import { type Backend, getBackend, runKernel, tensor } from '@rec/core';
import { uniformF32 } from './fixtures.js';

export interface ScanCase {
  readonly name: string;
  readonly batch: number;
  readonly T: number;
  readonly E: number;
  readonly N: number;
}

export const SCAN_CASES: readonly ScanCase[] = [
  { name: 'Mamba4Rec-like: 6 sequences × 20 positions × 32 channels × 16 states', batch: 6, T: 20, E: 32, N: 16 },
  { name: 'one position', batch: 3, T: 1, E: 5, N: 4 },
  { name: 'one channel and one state', batch: 4, T: 9, E: 1, N: 1 },
  { name: 'odd sizes over more sequences than threads', batch: 13, T: 7, E: 3, N: 5 },
  { name: 'an empty batch', batch: 0, T: 4, E: 3, N: 2 },
];

/** The six inputs of a case (seeded): u, Δ ∈ [0.05, 1.5), A ∈ [−3, −0.1), B, C, D. */
export function scanInputs(c: ScanCase): Float32Array[] {
  const { batch, T, E, N } = c;
  return [
    uniformF32(1, batch * T * E),
    uniformF32(2, batch * T * E, 0.05, 1.5),
    uniformF32(3, E * N, -3, -0.1),
    uniformF32(4, batch * T * N),
    uniformF32(5, batch * T * N),
    uniformF32(6, E),
  ];
}

function shapes(c: ScanCase): number[][] {
  const { batch, T, E, N } = c;
  return [[batch, T, E], [batch, T, E], [E, N], [batch, T, N], [batch, T, N], [E]];
}

/** `selective_scan`'s y on `backend`. */
export async function runScan(c: ScanCase, backend: Backend | string): Promise<Float32Array> {
  const b = typeof backend === 'string' ? getBackend(backend) : backend;
  const inputs = scanInputs(c).map((v, i) => tensor(v, shapes(c)[i], { backend: b }));
  const [y] = runKernel('selective_scan', inputs, {});
  return (await y!.read()) as Float32Array;
}

/** `selective_scan_grad`'s six gradients on `backend`, from a seeded dy. */
export async function runScanGrad(c: ScanCase, backend: Backend | string): Promise<Float32Array[]> {
  const b = typeof backend === 'string' ? getBackend(backend) : backend;
  const s = shapes(c);
  const dy = tensor(uniformF32(7, c.batch * c.T * c.E), s[0], { backend: b });
  const inputs = scanInputs(c).map((v, i) => tensor(v, s[i], { backend: b }));
  const grads = runKernel('selective_scan_grad', [dy, ...inputs], {});
  return Promise.all(grads.map(async (g) => (await g.read()) as Float32Array));
}

/** |got − want| ≤ atol + rtol·|want| for every element, else the first that is not. */
export function firstMismatch(got: Float32Array, want: Float32Array, rtol: number, atol: number): string | undefined {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= atol + rtol * Math.abs(want[i]!))) return `[${i}]: ${got[i]} vs ${want[i]}`;
  }
  return undefined;
}

/** max |v|: the scale of an output, for the webgpu tolerance (its chains run in f32). */
export function maxAbs(v: Float32Array): number {
  let m = 0;
  for (const x of v) m = Math.max(m, Math.abs(x));
  return m;
}

/**
 * The tolerance (rtol, atol) for one output on `backend`: native does the reference's f64
 * arithmetic, so `rtol` (with `atol` for sums that cancel) bounds exp's last bit. webgpu keeps
 * each chain's state in f32 (WGSL has no f64), so an element that cancels is off by a few f32
 * ulp of the terms it sums, not of itself: 1e-6 of the output's largest value (measured
 * ≤ 1.9e-7 on these cases, llvmpipe).
 */
export function scanTolerance(backend: string, rtol: number, atol: number, want: Float32Array): [number, number] {
  return backend === 'webgpu' ? [1e-6, 1e-6 * maxAbs(want)] : [rtol, atol];
}
