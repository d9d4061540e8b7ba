/**
 * The trainer's checkpoints in a folder: `<dir>/checkpoint/model.safetensors` and
 * `config.json` (through `saveParameters`, which writes atomically).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadParameters, saveParameters } from '@rec/core/node';
import type { CheckpointStore } from '../training/trainer.js';

/** The sub-folder of a model folder that holds its training checkpoint. */
export const CHECKPOINT_FOLDER = 'checkpoint';

/**
 * A {@link CheckpointStore} in `<dir>/checkpoint`.
 * @example
 * ```ts
 * await new Trainer(model, objective, { checkpoint: fileCheckpoint('runs/x') }).fit(); // resumes when runs/x/checkpoint exists
 * ```
 */
export function fileCheckpoint(dir: string): CheckpointStore {
  const where = join(dir, CHECKPOINT_FOLDER);
  return {
    where,
    load: async () => {
      if (!existsSync(join(where, 'config.json'))) return undefined;
      const { tensors, config } = await loadParameters(where);
      return { tensors, state: config };
    },
    save: ({ tensors, state }) => saveParameters(where, tensors, state),
  };
}

/**
 * Checkpoints per training stage under `dir`: `<dir>/checkpoint`, or
 * `<dir>/<phase>/checkpoint` for a named stage (sequential NMTR's behaviours).
 * @example
 * ```ts
 * await trainModel(config, data, { checkpoints: fileCheckpoints('runs/tmall/seq-nmtr-gmf') });
 * ```
 */
export function fileCheckpoints(dir: string): (phase?: string) => CheckpointStore {
  return (phase) => fileCheckpoint(phase ? join(dir, phase) : dir);
}
