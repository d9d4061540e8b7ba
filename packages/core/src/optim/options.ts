/**
 * Validation of optimizer options. Every check throws one error that names the
 * optimizer, the option and the bad value, and says what would be right:
 * `Adam: option 'betas[1]' must be a number in [0, 1), got 1`.
 */

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'string') return `${JSON.stringify(value)} (a string)`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function fail(optimizer: string, option: string, rule: string, value: unknown): never {
  throw new Error(`${optimizer}: option '${option}' must be ${rule}, got ${describe(value)}`);
}

/**
 * Throws unless `value` is a finite number > 0 (learning rates, ε).
 *
 * @example
 * ```ts
 * expectPositive('SGD', 'lr', 0.1);  // ok
 * expectPositive('SGD', 'lr', 0);    // throws "SGD: option 'lr' must be a finite number > 0, got 0"
 * ```
 */
export function expectPositive(optimizer: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(optimizer, option, 'a finite number > 0', value);
  return value;
}

/**
 * Throws unless `value` is a finite number ≥ 0 (weight decay, initial accumulator).
 *
 * @example
 * ```ts
 * expectNonNegative('Adam', 'weightDecay', 0); // ok
 * ```
 */
export function expectNonNegative(optimizer: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(optimizer, option, 'a finite number ≥ 0', value);
  return value;
}

/**
 * Throws unless `value` is a number in [0, 1) (momentum, β₁, β₂).
 *
 * @example
 * ```ts
 * expectUnitInterval('SGD', 'momentum', 0.9); // ok
 * ```
 */
export function expectUnitInterval(optimizer: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) fail(optimizer, option, 'a number in [0, 1)', value);
  return value;
}

/**
 * Throws unless `value` is a boolean.
 *
 * @example
 * ```ts
 * expectBoolean('SGD', 'nesterov', true); // ok
 * ```
 */
export function expectBoolean(optimizer: string, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(optimizer, option, 'true or false', value);
  return value;
}

/**
 * Throws unless `value` is a pair [β₁, β₂] of numbers in [0, 1); the error
 * names the element (`betas[1]`).
 *
 * @example
 * ```ts
 * expectBetas('Adam', [0.9, 0.999]); // ok
 * ```
 */
export function expectBetas(optimizer: string, value: unknown): readonly [number, number] {
  if (!Array.isArray(value) || value.length !== 2) fail(optimizer, 'betas', 'a pair [β₁, β₂] of numbers in [0, 1)', value);
  return [expectUnitInterval(optimizer, 'betas[0]', value[0]), expectUnitInterval(optimizer, 'betas[1]', value[1])];
}

/**
 * Throws when `options` has a key outside `known` (a misspelt option in a
 * config file would otherwise be silently ignored).
 *
 * @example
 * ```ts
 * rejectUnknownOptions('SGD', { lr: 0.1 }, ['lr', 'momentum']); // ok
 * ```
 */
export function rejectUnknownOptions(optimizer: string, options: object, known: readonly string[]): void {
  if (options === null || typeof options !== 'object') {
    throw new Error(`${optimizer}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${optimizer}: unknown option '${key}'; known options: ${known.join(', ')}`);
  }
}
