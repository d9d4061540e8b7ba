import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readNpzCsr } from './npz-file.js';
import { parseNpzCsr } from './npz.js';

/**
 * Written by SciPy 1.17.1 / NumPy 2.4.6:
 * `save_npz(f, csr_matrix(np.array([[0,1,0,2],[0,0,0,0],[3,0,0,0]], dtype=np.float32)))`
 * (deflated zip64 members, int32 indices, float32 data, format as `|S3`).
 */
const SCIPY_COMPRESSED =
  'UEsDBC0AAAAIAAAAIQCbbzTa//////////8LABQAaW5kaWNlcy5ucHkBABAAjAAAAAAAAABMAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TaaKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GsY6mjoKtQoUAC5GBgYGZgYIAABQSwMELQAAAAgAAAAhAA6mgKP//////////woAFABpbmRwdHIubnB5AQAQAJAAAAAAAAAATAAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuk2mirqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RomOpo6CrUKFAAuBiBggmJmIAYAUEsDBC0AAAAIAAAAIQCjw3SX//////////8KABQAZm9ybWF0Lm5weQEAEACDAAAAAAAAAEUAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgXhNsrK6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkamjoKtQoUAa7k4iIAUEsDBC0AAAAIAAAAIQDo0NOo//////////8JABQAc2hhcGUubnB5AQAQAJAAAAAAAAAASgAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuk2mhrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RpGOpo6CrUKFAAuZgYIYIHSAFBLAwQtAAAACAAAACEAd6ZA0f//////////CAAUAGRhdGEubnB5AQAQAIwAAAAAAAAATwAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuk2airqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RrGOpo6CrUKFAAuBoYGewYGBgcgcgAAUEsBAi0DLQAAAAgAAAAhAJtvNNpMAAAAjAAAAAsAAAAAAAAAAAAAAIABAAAAAGluZGljZXMubnB5UEsBAi0DLQAAAAgAAAAhAA6mgKNMAAAAkAAAAAoAAAAAAAAAAAAAAIABiQAAAGluZHB0ci5ucHlQSwECLQMtAAAACAAAACEAo8N0l0UAAACDAAAACgAAAAAAAAAAAAAAgAERAQAAZm9ybWF0Lm5weVBLAQItAy0AAAAIAAAAIQDo0NOoSgAAAJAAAAAJAAAAAAAAAAAAAACAAZIBAABzaGFwZS5ucHlQSwECLQMtAAAACAAAACEAd6ZA0U8AAACMAAAACAAAAAAAAAAAAAAAgAEXAgAAZGF0YS5ucHlQSwUGAAAAAAUABQAWAQAAoAIAAAAA';

/**
 * Written by SciPy 1.17.1 with `compressed=False` from
 * `csr_matrix(np.array([[0,0,5],[7,0,0]], dtype=np.float64))` after casting its
 * `indices` and `indptr` to int64 (what SciPy stores for large matrices).
 */
const SCIPY_STORED_INT64 =
  'UEsDBC0AAAAAAAAAIQCDT/GC//////////8LABQAaW5kaWNlcy5ucHkBABAAkAAAAAAAAACQAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxpOCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAgAAAAAAAAAAAAAAAAAAAFBLAwQtAAAAAAAAACEA90AS6v//////////CgAUAGluZHB0ci5ucHkBABAAmAAAAAAAAACYAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxpOCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgzLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAAAAAAAAAABAAAAAAAAAAIAAAAAAAAAUEsDBC0AAAAAAAAAIQCjw3SX//////////8KABQAZm9ybWF0Lm5weQEAEACDAAAAAAAAAIMAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3InOiAnfFMzJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIApjc3JQSwMELQAAAAAAAAAhAGBIfgz//////////wkAFABzaGFwZS5ucHkBABAAkAAAAAAAAACQAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxpOCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAgAAAAAAAAADAAAAAAAAAFBLAwQtAAAAAAAAACEANqfOSP//////////CAAUAGRhdGEubnB5AQAQAJAAAAAAAAAAkAAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgAAAAAAABRAAAAAAAAAHEBQSwECLQMtAAAAAAAAACEAg0/xgpAAAACQAAAACwAAAAAAAAAAAAAAgAEAAAAAaW5kaWNlcy5ucHlQSwECLQMtAAAAAAAAACEA90AS6pgAAACYAAAACgAAAAAAAAAAAAAAgAHNAAAAaW5kcHRyLm5weVBLAQItAy0AAAAAAAAAIQCjw3SXgwAAAIMAAAAKAAAAAAAAAAAAAACAAaEBAABmb3JtYXQubnB5UEsBAi0DLQAAAAAAAAAhAGBIfgyQAAAAkAAAAAkAAAAAAAAAAAAAAIABYAIAAHNoYXBlLm5weVBLAQItAy0AAAAAAAAAIQA2p85IkAAAAJAAAAAIAAAAAAAAAAAAAACAASsDAABkYXRhLm5weVBLBQYAAAAABQAFABYBAAD1AwAAAAA=';

