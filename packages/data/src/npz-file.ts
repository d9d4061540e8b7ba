/**
 * Reading SciPy `.npz` / `.npz.gz` CSR matrices from disk; the format itself is
 * parsed by {@link parseNpzCsr} in `npz.ts`, which stays browser-safe.
 */
import { readFile } from 'node:fs/promises';
import { parseNpzCsr, type CsrMatrix } from './npz.js';

/**
 * Reads a SciPy CSR matrix from a `.npz` or `.npz.gz` file; see {@link parseNpzCsr}.
 * The whole file is read into memory (tens of MB for graphs with millions of edges).
 *
 * @param path the file; gzip is recognised by content, not by the name.
 * @throws Error naming `path` when it cannot be read, and as {@link parseNpzCsr} does.
 * @example
 * ```ts
 * const adj = await readNpzCsr(join(dir, 'mbcgcn/view/s_adj_mat.npz.gz'));
 * console.log(adj.numRows, adj.numCols, adj.indices.length);
 * ```
 */
export async function readNpzCsr(path: string): Promise<CsrMatrix> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`readNpzCsr: cannot read ${path} (${(error as Error).message})`, { cause: error });
  }
  return parseNpzCsr(bytes, path);
}
