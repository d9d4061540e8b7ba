/**
 * Saved model folders on disk: {@link saveTrainedModel} writes the files of
 * `../plugin/saved.ts` through the atomic-write helper (config.json last, so a folder
 * with a config is complete), {@link loadTrainedModel} reads them back into a
 * {@link StandaloneModel} that answers by raw ids without the dataset.
 */
import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFilesAtomic } from '@rec/core/node';
import {
  decodeSavedModel, encodeSavedModel, parseManifest, SAVED_MODEL_FILES, type SavedModelFiles, type SavedModelManifest, type SaveInputs,
} from '../plugin/saved.js';
import { StandaloneModel } from '../plugin/standalone.js';
import type { TrainedModel } from '../plugin/train.js';

async function readRequired(path: string, dir: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${path} does not exist: ${dir} is not a complete saved model folder (rec train writes one)`);
    }
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}

let versions: Record<string, string> | undefined;

/** The versions of the @rec packages this model code runs with, and Node's. */
export async function packageVersions(): Promise<Record<string, string>> {
  if (versions) return versions;
  const found: Record<string, string> = {};
  const read = async (url: URL) => JSON.parse(await readFile(fileURLToPath(url), 'utf8')) as { name: string; version: string };
  // This file is src/node/persist.ts or dist/node/persist.js: the package root is two up.
  const own = await read(new URL('../../package.json', import.meta.url));
  found[own.name] = own.version;
  for (const name of ['@rec/core', '@rec/data', '@rec/eval']) {
    try {
      let dir = dirname(fileURLToPath(import.meta.resolve(name)));
      // Walk up from the entry file to the package.json that names the package.
      for (let up = 0; up < 4; up++, dir = dirname(dir)) {
        try {
          const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
          if (pkg.name === name) {
            found[name] = pkg.version;
            break;
          }
        } catch {
          // no package.json at this level
        }
      }
    } catch {
      // not resolvable from here: leave it out
    }
  }
  found.node = process.version;
  versions = found;
  return found;
}

/**
 * Saves a trained model as a standalone folder (created if needed): parameters, seen
 * items, raw id maps and `config.json` (see `SavedModelManifest`). Every file goes
 * through `writeFilesAtomic` (temporary name, fsync, rename), `config.json` last.
 *
 * @param dir - the model folder, e.g. `runs/ml-100k/bpr`.
 * @param trained - what `trainModel` returned.
 * @param inputs - the id maps (`rawIdsOf(dataset)`), the seen items, the data identity.
 * @returns the files written.
 * @example
 * ```ts
 * await saveTrainedModel('runs/ml-100k/bpr', trained, { ids: rawIdsOf(dataset), seen: targetMask, data });
 * ```
 */
export async function saveTrainedModel(dir: string, trained: TrainedModel, inputs: SaveInputs): Promise<string[]> {
  const files = await encodeSavedModel(trained, { ...inputs, packages: inputs.packages ?? (await packageVersions()) });
  await mkdir(dir, { recursive: true });
  const order = [SAVED_MODEL_FILES.parameters, SAVED_MODEL_FILES.seen, SAVED_MODEL_FILES.ids, SAVED_MODEL_FILES.config];
  await writeFilesAtomic(order.map((name) => ({ path: join(dir, name), data: files[name] })));
  return order.map((name) => join(dir, name));
}

/**
 * Reads and checks a saved model's `config.json` without loading the rest.
 * @throws Error naming the file when it is missing, malformed, of another format version,
 *   or holds an invalid configuration.
 * @example
 * ```ts
 * const { model, data, history } = await readSavedModelConfig('runs/ml-100k/bpr');
 * ```
 */
export async function readSavedModelConfig(dir: string): Promise<SavedModelManifest> {
  const path = join(dir, SAVED_MODEL_FILES.config);
  return parseManifest(await readRequired(path, dir), path);
}

/**
 * Loads a folder {@link saveTrainedModel} wrote, on the current backend, in inference
 * mode: it scores exactly as the saved model did, and answers by raw ids.
 * @throws Error naming the file on a missing, malformed or mismatched file.
 * @example
 * ```ts
 * const model = await loadTrainedModel('runs/ml-100k/bpr');
 * await model.recommend('196', { k: 10 });
 * ```
 */
export async function loadTrainedModel(dir: string): Promise<StandaloneModel> {
  const names = Object.values(SAVED_MODEL_FILES);
  // config.json first: a folder of an older version is refused before the other files are looked for.
  const config = await readRequired(join(dir, SAVED_MODEL_FILES.config), dir);
  parseManifest(config, join(dir, SAVED_MODEL_FILES.config));
  const bytes = await Promise.all(names.map((name) => (name === SAVED_MODEL_FILES.config ? config : readRequired(join(dir, name), dir))));
  const files = Object.fromEntries(names.map((name, k) => [name, bytes[k]])) as SavedModelFiles;
  return StandaloneModel.from(decodeSavedModel(files, dir));
}
