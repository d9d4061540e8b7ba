import type { DType } from '../tensor/dtype.js';

/**
 * A named parameter as stored in a safetensors file: its element type, its
 * row-major ("C" order) shape and its values.
 *
 * `data.length` must equal the product of `shape` (1 for the scalar shape `[]`),
 * and `data` must be the typed array of `dtype` (`Float32Array` for `'f32'`,
 * `Int32Array` for `'i32'`, `Uint32Array` for `'u32'`).
 *
 * @example
 * ```ts
 * const bias: NamedArray = { dtype: 'f32', shape: [3], data: new Float32Array([0.1, 0.2, 0.3]) };
 * const step: NamedArray = { dtype: 'u32', shape: [], data: new Uint32Array([1000]) };
 * ```
 */
export type NamedArray = {
  dtype: DType;
  shape: readonly number[];
  data: Float32Array | Int32Array | Uint32Array;
};

/**
 * The error every safetensors encode or decode failure throws. The message says
 * what is wrong and where (the tensor name, the metadata key, or the byte range),
 * so that a bad file can be diagnosed from the message alone.
 *
 * @example
 * ```ts
 * try {
 *   decodeSafetensors(bytes);
 * } catch (err) {
 *   if (err instanceof SafetensorsError) console.error(`not a usable parameter file: ${err.message}`);
 *   else throw err;
 * }
 * ```
 */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(`safetensors: ${message}`);
    this.name = 'SafetensorsError';
  }
}

type TypedData = NamedArray['data'];

interface DTypeInfo {
  /** The dtype's name in the header. */
  readonly tag: 'F32' | 'I32' | 'U32';
  /**
   * Position in the reference implementation's `Dtype` enum, relative to the
   * other two. The Rust `prepare` sorts tensors by this position descending, so
   * a higher rank is written first: F32, then U32, then I32 (enum order is
   * ... I32, U32, F32 ... in every version of `safetensors/src/tensor.rs`).
   */
  readonly rank: number;
  readonly bytes: 4;
  readonly create: (length: number) => TypedData;
  readonly matches: (data: unknown) => boolean;
}

const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  f32: { tag: 'F32', rank: 2, bytes: 4, create: (n) => new Float32Array(n), matches: (d) => d instanceof Float32Array },
  u32: { tag: 'U32', rank: 1, bytes: 4, create: (n) => new Uint32Array(n), matches: (d) => d instanceof Uint32Array },
  i32: { tag: 'I32', rank: 0, bytes: 4, create: (n) => new Int32Array(n), matches: (d) => d instanceof Int32Array },
};

const DTYPE_BY_TAG: ReadonlyMap<string, DType> = new Map<string, DType>([
  ['F32', 'f32'],
  ['I32', 'i32'],
  ['U32', 'u32'],
]);

/**
 * Every other dtype the safetensors format defines. A file using one of them is
 * well-formed but cannot be loaded here, and the error should say exactly that
 * rather than call the file corrupt.
 */
const OTHER_SAFETENSORS_DTYPES: ReadonlySet<string> = new Set([
  'BOOL', 'F4', 'F6_E2M3', 'F6_E3M2', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0',
  'I16', 'U16', 'F16', 'BF16', 'C64', 'F64', 'I64', 'U64',
]);

const SUPPORTED_TAGS = 'F32, I32 and U32';

/** The key the format reserves for the string-to-string metadata map. */
const METADATA_KEY = '__metadata__';

/** Whether typed arrays on this host store their elements least significant byte first. */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const utf8Encoder = new TextEncoder();

/**
 * Orders strings by their UTF-8 bytes, which is how Rust compares `String`s.
 * JavaScript's `<` compares UTF-16 code units and disagrees for characters above
 * U+FFFF versus U+E000..U+FFFF, which would change the tensor order in the file.
 */
