/**
 * Counter-based random numbers (Philox4x32-10) and samplers whose word-level recipes
 * are documented so native and GPU backends can reproduce them exactly.
 */
export { mulhi32, philox4x32, philox4x32Into } from './philox.js';
export {
  Philox,
  u32At,
  uniformAt,
  uniformFromU32,
  type PhiloxOptions,
  type PhiloxSeed,
} from './rng.js';
export { AliasTable, unigramWeights } from './alias.js';
export {
  chiSquareCriticalValue,
  chiSquareStatistic,
  type ChiSquareSignificance,
} from './goodness-of-fit.js';