const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/** A `.npy` member as NumPy lays it out: magic, version, header padded to 64 bytes, raw values. */
function npy(
  descr: string,
  shape: readonly number[],
  values: ArrayBufferView,
  { version = 1, fortran = false }: { version?: 1 | 2; fortran?: boolean } = {},
): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${tuple}, }`;
  const prefix = version === 1 ? 10 : 12;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const header = new TextEncoder().encode(dict.padEnd(total - prefix - 1, ' ') + '\n');
  const payload = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(prefix + header.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, prefix);
  out.set(payload, prefix + header.length);
  return out;
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The members of a CSR `.npz` for the 2 × 3 matrix [[0, 0, 5], [7, 0, 0]], each replaceable. */
function csrMembers(overrides: Record<string, Uint8Array | undefined> = {}): Record<string, Uint8Array> {
  const members: Record<string, Uint8Array | undefined> = {
    'format.npy': npy('|S3', [], ascii('csr')),
    'shape.npy': npy('<i8', [2], BigInt64Array.of(2n, 3n)),
    'indptr.npy': npy('<i4', [3], Int32Array.of(0, 1, 2)),
    'indices.npy': npy('<i4', [2], Int32Array.of(2, 0)),
    'data.npy': npy('<f4', [2], Float32Array.of(5, 7)),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(members).filter((e): e is [string, Uint8Array] => e[1] !== undefined));
}

const npz = (overrides: Record<string, Uint8Array | undefined> = {}): Uint8Array => zipSync(csrMembers(overrides));

describe('parseNpzCsr', () => {
  it('reads a compressed .npz written by scipy.sparse.save_npz', () => {
    const m = parseNpzCsr(fromBase64(SCIPY_COMPRESSED), 'fixture.npz');
    expect([m.numRows, m.numCols]).toEqual([3, 4]);
    expect(Array.from(m.indptr)).toEqual([0, 2, 2, 3]);
    expect(Array.from(m.indices)).toEqual([1, 3, 0]);
    expect(m.data).toBeInstanceOf(Float32Array);
    expect(Array.from(m.data)).toEqual([1, 2, 3]);
  });

  it('reads a stored .npz with int64 indices and float64 data', () => {
    const m = parseNpzCsr(fromBase64(SCIPY_STORED_INT64), 'fixture.npz');
    expect([m.numRows, m.numCols]).toEqual([2, 3]);
    expect(Array.from(m.indptr)).toEqual([0, 1, 2]);
    expect(Array.from(m.indices)).toEqual([2, 0]);
    expect(Array.from(m.data)).toEqual([5, 7]);
  });

  it('reads a gzipped .npz, npy format 2.0 members, integer data and a <U3 format string', () => {
    const bytes = npz({
      'format.npy': npy('<U3', [], Uint32Array.of(0x63, 0x73, 0x72)),
      'indices.npy': npy('<i4', [2], Int32Array.of(2, 0), { version: 2 }),
      'data.npy': npy('<i8', [2], BigInt64Array.of(1n, 1n)),
    });
    const m = parseNpzCsr(gzipSync(bytes), 'graph.npz.gz');
    expect(Array.from(m.indices)).toEqual([2, 0]);
    expect(Array.from(m.data)).toEqual([1, 1]);
  });

  it('names the archive and what was expected when it is not a .npz', () => {
    expect(() => parseNpzCsr(ascii('hello'), 'x.npz')).toThrow('x.npz: not a .npz file (expected a zip archive');
    const gz = gzipSync(npz());
    expect(() => parseNpzCsr(gz.subarray(0, gz.length - 12), 'x.npz.gz')).toThrow('x.npz.gz: gzip data is corrupt');
    expect(() => parseNpzCsr(npz({ 'data.npy': undefined }), 'x.npz')).toThrow(
      'x.npz: no member data.npy (it holds format.npy, shape.npy, indptr.npy, indices.npy); expected a matrix saved by scipy.sparse.save_npz',
    );
    expect(() => parseNpzCsr(npz({ 'format.npy': npy('|S3', [], ascii('csc')) }), 'x.npz')).toThrow(
      "x.npz: member format.npy says 'csc'; expected 'csr'",
    );
  });

  it('rejects .npy members it cannot read, naming the member', () => {
    const bad = (member: string, bytes: Uint8Array): (() => unknown) => () => parseNpzCsr(npz({ [member]: bytes }), 'x.npz');
    expect(bad('indices.npy', ascii('not an array'))).toThrow('x.npz: member indices.npy: not a .npy file');
    expect(bad('indices.npy', npy('<c8', [2], Float32Array.of(2, 0, 1, 0)))).toThrow(
      'x.npz: member indices.npy: dtype "<c8" is not supported',
    );
    expect(bad('indices.npy', npy('<i4', [1, 2], Int32Array.of(2, 0)))).toThrow(
      'x.npz: member indices.npy: shape (1, 2); expected a 1-d array',
    );
    expect(bad('indices.npy', npy('<i4', [3], Int32Array.of(2, 0)))).toThrow(
      'x.npz: member indices.npy: the data holds 8 bytes but shape (3) of <i4 needs 12; the file is truncated',
    );
    expect(bad('indices.npy', npy('<f4', [2], Float32Array.of(2, 0)))).toThrow(
      "x.npz: member indices.npy: dtype '<f4' is not an integer type (expected <i4 or <i8)",
    );
    expect(bad('indices.npy', npy('<i8', [2], BigInt64Array.of(2n, 1n << 40n)))).toThrow(
      'x.npz: member indices.npy: element (1) = 1099511627776 does not fit int32',
    );
    expect(bad('format.npy', npy('<i4', [1], Int32Array.of(1)))).toThrow(
      "x.npz: member format.npy: header \"{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }\"; expected a 0-d string",
    );
  });

  it('checks the CSR invariants', () => {
    const bad = (overrides: Record<string, Uint8Array>): (() => unknown) => () => parseNpzCsr(npz(overrides), 'x.npz');
    expect(bad({ 'indptr.npy': npy('<i4', [2], Int32Array.of(0, 2)) })).toThrow(
      'x.npz: member indptr.npy has 2 entries; expected rows + 1 = 3',
    );
    expect(bad({ 'indptr.npy': npy('<i4', [3], Int32Array.of(0, 2, 1)) })).toThrow(
      'x.npz: member indptr.npy runs 0 … 1; expected 0 … nnz = 2',
    );
    expect(bad({ 'indptr.npy': npy('<i4', [3], Int32Array.of(0, 3, 2)) })).toThrow(
      'x.npz: member indptr.npy decreases at row 1 (3 → 2)',
    );
    expect(bad({ 'indices.npy': npy('<i4', [2], Int32Array.of(3, 0)) })).toThrow(
      'x.npz: member indices.npy element 0 = 3 is outside [0, columns = 3)',
    );
    expect(bad({ 'data.npy': npy('<f4', [1], Float32Array.of(5)) })).toThrow(
      'x.npz: member data.npy has 1 entries but indices.npy has 2',
    );
    expect(bad({ 'shape.npy': npy('<i8', [3], BigInt64Array.of(2n, 3n, 1n)) })).toThrow(
      'x.npz: member shape.npy is [2, 3, 1]; expected [rows, columns]',
    );
  });
});

describe('readNpzCsr', () => {
  it('reads a .npz.gz file and names a missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-npz-'));
    const path = join(dir, 's_adj_mat.npz.gz');
    writeFileSync(path, gzipSync(fromBase64(SCIPY_COMPRESSED)));
    const m = await readNpzCsr(path);
    expect(Array.from(m.indices)).toEqual([1, 3, 0]);
    await expect(readNpzCsr(join(dir, 'absent.npz'))).rejects.toThrow(`readNpzCsr: cannot read ${join(dir, 'absent.npz')}`);
  });
});