function compareUtf8(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

// A lone surrogate would be written by JSON.stringify as a \udXXX escape, which
// serde_json (and so every reader built on the reference library) rejects.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value)) return (value as object).constructor.name;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own enumerable property, so that a name such as `__proto__` stays data rather than rewiring the prototype. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Copies `src` into `dst` at `offset` as little-endian bytes, which is what the
 * format mandates whatever the host's byte order.
 *
 * @internal Exported so the big-endian branch can be tested on a little-endian host.
 * @param hostIsLittleEndian Defaults to the running host's byte order.
 * @example
 * ```ts
 * const dst = new Uint8Array(4);
 * writeLittleEndian(new Uint32Array([1]), dst, 0); // dst is [1, 0, 0, 0]
 * ```
 */
export function writeLittleEndian(
  src: TypedData,
  dst: Uint8Array,
  offset: number,
  hostIsLittleEndian: boolean = HOST_IS_LITTLE_ENDIAN,
): void {
  if (hostIsLittleEndian) {
    dst.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), offset);
    return;
  }
  // Reinterpret the elements as raw 32-bit words so that float bits, NaN
  // payloads included, go through unchanged rather than via a float conversion.
  const words = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const view = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  for (let i = 0; i < words.length; i++) view.setUint32(offset + 4 * i, words[i]!, true);
}

/**
 * Reads `length` little-endian elements of `dtype` from `src` at `offset` into a
 * new typed array. It always copies: the source offset need not be 4-byte
 * aligned (headers written by other tools may not be padded), and the result
 * must not alias the file's bytes.
 *
 * @internal Exported so the big-endian branch can be tested on a little-endian host.
 * @param hostIsLittleEndian Defaults to the running host's byte order.
 * @example
 * ```ts
 * readLittleEndian('i32', new Uint8Array([255, 255, 255, 255]), 0, 1); // Int32Array [-1]
 * ```
 */
export function readLittleEndian(
  dtype: DType,
  src: Uint8Array,
  offset: number,
  length: number,
  hostIsLittleEndian: boolean = HOST_IS_LITTLE_ENDIAN,
): TypedData {
  const out = DTYPES[dtype].create(length);
  const byteLength = length * DTYPES[dtype].bytes;
  if (hostIsLittleEndian) {
    new Uint8Array(out.buffer).set(src.subarray(offset, offset + byteLength));
    return out;
  }
  const words = new Uint32Array(out.buffer);
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < length; i++) words[i] = view.getUint32(offset + 4 * i, true);
  return out;
}

interface PreparedTensor {
  readonly name: string;
  readonly nameBytes: Uint8Array;
  readonly info: DTypeInfo;
  readonly shape: readonly number[];
  readonly data: TypedData;
}

function prepareTensor(name: string, tensor: NamedArray): PreparedTensor {
  const where = `tensor ${JSON.stringify(name)}`;
  if (name === '') throw new SafetensorsError('tensor names must not be empty');
  if (name === METADATA_KEY) {
    throw new SafetensorsError(`the name ${JSON.stringify(METADATA_KEY)} is reserved by the format for the metadata map and cannot name a tensor`);
  }
  if (LONE_SURROGATE.test(name)) {
    throw new SafetensorsError(`${where} contains an unpaired UTF-16 surrogate, which cannot be written as UTF-8`);
  }
  if (!isPlainObject(tensor)) throw new SafetensorsError(`${where} must be an object { dtype, shape, data }, got ${describe(tensor)}`);
  const info = Object.hasOwn(DTYPES, tensor.dtype) ? DTYPES[tensor.dtype] : undefined;
  if (info === undefined) {
    throw new SafetensorsError(`${where} has unknown dtype ${describe(tensor.dtype)}: expected 'f32', 'i32' or 'u32'`);
  }
  if (!info.matches(tensor.data)) {
    const expected = info.create(0).constructor.name;
    throw new SafetensorsError(`${where} has dtype '${tensor.dtype}', so its data must be a ${expected}, got ${describe(tensor.data)}`);
  }
  if (!Array.isArray(tensor.shape)) throw new SafetensorsError(`${where} has shape ${describe(tensor.shape)}: expected an array of dimensions`);
  let elements = 1n;
  tensor.shape.forEach((dim: unknown, axis: number) => {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new SafetensorsError(`${where} has invalid dimension ${describe(dim)} at axis ${axis} of shape [${tensor.shape.join(', ')}]: dimensions must be non-negative integers`);
    }
    elements *= BigInt(dim);
  });
  if (elements !== BigInt(tensor.data.length)) {
    throw new SafetensorsError(`${where} has shape [${tensor.shape.join(', ')}], which holds ${elements} elements, but its data has ${tensor.data.length}`);
  }
  return { name, nameBytes: utf8Encoder.encode(name), info, shape: tensor.shape, data: tensor.data };
}

