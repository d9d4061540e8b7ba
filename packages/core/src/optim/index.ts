/**
 * Optimizers: SGD (momentum, Nesterov), Adagrad, Adam and AdamW, each with a
 * dense and a row-sparse (embedding table) kernel, plus the kernel attribute
 * types faster backends register implementations against.
 */
export { Optimizer, type OptimizerSlots, type ParameterSource } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adam, AdamW, type AdamOptions, type AdamWOptions } from './adam.js';
export type { SgdUpdateAttrs } from '../kernels/optim/sgd_update.js';
export type { AdagradUpdateAttrs } from '../kernels/optim/adagrad_update.js';
export type { AdamUpdateAttrs } from '../kernels/optim/adam_update.js';
