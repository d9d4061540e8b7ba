/**
 * A reader for NumPy's `.npy` format (and gzipped `.npy.gz`), enough for the dense
 * feature matrices datasets ship with (DiffMM's TikTok image and audio features).
 *
 * Format (numpy/lib/format.py, "NEP 1"): the magic `\x93NUMPY`, a major and minor
 * version byte, the header length (uint16 LE in version 1.0, uint32 LE in 2.0 and 3.0),
 * then the header — a Python dict literal `{'descr': '<f4', 'fortran_order': False,
 * 'shape': (6710, 128), }` padded with spaces and a newline (latin-1 in 1.0/2.0, UTF-8 in
 * 3.0) — then the raw array bytes in C (row-major) or Fortran (column-major) order.
 *
 * Everything becomes one of the two element types @rec's tensors use: floats
 * (`f2`, `f4`, `f8`) → Float32Array, integers (`i1`…`i8`, `u1`…`u8`) → Int32Array, with
 * a range check where the conversion could lose a value. Only C order is read;
 * structured dtypes, object arrays and Fortran order are errors that say so.
 *
 * Browser-safe: parsing only. Reading a file (`readNpy`) is in `npy-file.ts`, exported
 * from `@rec/data/node`.
 */
/**
 * A parsed `.npy` array: its shape, the dtype string of the file, and the values in
 * C order, widened or narrowed to the @rec element type of their kind.
 *
 * @example
 * ```ts
 * const array: NpyArray = parseNpy(bytes, 'image_feat.npy');
 * if (array.kind === 'float32') array.data; // Float32Array, shape[0] × shape[1] values
 * ```
 */
export type NpyArray =
  | { readonly kind: 'float32'; readonly descr: string; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly kind: 'int32'; readonly descr: string; readonly shape: readonly number[]; readonly data: Int32Array };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Element types read, by dtype code without its byte-order character. */
const DTYPES: Readonly<Record<string, { kind: 'float32' | 'int32'; size: number }>> = {
  f2: { kind: 'float32', size: 2 },
  f4: { kind: 'float32', size: 4 },
  f8: { kind: 'float32', size: 8 },
  i1: { kind: 'int32', size: 1 },
  i2: { kind: 'int32', size: 2 },
  i4: { kind: 'int32', size: 4 },
  i8: { kind: 'int32', size: 8 },
  u1: { kind: 'int32', size: 1 },
  u2: { kind: 'int32', size: 2 },
  u4: { kind: 'int32', size: 4 },
  u8: { kind: 'int32', size: 8 },
};

const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const FLOAT32_MAX = 3.4028234663852886e38;

let halfTable: Float32Array | undefined;

/** All 65,536 IEEE 754 binary16 values as float32, built on first use (256 KB). */
function halfToFloatTable(): Float32Array {
  if (halfTable !== undefined) return halfTable;
  const table = new Float32Array(0x10000);
  for (let h = 0; h < 0x10000; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) table[h] = sign * fraction * 2 ** -24; // subnormal (and ±0)
    else if (exponent === 0x1f) table[h] = fraction === 0 ? sign * Infinity : NaN;
    else table[h] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  halfTable = table;
  return table;
}

/** `flat` as a C-order index tuple of `shape`, for messages: `(3, 17)`. */
function position(flat: number, shape: readonly number[]): string {
  const out = new Array<number>(shape.length);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = rest % shape[d]!;
    rest = Math.floor(rest / shape[d]!);
  }
  return `(${out.join(', ')})`;
}

/**
 * `length` bytes from `start` in a fresh buffer, so typed-array views are aligned.
 * (A Node Buffer's slice() is a view into a shared pool, not a copy.)
 */
function alignedCopy(bytes: Uint8Array, start: number, length: number): ArrayBuffer {
  const copy = new Uint8Array(length);
  copy.set(bytes.subarray(start, start + length));
  return copy.buffer;
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/**
 * Parses the header dict. numpy writes it with `repr`, so the three keys appear as
 * quoted strings with Python literals as values; this reads exactly that, not
 * arbitrary Python.
 */
function parseHeader(text: string, source: string): NpyHeader {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) {
    throw new Error(`${source}: the .npy header is not a Python dict literal: ${JSON.stringify(trimmed.slice(0, 120))}`);
  }
  const field = (key: string, pattern: string): RegExpMatchArray | null =>
    trimmed.match(new RegExp(`['"]${key}['"]\\s*:\\s*${pattern}`));

  const descrList = field('descr', '\\[');
  if (descrList) {
    throw new Error(`${source}: header field 'descr' is a structured dtype (a list of fields); expected a plain numeric dtype such as '<f4'`);
  }
  const descr = field('descr', `['"]([^'"]*)['"]`);
  if (!descr) throw new Error(`${source}: the .npy header has no 'descr' string; expected e.g. 'descr': '<f4'`);

  const fortran = field('fortran_order', '(True|False)');
  if (!fortran) throw new Error(`${source}: the .npy header has no 'fortran_order' True/False`);

  const shapeMatch = field('shape', '\\(([^)]*)\\)');
  if (!shapeMatch) throw new Error(`${source}: the .npy header has no 'shape' tuple; expected e.g. 'shape': (6710, 128)`);
  const shape = shapeMatch[1]!
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      // Python 2 wrote long integers with an L suffix.
      const dim = /^(\d+)L?$/.exec(part);
      if (!dim || !Number.isSafeInteger(Number(dim[1]))) {
        throw new Error(`${source}: header field 'shape' has dimension ${JSON.stringify(part)}; expected a non-negative integer`);
      }
      return Number(dim[1]);
    });
  return { descr: descr[1]!, fortranOrder: fortran[1] === 'True', shape };
}