function metadataJson(metadata: Record<string, string>): string {
  if (!isPlainObject(metadata)) throw new SafetensorsError(`metadata must be an object of strings, got ${describe(metadata)}`);
  const entries = Object.entries(metadata).map(([key, value]) => {
    if (typeof value !== 'string') {
      throw new SafetensorsError(`metadata ${JSON.stringify(key)} must be a string, got ${describe(value)}: the format only allows a string-to-string map`);
    }
    if (LONE_SURROGATE.test(key) || LONE_SURROGATE.test(value)) {
      throw new SafetensorsError(`metadata ${JSON.stringify(key)} contains an unpaired UTF-16 surrogate, which cannot be written as UTF-8`);
    }
    return { key, keyBytes: utf8Encoder.encode(key), value };
  });
  // The reference keeps metadata in a Rust HashMap, whose iteration order is
  // randomised per process, so it has no canonical order to match for more
  // than one key. Sorting by UTF-8 bytes (a BTreeMap's order) makes our files
  // deterministic; with zero or one key the bytes equal the reference's.
  entries.sort((a, b) => compareUtf8(a.keyBytes, b.keyBytes));
  // JSON.stringify escapes strings exactly like serde_json's compact writer:
  // `"` and `\`, \b \t \n \f \r by name, other controls as lowercase \u00XX, and
  // nothing else (no escaping of `/` or of non-ASCII).
  return `{${entries.map((e) => `${JSON.stringify(e.key)}:${JSON.stringify(e.value)}`).join(',')}}`;
}

/**
 * Serializes named tensors to the bytes of a safetensors file.
 *
 * The output is byte-identical to what the reference `safetensors` library
 * (`safetensors.numpy.save`, Rust `serialize`) writes for the same tensors:
 * - an 8-byte little-endian u64 header size N, then N bytes of compact UTF-8
 *   JSON (no spaces), padded with ASCII spaces so N is a multiple of 8, which
 *   keeps the byte buffer 8-byte aligned for zero-copy readers;
 * - `"__metadata__"` first when `metadata` is given (even if empty, as the
 *   reference does for `Some({})`), then the tensors in the order they are laid
 *   out in the buffer: by dtype descending in the reference's enum order (F32,
 *   U32, I32), then by name (UTF-8 byte order); each entry as
 *   `{"dtype":…,"shape":[…],"data_offsets":[begin,end]}`;
 * - the tensors' data back to back with no gaps, little-endian, row-major.
 *
 * The order of `tensors`' keys does not matter: the same tensors always give the
 * same bytes. With more than one metadata key the reference's own order is
 * unspecified (a Rust HashMap); this writes them sorted by UTF-8 bytes.
 *
 * @param tensors Tensors by name. Names must be non-empty and must not be `"__metadata__"`.
 * @param metadata Optional free-form string-to-string map stored in the header.
 * @throws {SafetensorsError} If a name is empty or reserved, a dtype is unknown or does
 *   not match the data's array type, a dimension is not a non-negative integer, the
 *   data length differs from the product of the shape, or a metadata value is not a string.
 * @example
 * ```ts
 * const bytes = encodeSafetensors(
 *   { 'embedding.weight': { dtype: 'f32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } },
 *   { format: 'rec' },
 * );
 * await writeFile('model.safetensors', bytes);
 * ```
 */
export function encodeSafetensors(tensors: Record<string, NamedArray>, metadata?: Record<string, string>): Uint8Array {
  if (!isPlainObject(tensors)) throw new SafetensorsError(`tensors must be an object mapping names to tensors, got ${describe(tensors)}`);
  const prepared = Object.entries(tensors).map(([name, tensor]) => prepareTensor(name, tensor));
  // Largest alignment first, so every tensor starts at a multiple of its own
  // element size; then by name so the output does not depend on insertion order.
  prepared.sort((a, b) => b.info.rank - a.info.rank || compareUtf8(a.nameBytes, b.nameBytes));

  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`${JSON.stringify(METADATA_KEY)}:${metadataJson(metadata)}`);
  let offset = 0;
  const offsets: number[] = [];
  for (const t of prepared) {
    const end = offset + t.data.byteLength;
    // Dimensions are safe integers, so their decimal form is what serde_json
    // writes for a usize; JSON.stringify(-0) and String(-0) both give "0".
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.info.tag}","shape":[${t.shape.map(String).join(',')}],"data_offsets":[${offset},${end}]}`);
    offsets.push(offset);
    offset = end;
  }
  const json = utf8Encoder.encode(`{${parts.join(',')}}`);
  const headerSize = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerSize + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerSize), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerSize);
  const base = 8 + headerSize;
  prepared.forEach((t, i) => writeLittleEndian(t.data, out, base + offsets[i]!));
  return out;
}

