import { describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  readLittleEndian,
  SafetensorsError,
  writeLittleEndian,
  type NamedArray,
} from './safetensors.js';

/** Bytes of a string whose characters are all below U+0100, like a Python `b'...'` literal. */
function latin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => {
    const code = c.charCodeAt(0);
    if (code > 0xff) throw new Error(`not a byte: ${c}`);
    return code;
  });
}

/** A file with `header` as its header (no padding added) and `data` as its byte buffer. */
function craft(header: string | Uint8Array, data: ArrayLike<number> = [], declaredSize?: bigint): Uint8Array {
  const json = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declaredSize ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function decodeError(bytes: Uint8Array): string {
  try {
    decodeSafetensors(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(SafetensorsError);
    return (err as Error).message;
  }
  throw new Error('decodeSafetensors did not throw');
}

function encodeError(tensors: Record<string, unknown>, metadata?: unknown): string {
  try {
    encodeSafetensors(tensors as Record<string, NamedArray>, metadata as Record<string, string>);
  } catch (err) {
    expect(err).toBeInstanceOf(SafetensorsError);
    return (err as Error).message;
  }
  throw new Error('encodeSafetensors did not throw');
}

const f32 = (shape: number[], values: number[]): NamedArray => ({ dtype: 'f32', shape, data: new Float32Array(values) });
const i32 = (shape: number[], values: number[]): NamedArray => ({ dtype: 'i32', shape, data: new Int32Array(values) });
const u32 = (shape: number[], values: number[]): NamedArray => ({ dtype: 'u32', shape, data: new Uint32Array(values) });

/** A valid one-tensor I32 header, for the error tests to mutate. */
const I32_2x2 = '{"t":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';

describe('known vectors from the reference implementation', () => {
  it('matches test_serialization of the Python bindings byte for byte', () => {
    // Source: huggingface/safetensors, bindings/python/tests/test_simple.py,
    // TestCase.test_serialization (commit 641c66423000636c852fcbf5fe1715ab40fc90fc):
    //   data = np.zeros((2, 2), dtype=np.int32); data[1, 1] = 1; out = save({"test": data})
    //   b'@\x00\x00\x00\x00\x00\x00\x00{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}   '
    //   b" \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00"
    // The 60-byte JSON is padded with 4 spaces to 64 ('@').
    const expected = latin1(
      '@\x00\x00\x00\x00\x00\x00\x00{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}   ' +
        ' \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00',
    );
    const out = encodeSafetensors({ test: i32([2, 2], [0, 0, 0, 1]) });
    expect(out).toEqual(expected);
    expect(decodeSafetensors(expected).tensors).toEqual({ test: i32([2, 2], [0, 0, 0, 1]) });
  });

  it('matches test_serialization_metadata of the Python bindings byte for byte', () => {
    // Source: huggingface/safetensors, bindings/python/tests/test_simple.py,
    // TestCase.test_serialization_metadata (commit 641c66423000636c852fcbf5fe1715ab40fc90fc):
    //   save({"test1": np.zeros((2, 2), dtype=np.int32)}, metadata={"framework": "pt"})
    //   b'`\x00\x00\x00\x00\x00\x00\x00{"__metadata__":{"framework":"pt"},"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}'
    //   b" \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    // __metadata__ comes first; the 95-byte JSON gets one space to reach 96 ('`').
    const expected = latin1(
      '`\x00\x00\x00\x00\x00\x00\x00{"__metadata__":{"framework":"pt"},"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}' +
        ' \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00',
    );
    const out = encodeSafetensors({ test1: i32([2, 2], [0, 0, 0, 0]) }, { framework: 'pt' });
    expect(out).toEqual(expected);
    expect(decodeSafetensors(expected)).toEqual({ tensors: { test1: i32([2, 2], [0, 0, 0, 0]) }, metadata: { framework: 'pt' } });
  });

  it('matches test_serialization of the Rust crate (F32, no padding needed) byte for byte', () => {
    // Source: huggingface/safetensors, safetensors/src/tensor.rs, tests::test_serialization:
    //   "attn.0": F32, shape [1, 2, 3], data 0.0..5.0 as little-endian f32; serialize(&metadata, &None)
    // The JSON is exactly 64 bytes, so no spaces are added.
    const expected = Uint8Array.from([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
      116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
      58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
      101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
      0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
    expect(encodeSafetensors({ 'attn.0': f32([1, 2, 3], [0, 1, 2, 3, 4, 5]) })).toEqual(expected);
  });

  it('matches test_serialization_forced_alignement of the Rust crate (7 spaces of padding) byte for byte', () => {
    // Source: huggingface/safetensors, safetensors/src/tensor.rs, tests::test_serialization_forced_alignement:
    //   "attn0": F32, shape [1, 1, 2, 3], data 0.0..5.0; "All the 32 are forcing alignement of the tensor data".
    const expected = Uint8Array.from([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
      121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
      91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
      115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
      32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
      160, 64,
    ]);
    expect(encodeSafetensors({ attn0: f32([1, 1, 2, 3], [0, 1, 2, 3, 4, 5]) })).toEqual(expected);
  });

  it('matches test_empty of the Rust crate, with and without metadata', () => {
    // Source: huggingface/safetensors, safetensors/src/tensor.rs, tests::test_empty:
    //   serialize(&{}, &None)  == [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]
    //   serialize(&{}, &Some({"framework": "pt"})) == [40, 0, ..., 125, 125, 32, 32, 32, 32, 32]
    expect(encodeSafetensors({})).toEqual(Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]));
    expect(encodeSafetensors({}, { framework: 'pt' })).toEqual(
      Uint8Array.from([
        40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
        95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
        116, 34, 125, 125, 32, 32, 32, 32, 32,
      ]),
    );
    expect(decodeSafetensors(encodeSafetensors({}))).toEqual({ tensors: {}, metadata: {} });
  });

  it('decodes the unpadded header of test_deserialization (older writers did not pad)', () => {
    // Source: huggingface/safetensors, bindings/python/tests/test_simple.py, TestCase.test_deserialization:
    //   b"""<\x00\x00\x00\x00\x00\x00\x00{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}\x00...\x00"""
    // A 60-byte header ('<'), not a multiple of 8: padding is a writer convention, not a reader requirement.
    const serialized = latin1(
      '<\x00\x00\x00\x00\x00\x00\x00{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}' + '\x00'.repeat(16),
    );
    expect(decodeSafetensors(serialized)).toEqual({ tensors: { test: i32([2, 2], [0, 0, 0, 0]) }, metadata: {} });
  });

  it('decodes the metadata of test_deserialization_metadata (102-byte header, 7 spaces)', () => {
    // Source: huggingface/safetensors, bindings/python/tests/test_simple.py, TestCase.test_deserialization_metadata.
    const serialized = latin1(
      'f\x00\x00\x00\x00\x00\x00\x00{"__metadata__":{"framework":"pt"},"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}' +
        '       ' + '\x00'.repeat(16),
    );
    expect(decodeSafetensors(serialized)).toEqual({ tensors: { test1: i32([2, 2], [0, 0, 0, 0]) }, metadata: { framework: 'pt' } });
  });

  it('reports the F16 tensor of test_serialization_forces_alignment as not supported yet', () => {
    // Source: huggingface/safetensors, bindings/python/tests/test_simple.py,
    // TestCase.test_serialization_forces_alignment: an I32 and an F16 tensor, 128-byte header.
    const serialized = latin1(
      '\x80\x00\x00\x00\x00\x00\x00\x00{"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]},"test2":{"dtype":"F16","shape":[2,2],"data_offsets":[16,24]}}' +
        '      ' + '\x00'.repeat(24),
    );
    const message = decodeError(serialized);
    expect(message).toContain('tensor "test2"');
    expect(message).toContain('F16');
    expect(message).toContain('not supported by @rec yet');
    expect(message).toContain('F32, I32 and U32');
  });
});

describe('encodeSafetensors layout', () => {
  it('writes a header that parses by hand: u64 LE size, compact JSON, space padding, sorted contiguous offsets', () => {
    const tensors: Record<string, NamedArray> = {
      'b.idx': i32([3], [-1, 0, 2147483647]),
      'a.idx': i32([1], [-2147483648]),
      'z.weight': f32([2, 2], [1.5, -2, 0, 3.25]),
      'a.weight': f32([3], [1, 2, 3]),
      'counts': u32([2], [0, 4294967295]),
      'empty': f32([0, 4], []),
      'scalar': u32([], [7]),
    };
    const out = encodeSafetensors(tensors, { 'z key': 'last', 'a key': 'first, with "quotes" and\nnewline' });

    const n = new DataView(out.buffer, out.byteOffset).getBigUint64(0, true);
    expect(n % 8n).toBe(0n);
    const headerSize = Number(n);
    const text = new TextDecoder().decode(out.subarray(8, 8 + headerSize));
    const json = text.trimEnd();
    const padding = text.slice(json.length);
    expect(padding).toMatch(/^ {0,7}$/);
    expect(json.startsWith('{') && json.endsWith('}')).toBe(true);
    // Compact like serde_json: re-serializing the parsed header without spaces gives the same text.
    const header = JSON.parse(json) as Record<string, unknown>;
    expect(JSON.stringify(header)).toBe(json);

    // __metadata__ first, then dtype descending in the reference's enum order
    // (F32 > U32 > I32), then name.
    expect(Object.keys(header)).toEqual(['__metadata__', 'a.weight', 'empty', 'z.weight', 'counts', 'scalar', 'a.idx', 'b.idx']);
    expect(header['__metadata__']).toEqual({ 'a key': 'first, with "quotes" and\nnewline', 'z key': 'last' });

    let cursor = 0;
    const bufferStart = 8 + headerSize;
    for (const [name, value] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const entry = value as { dtype: string; shape: number[]; data_offsets: [number, number] };
      expect(Object.keys(entry)).toEqual(['dtype', 'shape', 'data_offsets']);
      const [begin, end] = entry.data_offsets;
      expect(begin).toBe(cursor);
      expect(begin % 4).toBe(0);
      expect(entry.shape).toEqual([...tensors[name]!.shape]);
      expect(entry.dtype).toBe(tensors[name]!.dtype.toUpperCase());
      // The bytes at the offsets are the tensor's values, little-endian.
      const view = new DataView(out.buffer, out.byteOffset + bufferStart + begin, end - begin);
      const t = tensors[name]!;
      for (let i = 0; i < t.data.length; i++) {
        const got = t.dtype === 'f32' ? view.getFloat32(4 * i, true) : t.dtype === 'i32' ? view.getInt32(4 * i, true) : view.getUint32(4 * i, true);
        expect(got).toBe(t.data[i]);
      }
      cursor = end;
    }
    expect(bufferStart + cursor).toBe(out.length);
  });

  it('does not depend on the insertion order of the tensors', () => {
    const a = encodeSafetensors({ x: f32([1], [1]), y: i32([1], [2]), '10': u32([1], [3]), '9': u32([1], [4]) });
    const b = encodeSafetensors({ '9': u32([1], [4]), y: i32([1], [2]), '10': u32([1], [3]), x: f32([1], [1]) });
    expect(a).toEqual(b);
  });

  it('orders names by UTF-8 bytes like Rust, not by UTF-16 code units', () => {
    // U+FFFD is EF BF BD in UTF-8 and sorts before U+1F600 (F0 9F 98 80), although
    // its UTF-16 unit 0xFFFD sorts after the surrogate 0xD83D.
    const out = encodeSafetensors({ '\u{1F600}': f32([1], [1]), '\uFFFD': f32([1], [2]) });
    const { tensors } = decodeSafetensors(out);
    expect(Object.keys(tensors)).toEqual(['\uFFFD', '\u{1F600}']);
    expect(tensors['\uFFFD']!.data).toEqual(new Float32Array([2]));
  });

  it('writes only the viewed elements of a typed array that is a view into a larger buffer', () => {
    const backing = new Float32Array([9, 9, 1, 2, 3, 9]);
    const view = backing.subarray(2, 5);
    const out = encodeSafetensors({ w: { dtype: 'f32', shape: [3], data: view } });
    expect(decodeSafetensors(out).tensors['w']!.data).toEqual(new Float32Array([1, 2, 3]));
    expect(out).toEqual(encodeSafetensors({ w: f32([3], [1, 2, 3]) }));
  });

  it('writes an empty metadata map when one is given, and none when it is omitted, like the reference', () => {
    const header = (bytes: Uint8Array) => new TextDecoder().decode(bytes.subarray(8)).trimEnd();
    expect(header(encodeSafetensors({}, {}))).toBe('{"__metadata__":{}}');
    expect(header(encodeSafetensors({}))).toBe('{}');
    expect(header(encodeSafetensors({}, undefined))).toBe('{}');
  });
});

describe('round trip', () => {
  it('restores f32, i32 and u32 tensors, a scalar, empty tensors and metadata exactly', () => {
    const nanBits = new Float32Array(new Uint32Array([0x7fc00001, 0xffa00000]).buffer);
    const tensors: Record<string, NamedArray> = {
      'weights': f32([2, 3], [0.1, -0.2, 1e-30, 3.4e38, Infinity, -Infinity]),
      'signed_zero': f32([1], [-0]),
      'nan_payloads': { dtype: 'f32', shape: [2], data: nanBits },
      'ids': i32([2, 2], [-2147483648, -1, 0, 2147483647]),
      'counts': u32([3], [0, 1, 4294967295]),
      'scalar': f32([], [42.5]),
      'int_scalar': i32([], [-7]),
      'empty': f32([0], []),
      'empty_rows': i32([3, 0, 2], []),
      'empty_u': u32([2, 0], []),
      'unicode ñame 名前': f32([1], [1]),
    };
    Object.defineProperty(tensors, '__proto__', { value: u32([1], [5]), enumerable: true });
    const metadata = { format: 'pt', 'ключ': 'значение', empty: '', quote: '"\\\u0001' };

    const { tensors: back, metadata: backMeta } = decodeSafetensors(encodeSafetensors(tensors, metadata));
    expect(backMeta).toEqual(metadata);
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const got = back[name]!;
      expect(got.dtype).toBe(t.dtype);
      expect(got.shape).toEqual([...t.shape]);
      expect(got.data.constructor).toBe(t.data.constructor);
      // Compare bits, so -0 and NaN payloads count.
      expect(new Uint8Array(got.data.buffer, got.data.byteOffset, got.data.byteLength)).toEqual(
        new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      );
    }
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it('returns arrays that do not alias the input bytes, from an input that is itself a view', () => {
    const file = encodeSafetensors({ w: f32([2], [1, 2]) });
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    const input = padded.subarray(3);
    const { tensors } = decodeSafetensors(input);
    input.fill(0);
    expect(tensors['w']!.data).toEqual(new Float32Array([1, 2]));
  });

  it('encoding a decoded file gives the same bytes', () => {
    const file = encodeSafetensors({ a: f32([2], [1, 2]), b: i32([1], [3]), c: u32([], [4]) }, { k: 'v' });
    const { tensors, metadata } = decodeSafetensors(file);
    expect(encodeSafetensors(tensors, metadata)).toEqual(file);
  });
});

describe('byte order', () => {
  it('writes the same little-endian bytes on the big-endian path, NaN payloads included', () => {
    const words = new Uint32Array([0x01020304, 0x7fc00001, 0xffa00000, 0]);
    const floats = new Float32Array(words.buffer);
    const le = new Uint8Array(16);
    const be = new Uint8Array(16);
    writeLittleEndian(floats, le, 0, true);
    writeLittleEndian(floats, be, 0, false);
    expect(be).toEqual(le);
    expect(Array.from(le.subarray(0, 4))).toEqual([4, 3, 2, 1]);
  });

  it('reads the same values on the big-endian path, from an unaligned offset', () => {
    const src = Uint8Array.from([0xaa, 4, 3, 2, 1, 0xff, 0xff, 0xff, 0xff]);
    for (const hostIsLittleEndian of [true, false]) {
      expect(readLittleEndian('u32', src, 1, 2, hostIsLittleEndian)).toEqual(new Uint32Array([0x01020304, 0xffffffff]));
      expect(readLittleEndian('i32', src, 5, 1, hostIsLittleEndian)).toEqual(new Int32Array([-1]));
    }
    const nan = Uint8Array.from([0x01, 0x00, 0xc0, 0x7f]);
    const bits = (a: Float32Array | Int32Array | Uint32Array) => new Uint32Array(a.buffer)[0];
    expect(bits(readLittleEndian('f32', nan, 0, 1, false))).toBe(0x7fc00001);
    expect(bits(readLittleEndian('f32', nan, 0, 1, true))).toBe(0x7fc00001);
  });
});

describe('decodeSafetensors errors', () => {
  it('rejects a file shorter than the 8-byte size prefix', () => {
    expect(decodeError(new Uint8Array(0))).toMatch(/0 bytes long, shorter than the 8-byte header size prefix/);
    expect(decodeError(new Uint8Array(7))).toMatch(/7 bytes long/);
  });

  it('rejects a header size larger than the file', () => {
    expect(decodeError(craft('{}', [], 3n))).toMatch(/header size 3 .* larger than the 2 bytes that follow it in the 10-byte file/);
    expect(decodeError(craft('{}', [], 2n ** 64n - 1n))).toMatch(/header size 18446744073709551615/);
  });

  it('rejects a header that is not UTF-8', () => {
    expect(decodeError(craft(Uint8Array.from([0x7b, 0xff, 0x7d])))).toMatch(/header \(bytes 8\.\.11\) is not valid UTF-8/);
  });

  it('rejects a header that does not begin with {', () => {
    expect(decodeError(craft(' {}'))).toMatch(/must begin with '\{'/);
    expect(decodeError(craft('[]'))).toMatch(/must begin with '\{', found "\[\]"/);
    expect(decodeError(craft('\uFEFF{}'))).toMatch(/must begin with '\{'/);
  });

  it('rejects a header that is not valid JSON', () => {
    expect(decodeError(craft('{"t":'))).toMatch(/header \(bytes 8\.\.13\) is not valid JSON/);
    expect(decodeError(craft('{} x'))).toMatch(/not valid JSON/);
  });

  it('rejects duplicate tensor names and duplicate keys', () => {
    const twice = '{"t":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}';
    expect(decodeError(craft(twice, new Uint8Array(8)))).toMatch(/names tensor "t" more than once/);
    const escaped = '{"t":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"\\u0074":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}';
    expect(decodeError(craft(escaped, new Uint8Array(8)))).toMatch(/names tensor "t" more than once/);
    const meta = '{"__metadata__":{"k":"a","k":"b"}}';
    expect(decodeError(craft(meta))).toMatch(/repeats key "k" in __metadata__/);
    const field = '{"t":{"dtype":"I32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    expect(decodeError(craft(field, new Uint8Array(4)))).toMatch(/repeats key "dtype" in the entry for tensor "t"/);
    // Braces and quotes inside strings are not structure.
    const tricky = '{"a{\\"":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}';
    expect(decodeSafetensors(craft(tricky, new Uint8Array(8))).tensors).toHaveProperty(['a{"']);
  });

  it('rejects malformed __metadata__', () => {
    expect(decodeError(craft('{"__metadata__":[]}'))).toMatch(/__metadata__ must be an object of strings, got an array/);
    expect(decodeError(craft('{"__metadata__":{"epoch":3}}'))).toMatch(/__metadata__ "epoch" must be a string, got number 3/);
  });

  it('names the tensor and the supported dtypes for an unknown dtype', () => {
    const message = decodeError(craft('{"w":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)));
    expect(message).toMatch(/tensor "w" has unknown dtype "Q7": supported dtypes are F32, I32 and U32/);
    expect(decodeError(craft('{"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)))).toMatch(/unknown dtype "f32"/);
    expect(decodeError(craft('{"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)))).toMatch(/tensor "w" has dtype number 4/);
  });

  it.each(['F16', 'BF16', 'F64', 'I64', 'U8', 'BOOL'])('says that the safetensors dtype %s is not supported by @rec yet', (tag) => {
    const message = decodeError(craft(`{"w":{"dtype":"${tag}","shape":[1],"data_offsets":[0,8]}}`, new Uint8Array(8)));
    expect(message).toContain(`tensor "w" has dtype ${tag}, which is valid safetensors but not supported by @rec yet`);
    expect(message).toContain('supported dtypes are F32, I32 and U32');
  });

  it('rejects a tensor entry that is not an object or lacks a field', () => {
    expect(decodeError(craft('{"w":3}'))).toMatch(/header entry for tensor "w" must be an object/);
    expect(decodeError(craft('{"w":{"dtype":"F32","shape":[0]}}'))).toMatch(/header entry for tensor "w" is missing "data_offsets"/);
  });

  it('rejects invalid shapes and data_offsets', () => {
    const bad = (shape: string, offsets: string) => craft(`{"w":{"dtype":"F32","shape":${shape},"data_offsets":${offsets}}}`, new Uint8Array(4));
    expect(decodeError(bad('[-1]', '[0,4]'))).toMatch(/tensor "w" has invalid shape \[-1\]/);
    expect(decodeError(bad('[1.5]', '[0,4]'))).toMatch(/invalid shape \[1.5\]/);
    expect(decodeError(bad('"1"', '[0,4]'))).toMatch(/invalid shape "1"/);
    expect(decodeError(bad('[1]', '[0]'))).toMatch(/tensor "w" has invalid data_offsets \[0\]/);
    expect(decodeError(bad('[1]', '[0,4,8]'))).toMatch(/invalid data_offsets/);
    expect(decodeError(bad('[1]', '[-4,0]'))).toMatch(/invalid data_offsets/);
    expect(decodeError(bad('[1]', '[4,0]'))).toMatch(/data_offsets \[4, 0\] whose end is before its begin/);
  });

  it('rejects a shape whose size differs from the byte range', () => {
    expect(decodeError(craft('{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}}', new Uint8Array(16)))).toMatch(
      /tensor "w" has shape \[2, 3\] and dtype F32, which need 24 bytes, but its data_offsets \[0, 16\] span 16/,
    );
    // An element count past 2^53 must not round into a spurious match.
    const huge = `{"w":{"dtype":"F32","shape":[${2 ** 52},${2 ** 52}],"data_offsets":[0,0]}}`;
    expect(decodeError(craft(huge))).toMatch(/need 81129638414606681695789005144064 bytes/);
  });

  it('rejects offsets past the end of the data buffer', () => {
    expect(decodeError(craft(I32_2x2, new Uint8Array(12)))).toMatch(/tensor "t" has data_offsets \[0, 16\] past the end of the 12-byte data buffer/);
  });

  it('rejects overlapping offsets', () => {
    const header = '{"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[2],"data_offsets":[4,12]}}';
    expect(decodeError(craft(header, new Uint8Array(12)))).toMatch(/tensor "b" data_offsets \[4, 12\] overlap tensor "a" data_offsets \[0, 8\]/);
    const aliased = '{"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}';
    expect(decodeError(craft(aliased, new Uint8Array(8)))).toMatch(/overlap/);
    const inside = '{"a":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"I32","shape":[0],"data_offsets":[4,4]}}';
    expect(decodeError(craft(inside, new Uint8Array(8)))).toMatch(/tensor "e" data_offsets \[4, 4\] overlap tensor "a"/);
  });

  it('rejects holes and unindexed trailing bytes', () => {
    const hole = '{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"I32","shape":[1],"data_offsets":[8,12]}}';
    expect(decodeError(craft(hole, new Uint8Array(12)))).toMatch(/bytes 4\.\.8 of the data buffer \(before tensor "b"\) belong to no tensor/);
    const late = '{"a":{"dtype":"I32","shape":[1],"data_offsets":[4,8]}}';
    expect(decodeError(craft(late, new Uint8Array(8)))).toMatch(/bytes 0\.\.4 of the data buffer/);
    expect(decodeError(craft(I32_2x2, new Uint8Array(20)))).toMatch(/bytes 16\.\.20 at the end of the data buffer belong to no tensor/);
    expect(decodeError(craft('{}', new Uint8Array(1)))).toMatch(/bytes 0\.\.1 at the end/);
  });

  it('accepts entries in any header order and zero-size tensors sharing an offset', () => {
    const header =
      '{"b":{"dtype":"U32","shape":[1],"data_offsets":[4,8]},"e2":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},' +
      '"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]},"e1":{"dtype":"F32","shape":[2,0],"data_offsets":[8,8]}}';
    const { tensors } = decodeSafetensors(craft(header, [1, 0, 0, 0, 2, 0, 0, 0]));
    expect(tensors).toEqual({ a: i32([1], [1]), e2: f32([0], []), b: u32([1], [2]), e1: f32([2, 0], []) });
  });
});

describe('encodeSafetensors errors', () => {
  it('rejects data whose length does not match the shape', () => {
    expect(encodeError({ w: f32([2, 2], [1, 2, 3]) })).toMatch(/tensor "w" has shape \[2, 2\], which holds 4 elements, but its data has 3/);
    expect(encodeError({ s: f32([], []) })).toMatch(/tensor "s" has shape \[\], which holds 1 elements, but its data has 0/);
  });

  it('rejects non-integer, negative and non-finite dimensions', () => {
    expect(encodeError({ w: f32([1.5], [1]) })).toMatch(/tensor "w" has invalid dimension number 1.5 at axis 0/);
    expect(encodeError({ w: f32([1, -1], []) })).toMatch(/invalid dimension number -1 at axis 1/);
    expect(encodeError({ w: f32([NaN], []) })).toMatch(/invalid dimension number NaN/);
    expect(encodeError({ w: { dtype: 'f32', shape: ['2'], data: new Float32Array(2) } })).toMatch(/invalid dimension the string "2"/);
    expect(encodeError({ w: { dtype: 'f32', shape: 2, data: new Float32Array(2) } })).toMatch(/has shape number 2: expected an array/);
  });

  it('rejects empty and reserved names', () => {
    expect(encodeError({ '': f32([1], [1]) })).toMatch(/tensor names must not be empty/);
    expect(encodeError({ __metadata__: f32([1], [1]) })).toMatch(/"__metadata__" is reserved/);
    expect(encodeError({ ['a\uD800']: f32([1], [1]) })).toMatch(/unpaired UTF-16 surrogate/);
  });

  it('rejects an unknown dtype and data of the wrong array type', () => {
    expect(encodeError({ w: { dtype: 'f16', shape: [1], data: new Float32Array(1) } })).toMatch(/tensor "w" has unknown dtype the string "f16"/);
    expect(encodeError({ w: { dtype: 'f32', shape: [1], data: new Int32Array(1) } })).toMatch(/dtype 'f32', so its data must be a Float32Array, got Int32Array/);
    expect(encodeError({ w: { dtype: 'u32', shape: [1], data: [1] } })).toMatch(/must be a Uint32Array, got an array/);
  });

  it('rejects metadata that is not a string-to-string map', () => {
    expect(encodeError({}, { epoch: 3 })).toMatch(/metadata "epoch" must be a string, got number 3/);
    expect(encodeError({}, ['a'])).toMatch(/metadata must be an object of strings/);
  });
});
