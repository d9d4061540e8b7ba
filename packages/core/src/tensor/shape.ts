/** A tensor shape: one non-negative integer per axis; `[]` is a scalar. */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Throws unless every dimension is a non-negative integer. `what` names the tensor in the error. */
export function assertValidShape(shape: Shape, what: string): void {
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${what}: dimension ${i} of shape [${shape.join(', ')}] is ${d}; dimensions must be non-negative integers`);
    }
  }
}

/** True when two shapes are identical. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The shape two operands broadcast to under NumPy rules: axes align from the
 * right, and a size-1 axis stretches to match the other.
 */
export function broadcastShapes(a: Shape, b: Shape, what: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${what}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast (axis ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read `shape` as if broadcast to `target`: a stretched axis gets
 * stride 0. `shape` must broadcast to `target`.
 */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const out = new Array<number>(target.length).fill(0);
  const offset = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[i + offset] = shape[i] === 1 ? 0 : own[i];
  return out;
}

/** Normalises a possibly negative axis against a rank, with an error naming the op. */
export function normalizeAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) {
    throw new Error(`${what}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** Normalises a list of axes (or all axes when undefined), sorted and deduplicated. */
export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number, what: string): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = [...new Set(list.map((a) => normalizeAxis(a, rank, what)))];
  return out.sort((x, y) => x - y);
}

/** Formats a shape for error messages. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}