interface HeaderEntry {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

function isWhitespace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/**
 * Finds the first key repeated within one JSON object of `text`, which must
 * already be valid JSON. JSON.parse silently keeps the last duplicate, but the
 * format disallows duplicates: two entries for one tensor name would make the
 * file mean different things to different readers.
 */
function findDuplicateKey(text: string): { path: readonly string[]; key: string } | undefined {
  // One frame per open container; `keys` is null for arrays.
  const stack: { keys: Set<string> | null; path: readonly string[]; lastKey: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const literal = text.slice(i, j + 1);
      i = j + 1;
      const top = stack[stack.length - 1];
      if (top?.keys) {
        let k = i;
        while (isWhitespace(text[k])) k++;
        if (text[k] === ':') {
          const key = JSON.parse(literal) as string;
          if (top.keys.has(key)) return { path: top.path, key };
          top.keys.add(key);
          top.lastKey = key;
        }
      }
      continue;
    }
    if (c === '{' || c === '[') {
      const parent = stack[stack.length - 1];
      const path = parent === undefined ? [] : parent.keys ? [...parent.path, parent.lastKey] : parent.path;
      stack.push({ keys: c === '{' ? new Set() : null, path, lastKey: '' });
    } else if (c === '}' || c === ']') {
      stack.pop();
    }
    i++;
  }
  return undefined;
}

