/**
 * `@rec/models`: recommender models and their training. Never does I/O beyond model files.
 */
export type { Recommender } from './recommender.js';
export { MostPopular, type ItemLog } from './baselines/most-popular.js';
export { BPRMF, fitBPR, type BPRMFConfig, type BPRTrainingData, type FitBPROptions } from './bpr/bpr-mf.js';