/**
 * Parses the bytes of a `.npy` file (not gzipped; see `readNpy` in `@rec/data/node` for files).
 * Versions 1.0, 2.0 and 3.0; dtypes `f2`/`f4`/`f8` (→ Float32Array) and
 * `i1`…`i8`/`u1`…`u8` (→ Int32Array), little- or big-endian; C order only.
 * Cost: one pass over the data; little-endian `f4`/`i4` are one copy.
 *
 * Narrowing is checked: an `f8` value whose magnitude exceeds float32's range, or an
 * integer outside int32, is an error naming its position. (NaN and ±Infinity pass
 * through; so does the rounding of `f8` to the nearest float32.)
 *
 * @param bytes the file's bytes.
 * @param source the file name, put at the start of every error.
 * @throws Error naming `source` and what was wrong: a bad magic string, an unknown
 * version, a header without `descr`/`fortran_order`/`shape`, an unsupported dtype,
 * Fortran order, or data shorter (truncated) or longer than the shape says.
 * @example
 * ```ts
 * const array = parseNpy(new Uint8Array(await readFile('x.npy')), 'x.npy');
 * array.shape; // e.g. [6710, 128]
 * ```
 */
export function parseNpy(bytes: Uint8Array, source = '.npy data'): NpyArray {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) {
      throw new Error(`${source}: not a .npy file: expected the magic bytes \\x93NUMPY at the start`);
    }
  }
  if (bytes.length < 10) throw new Error(`${source}: .npy file ends inside its preamble (${bytes.length} bytes)`);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error(`${source}: .npy file ends inside its preamble (${bytes.length} bytes)`);
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    throw new Error(`${source}: .npy format version ${major}.${minor} is not supported; expected 1.0, 2.0 or 3.0`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) {
    throw new Error(`${source}: the .npy header says it is ${headerLength} bytes but the file ends after ${bytes.length - headerStart}; the file is truncated`);
  }
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const { descr, fortranOrder, shape } = parseHeader(headerText, source);

  const order = descr[0]!;
  const dtype = DTYPES[descr.slice(1)];
  if (dtype === undefined || !['<', '>', '|', '='].includes(order)) {
    throw new Error(`${source}: dtype ${JSON.stringify(descr)} is not supported; expected a float (f2, f4, f8) or integer (i1…i8, u1…u8) dtype such as '<f4'`);
  }
  if (fortranOrder && shape.length > 1) {
    throw new Error(`${source}: the array is stored in Fortran (column-major) order ('fortran_order': True); only C order is read — save it with numpy.ascontiguousarray(a) first`);
  }
  const little = order === '<' || order === '|' || (order === '=' && HOST_LITTLE_ENDIAN);

  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * dtype.size;
  const present = bytes.length - dataStart;
  if (present < expected) {
    throw new Error(`${source}: the data holds ${present} bytes but shape (${shape.join(', ')}) of ${descr} needs ${expected}; the file is truncated`);
  }
  if (present > expected) {
    throw new Error(`${source}: the data holds ${present} bytes but shape (${shape.join(', ')}) of ${descr} needs ${expected}; ${present - expected} bytes too many`);
  }

  const data = new DataView(bytes.buffer, bytes.byteOffset + dataStart, expected);
  const code = descr.slice(1);
  if (dtype.kind === 'float32') {
    let out: Float32Array;
    if (code === 'f4' && little === HOST_LITTLE_ENDIAN) {
      out = new Float32Array(alignedCopy(bytes, dataStart, expected));
    } else {
      out = new Float32Array(count);
      if (code === 'f2') {
        const table = halfToFloatTable();
        for (let i = 0; i < count; i++) out[i] = table[data.getUint16(2 * i, little)]!;
      } else if (code === 'f4') {
        for (let i = 0; i < count; i++) out[i] = data.getFloat32(4 * i, little);
      } else {
        for (let i = 0; i < count; i++) {
          const v = data.getFloat64(8 * i, little);
          if (Number.isFinite(v) && Math.abs(v) > FLOAT32_MAX) {
            throw new Error(`${source}: element ${position(i, shape)} = ${v} is outside float32's range (±${FLOAT32_MAX.toExponential(4)})`);
          }
          out[i] = v;
        }
      }
    }
    return { kind: 'float32', descr, shape, data: out };
  }

  let out: Int32Array;
  if (code === 'i4' && little === HOST_LITTLE_ENDIAN) {
    out = new Int32Array(alignedCopy(bytes, dataStart, expected));
  } else {
    out = new Int32Array(count);
    const read: (i: number) => number | bigint = {
      i1: (i: number) => data.getInt8(i),
      u1: (i: number) => data.getUint8(i),
      i2: (i: number) => data.getInt16(2 * i, little),
      u2: (i: number) => data.getUint16(2 * i, little),
      i4: (i: number) => data.getInt32(4 * i, little),
      u4: (i: number) => data.getUint32(4 * i, little),
      i8: (i: number) => data.getBigInt64(8 * i, little),
      u8: (i: number) => data.getBigUint64(8 * i, little),
    }[code]!;
    for (let i = 0; i < count; i++) {
      const v = read(i);
      const n = typeof v === 'bigint' ? (v >= -0x8000_0000n && v <= 0x7fff_ffffn ? Number(v) : NaN) : v;
      if (!(n >= -0x8000_0000 && n <= 0x7fff_ffff)) {
        throw new Error(`${source}: element ${position(i, shape)} = ${String(v)} does not fit int32`);
      }
      out[i] = n;
    }
  }
  return { kind: 'int32', descr, shape, data: out };
}
