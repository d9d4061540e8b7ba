import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readNpy } from './npy-file.js';
import { parseNpy } from './npy.js';

/**
 * A .npy file as numpy.save writes it: magic, version, header length, the header dict
 * padded with spaces to a multiple of 64 bytes and ended by a newline, then `data`.
 */
function npyBytes(
  descr: string,
  shape: readonly number[],
  data: Uint8Array,
  options: { version?: 1 | 2 | 3; fortran?: boolean; header?: string } = {},
): Uint8Array {
  const version = options.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = options.header ?? `{'descr': '${descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const preamble = version === 1 ? 10 : 12;
  const total = Math.ceil((preamble + header.length + 1) / 64) * 64;
  header = header.padEnd(total - preamble - 1, ' ') + '\n';
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(preamble + headerBytes.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerBytes.length, true);
  else view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, preamble);
  out.set(data, preamble + headerBytes.length);
  return out;
}

const bytesOf = (array: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }): Uint8Array =>
  new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

describe('parseNpy', () => {
  it('reads a version 1.0 <f4 matrix in C order', () => {
    const values = Float32Array.of(1, 2.5, -3, 4, 5, 6);
    const array = parseNpy(npyBytes('<f4', [2, 3], bytesOf(values)), 'm.npy');
    expect(array.kind).toBe('float32');
    expect(array.descr).toBe('<f4');
    expect(array.shape).toEqual([2, 3]);
    expect([...array.data]).toEqual([1, 2.5, -3, 4, 5, 6]);
  });

  it('reads version 2.0 and 3.0 headers (uint32 length; UTF-8 in 3.0)', () => {
    const values = Float32Array.of(7, 8);
    for (const version of [2, 3] as const) {
      const array = parseNpy(npyBytes('<f4', [2], bytesOf(values), { version }), `v${version}.npy`);
      expect(array.shape).toEqual([2]);
      expect([...array.data]).toEqual([7, 8]);
    }
  });

  it('converts <f2 (IEEE half) exactly, subnormals, infinities and NaN included', () => {
    const halves = Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x3555);
    const array = parseNpy(npyBytes('<f2', [9], bytesOf(halves)), 'h.npy');
    expect(array.kind).toBe('float32');
    const d = [...array.data];
    expect(d.slice(0, 6)).toEqual([1, -2, 65504, 2 ** -24, Infinity, -Infinity]);
    expect(Number.isNaN(d[6])).toBe(true);
    expect(Object.is(d[7], -0)).toBe(true);
    expect(d[8]).toBeCloseTo(1 / 3, 3);
  });

  it('narrows <f8 to float32 and rejects a value outside float32 range, naming its position', () => {
    const ok = parseNpy(npyBytes('<f8', [2, 2], bytesOf(Float64Array.of(0.1, -1e30, Infinity, 3))), 'd.npy');
    expect(ok.kind).toBe('float32');
    expect([...ok.data]).toEqual([Math.fround(0.1), Math.fround(-1e30), Infinity, 3]);
    expect(() => parseNpy(npyBytes('<f8', [2, 2], bytesOf(Float64Array.of(0, 0, 0, 1e39))), 'd.npy')).toThrow(
      /d\.npy: element \(1, 1\) = 1e\+39 is outside float32's range/,
    );
  });

  it('reads <i4 and <i8 as int32, rejecting an int64 that does not fit', () => {
    const i4 = parseNpy(npyBytes('<i4', [3], bytesOf(Int32Array.of(-5, 0, 2147483647))), 'i.npy');
    expect(i4.kind).toBe('int32');
    expect([...i4.data]).toEqual([-5, 0, 2147483647]);
    const i8 = parseNpy(npyBytes('<i8', [3], bytesOf(BigInt64Array.of(-2147483648n, 7n, 2147483647n))), 'l.npy');
    expect(i8.kind).toBe('int32');
    expect([...i8.data]).toEqual([-2147483648, 7, 2147483647]);
    expect(() => parseNpy(npyBytes('<i8', [1, 2], bytesOf(BigInt64Array.of(1n, 2147483648n))), 'l.npy')).toThrow(
      /l\.npy: element \(0, 1\) = 2147483648 does not fit int32/,
    );
  });

  it('reads big-endian data', () => {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setFloat32(0, 1.5, false);
    new DataView(data.buffer).setFloat32(4, -2, false);
    expect([...parseNpy(npyBytes('>f4', [2], data), 'be.npy').data]).toEqual([1.5, -2]);
  });

  it('reads an array whose bytes start at an odd offset of a larger buffer', () => {
    const file = npyBytes('<f4', [2], bytesOf(Float32Array.of(3, 4)));
    const padded = new Uint8Array(file.length + 1);
    padded.set(file, 1);
    expect([...parseNpy(padded.subarray(1), 'odd.npy').data]).toEqual([3, 4]);
  });

  it('rejects Fortran order with a clear message', () => {
    expect(() => parseNpy(npyBytes('<f4', [2, 2], new Uint8Array(16), { fortran: true }), 'f.npy')).toThrow(
      /f\.npy: the array is stored in Fortran \(column-major\) order.*only C order is read/,
    );
  });

  it('rejects truncated data, naming the file and the sizes', () => {
    const file = npyBytes('<f4', [4, 2], new Uint8Array(32));
    expect(() => parseNpy(file.subarray(0, file.length - 5), 'cut.npy')).toThrow(
      /cut\.npy: the data holds 27 bytes but shape \(4, 2\) of <f4 needs 32; the file is truncated/,
    );
    expect(() => parseNpy(file.subarray(0, 40), 'cut.npy')).toThrow(/cut\.npy: .*header.*truncated/);
  });

  it('rejects trailing bytes, a bad magic, an unknown version, an unsupported dtype and a structured dtype', () => {
    expect(() => parseNpy(npyBytes('<f4', [1], new Uint8Array(8)), 'long.npy')).toThrow(/long\.npy: .*4 bytes too many/);
    expect(() => parseNpy(new TextEncoder().encode('PK\x03\x04 not npy'), 'zip.npy')).toThrow(/zip\.npy: not a \.npy file/);
    const v9 = npyBytes('<f4', [1], new Uint8Array(4));
    v9[6] = 9;
    expect(() => parseNpy(v9, 'v9.npy')).toThrow(/v9\.npy: \.npy format version 9\.0 is not supported/);
    expect(() => parseNpy(npyBytes('|O', [1], new Uint8Array(8)), 'obj.npy')).toThrow(/obj\.npy: dtype "\|O" is not supported/);
    expect(() =>
      parseNpy(npyBytes('', [1], new Uint8Array(8), { header: "{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (1,), }" }), 's.npy'),
    ).toThrow(/s\.npy: header field 'descr' is a structured dtype/);
    expect(() => parseNpy(npyBytes('', [1], new Uint8Array(4), { header: "{'descr': '<f4', 'fortran_order': False, }" }), 'ns.npy')).toThrow(
      /ns\.npy: the \.npy header has no 'shape' tuple/,
    );
  });

  it('reads a 0-d array and an empty array', () => {
    const scalar = parseNpy(npyBytes('<f4', [], bytesOf(Float32Array.of(9))), 's.npy');
    expect(scalar.shape).toEqual([]);
    expect([...scalar.data]).toEqual([9]);
    const empty = parseNpy(npyBytes('<i4', [0, 3], new Uint8Array(0)), 'e.npy');
    expect(empty.shape).toEqual([0, 3]);
    expect(empty.data.length).toBe(0);
  });
});

describe('readNpy', () => {
  it('reads .npy and gunzips .npy.gz, and names the file of a corrupt gzip stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-npy-'));
    const file = npyBytes('<f4', [2, 2], bytesOf(Float32Array.of(1, 2, 3, 4)), { version: 2 });
    writeFileSync(join(dir, 'a.npy'), file);
    writeFileSync(join(dir, 'a.npy.gz'), gzipSync(file));
    expect([...(await readNpy(join(dir, 'a.npy'))).data]).toEqual([1, 2, 3, 4]);
    const gz = await readNpy(join(dir, 'a.npy.gz'));
    expect(gz.shape).toEqual([2, 2]);
    expect([...gz.data]).toEqual([1, 2, 3, 4]);

    const gzipped = gzipSync(file);
    writeFileSync(join(dir, 'cut.npy.gz'), gzipped.subarray(0, gzipped.length - 20));
    await expect(readNpy(join(dir, 'cut.npy.gz'))).rejects.toThrow(`${join(dir, 'cut.npy.gz')}: the gzip stream is corrupt or truncated`);
    await expect(readNpy(join(dir, 'missing.npy'))).rejects.toThrow(`readNpy: cannot read ${join(dir, 'missing.npy')}`);
  });
});
