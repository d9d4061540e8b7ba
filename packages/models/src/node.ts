/**
 * `@rec/models/node`: what needs files — saved model folders, training checkpoints in
 * folders, and the reproduction runner's outputs. Everything of the root is
 * re-exported, so one import serves a Node program.
 */
export * from './index.js';
export { loadTrainedModel, packageVersions, readSavedModelConfig, saveTrainedModel } from './node/persist.js';
export { CHECKPOINT_FOLDER, fileCheckpoint, fileCheckpoints } from './node/checkpoint.js';
export { expandMethodPatterns, runReproduction, runReproductionSeeds, type ReproductionRun, type RunReproductionOptions } from './node/reproduce.js';