function checkDimension(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseEntry(name: string, raw: unknown, bufferLength: number): HeaderEntry {
  const where = `tensor ${JSON.stringify(name)}`;
  if (!isPlainObject(raw)) {
    throw new SafetensorsError(`header entry for ${where} must be an object with dtype, shape and data_offsets, got ${describe(raw)}`);
  }
  for (const field of ['dtype', 'shape', 'data_offsets']) {
    if (!Object.hasOwn(raw, field)) throw new SafetensorsError(`header entry for ${where} is missing "${field}"`);
  }
  const tag = raw['dtype'];
  if (typeof tag !== 'string') throw new SafetensorsError(`${where} has dtype ${describe(tag)}: expected a dtype name such as "F32"`);
  const dtype = DTYPE_BY_TAG.get(tag);
  if (dtype === undefined) {
    if (OTHER_SAFETENSORS_DTYPES.has(tag)) {
      throw new SafetensorsError(`${where} has dtype ${tag}, which is valid safetensors but not supported by @rec yet: supported dtypes are ${SUPPORTED_TAGS}`);
    }
    throw new SafetensorsError(`${where} has unknown dtype ${JSON.stringify(tag)}: supported dtypes are ${SUPPORTED_TAGS}`);
  }
  const shape = raw['shape'];
  if (!Array.isArray(shape) || !shape.every(checkDimension)) {
    throw new SafetensorsError(`${where} has invalid shape ${JSON.stringify(shape)}: expected an array of non-negative integers`);
  }
  const offsets = raw['data_offsets'];
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(checkDimension)) {
    throw new SafetensorsError(`${where} has invalid data_offsets ${JSON.stringify(offsets)}: expected [begin, end] as two non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new SafetensorsError(`${where} has data_offsets [${begin}, ${end}] whose end is before its begin`);
  if (end > bufferLength) {
    throw new SafetensorsError(`${where} has data_offsets [${begin}, ${end}] past the end of the ${bufferLength}-byte data buffer`);
  }
  // BigInt, because a hostile shape's element count can exceed 2^53 and a
  // rounded product could then spuriously match the byte range.
  const expected = shape.reduce((n: bigint, d: number) => n * BigInt(d), 1n) * BigInt(DTYPES[dtype].bytes);
  if (expected !== BigInt(end - begin)) {
    throw new SafetensorsError(`${where} has shape [${shape.join(', ')}] and dtype ${tag}, which need ${expected} bytes, but its data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { name, dtype, shape, begin, end };
}

/**
 * Parses the bytes of a safetensors file into named tensors and metadata.
 *
 * It accepts anything the format allows, including headers that are not padded
 * to 8 bytes (older writers) and header entries in any order, and rejects with a
 * {@link SafetensorsError} naming the problem and its place:
 * - a file shorter than the 8-byte size prefix, or a header size larger than
 *   the rest of the file;
 * - a header that is not UTF-8, does not begin with `{`, is not JSON, or
 *   repeats a key (duplicate tensor names included);
 * - `__metadata__` that is not a string-to-string object;
 * - a dtype other than F32, I32 and U32 (other safetensors dtypes such as F16,
 *   BF16, F64 or I64 are reported as not supported by @rec yet);
 * - a shape or data_offsets that is malformed, offsets past the buffer, or a
 *   byte range whose size differs from product(shape) * 4;
 * - offsets that overlap, leave a hole, or leave bytes after the last tensor:
 *   the format requires the byte buffer to be fully indexed.
 *
 * The returned arrays are copies and never alias `bytes`. Tensors come back in
 * byte-buffer order; `metadata` is `{}` when the file has none.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = decodeSafetensors(new Uint8Array(await readFile('model.safetensors')));
 * const weight = tensors['embedding.weight']; // { dtype: 'f32', shape: [2, 2], data: Float32Array }
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array): { tensors: Record<string, NamedArray>; metadata: Record<string, string> } {
  if (!(bytes instanceof Uint8Array)) throw new SafetensorsError(`expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < 8) {
    throw new SafetensorsError(`file is ${bytes.length} bytes long, shorter than the 8-byte header size prefix`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    throw new SafetensorsError(`header size ${declared} (bytes 0..8) is larger than the ${bytes.length - 8} bytes that follow it in the ${bytes.length}-byte file`);
  }
  const headerSize = Number(declared);
  const dataStart = 8 + headerSize;
  const bufferLength = bytes.length - dataStart;

  let text: string;
  try {
    // fatal: reject rather than replace invalid sequences; ignoreBOM: keep a BOM
    // so that it fails the `{` check below instead of being silently skipped.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    throw new SafetensorsError(`header (bytes 8..${dataStart}) is not valid UTF-8`);
  }
  if (!text.startsWith('{')) {
    throw new SafetensorsError(`header (bytes 8..${dataStart}) must begin with '{', found ${JSON.stringify(text.slice(0, 16))}`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new SafetensorsError(`header (bytes 8..${dataStart}) is not valid JSON: ${(err as Error).message}`);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    const [first, ...rest] = duplicate.path;
    if (first === undefined) throw new SafetensorsError(`header names tensor ${JSON.stringify(duplicate.key)} more than once`);
    const owner = first === METADATA_KEY ? METADATA_KEY : `the entry for tensor ${JSON.stringify(first)}`;
    const inner = rest.length > 0 ? ` (under ${rest.map((p) => JSON.stringify(p)).join(' > ')})` : '';
    throw new SafetensorsError(`header repeats key ${JSON.stringify(duplicate.key)} in ${owner}${inner}`);
  }

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [key, raw] of Object.entries(header)) {
    if (key === METADATA_KEY) {
      if (!isPlainObject(raw)) throw new SafetensorsError(`${METADATA_KEY} must be an object of strings, got ${describe(raw)}`);
      for (const [mkey, value] of Object.entries(raw)) {
        if (typeof value !== 'string') {
          throw new SafetensorsError(`${METADATA_KEY} ${JSON.stringify(mkey)} must be a string, got ${describe(value)}`);
        }
        setOwn(metadata, mkey, value);
      }
      continue;
    }
    entries.push(parseEntry(key, raw, bufferLength));
  }

  // Like the reference reader, check the layout in offset order rather than
  // header order: each tensor must start where the previous one ended, from 0
  // to the end of the file. Zero-size tensors share an offset legitimately.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: HeaderEntry | undefined;
  for (const entry of entries) {
    if (entry.begin < cursor) {
      throw new SafetensorsError(`tensor ${JSON.stringify(entry.name)} data_offsets [${entry.begin}, ${entry.end}] overlap tensor ${JSON.stringify(previous!.name)} data_offsets [${previous!.begin}, ${previous!.end}]`);
    }
    if (entry.begin > cursor) {
      throw new SafetensorsError(`bytes ${cursor}..${entry.begin} of the data buffer (before tensor ${JSON.stringify(entry.name)}) belong to no tensor: the buffer must be fully indexed without holes`);
    }
    cursor = entry.end;
    previous = entry;
  }
  if (cursor !== bufferLength) {
    throw new SafetensorsError(`bytes ${cursor}..${bufferLength} at the end of the data buffer belong to no tensor: the buffer must be fully indexed, with no trailing bytes`);
  }

  const tensors: Record<string, NamedArray> = {};
  for (const e of entries) {
    const data = readLittleEndian(e.dtype, bytes, dataStart + e.begin, (e.end - e.begin) / DTYPES[e.dtype].bytes);
    setOwn(tensors, e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}
