/**
 * Reading a SciPy sparse matrix saved with `scipy.sparse.save_npz`: a NumPy `.npz`
 * (a zip archive, stored or deflated, of one `.npy` file per array), optionally
 * gzipped once more as `.npz.gz`, holding a CSR matrix as the members
 *
 * | member | dtype SciPy writes | meaning |
 * |---|---|---|
 * | `format.npy` | `\|S3` (bytes; `<U3` also read) | `csr` |
 * | `shape.npy` | `<i8`, shape (2,) | rows, columns |
 * | `indptr.npy` | `<i4` or `<i8`, rows + 1 | row `r` is `indptr[r] .. indptr[r+1]` |
 * | `indices.npy` | `<i4` or `<i8`, nnz | column of each stored entry |
 * | `data.npy` | `<f4` (any float or integer dtype is read) | value of each stored entry |
 *
 * Multi-behaviour recommender repositories (e.g. SS-00-SS/MBCGCN's
 * `Data/<behaviour>/s_adj_mat.npz`) publish training graphs this way. The zip is
 * opened with fflate, the outer gzip too, the numeric members with
 * {@link parseNpy}, and the one string member with a few lines below (`parseNpy`
 * reads numeric dtypes only).
 *
 * Browser-safe: parsing only. Reading a file (`readNpzCsr`) is in `npz-file.ts`,
 * exported from `@rec/data/node`.
 */
import { gunzipSync, unzipSync } from 'fflate';
import { parseNpy } from './npy.js';

/**
 * A sparse matrix in compressed sparse row form, as SciPy stores it: the stored
 * entries of row `r` are at positions `indptr[r] .. indptr[r+1]` of `indices`
 * (their columns) and `data` (their values). Columns within a row are in the order
 * the file gives them (SciPy's canonical form sorts them, but nothing requires it).
 *
 * Invariants (checked by {@link parseNpzCsr}): `indptr.length = numRows + 1`,
 * `indptr[0] = 0`, `indptr` non-decreasing, `indptr[numRows] = indices.length =
 * data.length`, `0 ≤ indices[p] < numCols`.
 *
 * @example
 * ```ts
 * const m: CsrMatrix = parseNpzCsr(bytes, 'view/s_adj_mat.npz');
 * for (let p = m.indptr[0]; p < m.indptr[1]; p++) console.log(0, m.indices[p], m.data[p]);
 * ```
 */
