/**
 * Parameter initialisers. All draw from the counter-based {@link Philox}
 * generator, so a model built with the same seed has the same weights on every
 * backend and machine.
 */
import { Philox } from '../random/rng.js';
import type { Shape } from '../tensor/shape.js';
import { sizeOf } from '../tensor/shape.js';

/** Where initial values come from: a seed, or a generator shared across layers. */
export type InitSource = Philox | { seed: number; stream?: number };

function rngOf(source: InitSource): Philox {
  return source instanceof Philox ? source : new Philox(source);
}

/** N(mean, std²) values, e.g. std 0.01 for embedding tables (NCF, BPR). */
export function normalInit(shape: Shape, std: number, source: InitSource, mean = 0): Float32Array {
  return rngOf(source).fillNormal(new Float32Array(sizeOf(shape)), mean, std);
}

/** U(lo, hi) values. */
export function uniformInit(shape: Shape, lo: number, hi: number, source: InitSource): Float32Array {
  const out = rngOf(source).fillUniform(new Float32Array(sizeOf(shape)));
  for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * out[i];
  return out;
}

/**
 * Glorot/Xavier uniform (Glorot & Bengio 2010): U(−a, a) with
 * a = √(6 / (fanIn + fanOut)), for a `[fanIn, fanOut]` weight.
 */
export function xavierUniform(shape: Shape, source: InitSource): Float32Array {
  const fanIn = shape[0];
  const fanOut = shape.length > 1 ? sizeOf(shape.slice(1)) : shape[0];
  const a = Math.sqrt(6 / (fanIn + fanOut));
  return uniformInit(shape, -a, a, source);
}
