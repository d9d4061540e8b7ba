/**
 * Reading `.npy` and `.npy.gz` files from disk; the format itself is parsed by
 * {@link parseNpy} in `npy.ts`, which stays browser-safe.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { parseNpy, type NpyArray } from './npy.js';

const gunzipAsync = promisify(gunzip);

/**
 * Reads a `.npy` file, gunzipping it first when it starts with the gzip magic bytes
 * (so `x.npy.gz` and `x.npy` both work whatever their names). See {@link parseNpy}
 * for the dtypes and conversions. Cost: the file is held in memory twice at peak
 * (compressed or raw bytes, and the converted array).
 *
 * @param path the file.
 * @throws Error naming `path`: missing file, a corrupt or truncated gzip stream, or
 * any {@link parseNpy} error.
 * @example
 * ```ts
 * const image = await readNpy(join(dir, 'image_feat.npy.gz'));
 * image.shape; // [6710, 128]
 * image.descr; // '<f2' (read as float32)
 * ```
 */
export async function readNpy(path: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`readNpy: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (error) {
      throw new Error(`${path}: the gzip stream is corrupt or truncated (${(error as Error).message})`, { cause: error });
    }
  }
  return parseNpy(bytes, path);
}