export interface CsrMatrix {
  readonly numRows: number;
  readonly numCols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  /** Stored values as float32 (SciPy's `data` for adjacency matrices is float32 1.0). */
  readonly data: Float32Array;
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * The value of a 0-d string `.npy` member: NumPy bytes (`|S<n>`) or UCS-4 (`<U<n>`),
 * NUL padding removed. This is what `save_npz` writes for `format`; any other shape
 * or dtype is an error naming the member.
 */
function parseNpyString(bytes: Uint8Array, where: string): string {
  if (bytes.length < 12 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error(`${where}: not a .npy array (expected the magic bytes \\x93NUMPY at the start)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerStart = major === 1 ? 10 : 12;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, Math.min(dataStart, bytes.length)));
  const descr = /'descr'\s*:\s*'([|<>=]?)([SU])(\d+)'/.exec(header);
  if (descr === null || !/'shape'\s*:\s*\(\s*\)/.test(header)) {
    throw new Error(`${where}: header ${JSON.stringify(header.trim())}; expected a 0-d string ('|S<n>' or '<U<n>', shape ())`);
  }
  const unicode = descr[2] === 'U';
  const length = Number(descr[3]) * (unicode ? 4 : 1);
  if (dataStart + length > bytes.length) throw new Error(`${where}: the string data is truncated`);
  const data = bytes.subarray(dataStart, dataStart + length);
  let text = '';
  if (unicode) {
    const big = descr[1] === '>';
    const chars = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let k = 0; k < length; k += 4) text += String.fromCodePoint(chars.getUint32(k, !big));
  } else {
    text = new TextDecoder('latin1').decode(data);
  }
  return text.replace(/\0+$/, '');
}

/**
 * Parses the bytes of a `.npz` (or gzipped `.npz.gz`, recognised by its magic bytes)
 * holding a SciPy CSR matrix, and checks every CSR invariant, so callers can index
 * without bounds checks. Cost: one decompression and one pass over each member;
 * peak memory about twice the uncompressed archive.
 *
 * @param bytes the file's contents.
 * @param source the file name for error messages.
 * @throws Error naming `source`, the member and what was expected: a missing member,
 * `format` other than `csr`, an unsupported dtype or layout, inconsistent lengths, a
 * decreasing `indptr` or a column outside the shape.
 * @example
 * ```ts
 * const m = parseNpzCsr(readFileSync('s_adj_mat.npz'), 's_adj_mat.npz');
 * m.numRows; // e.g. 27402
 * ```
 */
export function parseNpzCsr(bytes: Uint8Array, source = '.npz'): CsrMatrix {
  let zip = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      zip = gunzipSync(bytes);
    } catch (error) {
      throw new Error(`${source}: gzip data is corrupt (${(error as Error).message})`, { cause: error });
    }
  }
  if (zip.length < 4 || zip[0] !== 0x50 || zip[1] !== 0x4b) {
    throw new Error(`${source}: not a .npz file (expected a zip archive, optionally gzipped)`);
  }
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(zip);
  } catch (error) {
    throw new Error(`${source}: the zip archive is corrupt (${(error as Error).message})`, { cause: error });
  }
  const member = (name: string): Uint8Array => {
    const data = members[`${name}.npy`];
    if (data === undefined) {
      throw new Error(
        `${source}: no member ${name}.npy (it holds ${Object.keys(members).join(', ') || 'nothing'}); ` +
          'expected a matrix saved by scipy.sparse.save_npz',
      );
    }
    return data;
  };
  /** A 1-d numeric member; integers are required where `integer` is set. */
  const vector = (name: string, integer: boolean): Int32Array | Float32Array => {
    const where = `${source}: member ${name}.npy`;
    const array = parseNpy(member(name), where);
    if (array.shape.length !== 1) {
      throw new Error(`${where}: shape (${array.shape.join(', ')}); expected a 1-d array`);
    }
    if (integer && array.kind !== 'int32') {
      throw new Error(`${where}: dtype '${array.descr}' is not an integer type (expected <i4 or <i8)`);
    }
    return array.data;
  };

  const format = parseNpyString(member('format'), `${source}: member format.npy`);
  if (format !== 'csr') {
    throw new Error(`${source}: member format.npy says '${format}'; expected 'csr' (convert with matrix.tocsr() before saving)`);
  }
  const shape = vector('shape', true);
  if (shape.length !== 2 || shape[0] < 0 || shape[1] < 0) {
    throw new Error(`${source}: member shape.npy is [${Array.from(shape).join(', ')}]; expected [rows, columns]`);
  }
  const numRows = shape[0];
  const numCols = shape[1];
  const indptr = vector('indptr', true) as Int32Array;
  const indices = vector('indices', true) as Int32Array;
  const values = vector('data', false);
  const data = values instanceof Float32Array ? values : Float32Array.from(values);

  if (indptr.length !== numRows + 1) {
    throw new Error(`${source}: member indptr.npy has ${indptr.length} entries; expected rows + 1 = ${numRows + 1}`);
  }
  if (data.length !== indices.length) {
    throw new Error(`${source}: member data.npy has ${data.length} entries but indices.npy has ${indices.length}`);
  }
  if (indptr[0] !== 0 || indptr[numRows] !== indices.length) {
    throw new Error(
      `${source}: member indptr.npy runs ${indptr[0]} … ${indptr[numRows]}; expected 0 … nnz = ${indices.length}`,
    );
  }
  for (let r = 0; r < numRows; r++) {
    if (indptr[r + 1] < indptr[r]) {
      throw new Error(`${source}: member indptr.npy decreases at row ${r} (${indptr[r]} → ${indptr[r + 1]})`);
    }
  }
  for (let p = 0; p < indices.length; p++) {
    const column = indices[p];
    if (column < 0 || column >= numCols) {
      throw new Error(`${source}: member indices.npy element ${p} = ${column} is outside [0, columns = ${numCols})`);
    }
  }
  return { numRows, numCols, indptr, indices, data };
}
