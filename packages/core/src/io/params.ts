import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFilesAtomic } from './atomic.js';
import { decodeSafetensors, encodeSafetensors, type NamedArray } from './safetensors.js';

/** File name of the tensors in a parameter directory (the name Hugging Face tools look for). */
export const PARAMETERS_FILE = 'model.safetensors';

/** File name of the model configuration in a parameter directory. */
export const CONFIG_FILE = 'config.json';

/**
 * Options for {@link saveParameters}.
 *
 * @example
 * ```ts
 * const options: SaveParametersOptions = { metadata: { model: 'two-tower', step: '1200' } };
 * ```
 */
export interface SaveParametersOptions {
  /** String-to-string map stored in the safetensors header as `__metadata__`. */
  metadata?: Record<string, string>;
}

/**
 * What {@link loadParameters} returns: the tensors, the parsed `config.json`,
 * and the safetensors metadata (`{}` when the file has none).
 *
 * @example
 * ```ts
 * const { tensors, config, metadata }: LoadedParameters = await loadParameters('runs/mf');
 * ```
 */
export interface LoadedParameters {
  tensors: Record<string, NamedArray>;
  config: unknown;
  metadata: Record<string, string>;
}

/**
 * Saves model parameters as `model.safetensors` and the model configuration as
 * `config.json` in `dir`, creating the directory if needed.
 *
 * Everything is encoded and validated before anything is written, so invalid
 * input (say a tensor whose data does not match its shape) throws and leaves
 * `dir` untouched. Both files are written through {@link writeFilesAtomic}:
 * each in full to a temporary name in `dir`, flushed, then renamed over the
 * final name, so a reader never sees a half-written file and a crash leaves at
 * worst a stray `.*.tmp` file. The two renames are separate steps: a crash
 * between them can pair a new `model.safetensors` with the previous `config.json`.
 *
 * @param dir Directory to write into; created recursively if missing.
 * @param tensors Parameters by name (see {@link encodeSafetensors} for the rules).
 * @param config Any JSON-serializable value; written with two-space indentation.
 * @param options `metadata` to store in the safetensors header.
 * @throws {SafetensorsError} If the tensors or metadata are invalid.
 * @throws {Error} If `config` cannot be serialized to JSON, or on a file system error.
 * @example
 * ```ts
 * await saveParameters(
 *   'runs/mf',
 *   { 'user.embedding': { dtype: 'f32', shape: [943, 32], data: userEmbedding } },
 *   { model: 'mf', dim: 32 },
 *   { metadata: { epoch: '10' } },
 * );
 * ```
 */
export async function saveParameters(
  dir: string,
  tensors: Record<string, NamedArray>,
  config: unknown,
  options: SaveParametersOptions = {},
): Promise<void> {
  const bytes = encodeSafetensors(tensors, options.metadata);
  let json: string | undefined;
  try {
    json = JSON.stringify(config, null, 2);
  } catch (err) {
    throw new Error(`cannot save ${CONFIG_FILE}: the config is not JSON-serializable (${(err as Error).message})`, { cause: err });
  }
  if (json === undefined) {
    throw new Error(`cannot save ${CONFIG_FILE}: the config (${typeof config}) has no JSON representation`);
  }

  await mkdir(dir, { recursive: true });
  // Both files complete before either is renamed, to keep the window in which
  // the directory holds a mismatched pair as small as possible.
  await writeFilesAtomic([
    { path: join(dir, PARAMETERS_FILE), data: bytes },
    { path: join(dir, CONFIG_FILE), data: `${json}\n` },
  ]);
}

async function readRequired(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`missing ${what}: ${path} does not exist`, { cause: err });
    throw new Error(`cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Loads what {@link saveParameters} wrote: the tensors and metadata of
 * `dir/model.safetensors` and the parsed value of `dir/config.json`.
 *
 * Any `model.safetensors` in the format with F32, I32 and U32 tensors loads,
 * whoever wrote it. Errors name the file: a missing file, a malformed
 * safetensors file (the message then carries the {@link SafetensorsError}
 * detail, which is also the `cause`), or a config that is not valid JSON.
 *
 * @param dir Directory holding `model.safetensors` and `config.json`.
 * @example
 * ```ts
 * const { tensors, config, metadata } = await loadParameters('runs/mf');
 * const users = tensors['user.embedding']; // { dtype: 'f32', shape: [943, 32], data: Float32Array }
 * ```
 */
export async function loadParameters(dir: string): Promise<LoadedParameters> {
  const modelPath = join(dir, PARAMETERS_FILE);
  const configPath = join(dir, CONFIG_FILE);
  // Both reads run at once, but the error reported is always the parameter file's first:
  // with Promise.all, whichever failed first would win, and the message would vary by run.
  const [model, configRead] = await Promise.allSettled([
    readRequired(modelPath, 'parameter file'),
    readRequired(configPath, 'config file'),
  ]);
  if (model.status === 'rejected') throw model.reason;
  if (configRead.status === 'rejected') throw configRead.reason;
  const modelBytes = model.value;
  const configBytes = configRead.value;

  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(modelBytes);
  } catch (err) {
    throw new Error(`malformed parameter file ${modelPath}: ${(err as Error).message}`, { cause: err });
  }

  let config: unknown;
  try {
    config = JSON.parse(configBytes.toString('utf8'));
  } catch (err) {
    throw new Error(`malformed config file ${configPath}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  return { tensors: decoded.tensors, config, metadata: decoded.metadata };
}
