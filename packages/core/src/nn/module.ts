import type { NamedArray } from '../io/safetensors.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Parameter } from './parameter.js';

/**
 * A model part that owns parameters and sub-modules. Parameters are found by
 * walking the module's own fields (a `Parameter`, a `Module`, or an array of
 * either), and named by their path: `tower.layers.0.weight`.
 *
 * @example
 * ```ts
 * class Scorer extends Module {
 *   readonly users = new Embedding(943, 64, { seed: 1 });
 *   readonly items = new Embedding(1682, 64, { seed: 2 });
 * }
 * const names = new Scorer().namedParameters().map(([n]) => n); // ['users.weight', 'items.weight']
 * ```
 */
export abstract class Module {
  /** Training mode (dropout active). Switch with {@link train} / {@link eval}. */
  training = true;

  /** Every parameter with its dotted path, in field order. */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const visit = (name: string, value: unknown): void => {
      if (value instanceof Parameter) out.push([name, value]);
      else if (value instanceof Module) out.push(...value.namedParameters(`${name}.`));
      else if (Array.isArray(value)) value.forEach((v, i) => visit(`${name}.${i}`, v));
    };
    for (const [key, value] of Object.entries(this)) visit(`${prefix}${key}`, value);
    return out;
  }

  /** Every parameter, in field order. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Every sub-module, depth first, this one included. */
  modules(): Module[] {
    const out: Module[] = [this];
    const visit = (value: unknown): void => {
      if (value instanceof Module) out.push(...value.modules());
      else if (Array.isArray(value)) value.forEach(visit);
    };
    for (const value of Object.values(this)) visit(value);
    return out;
  }

  /** Sets training mode on this module and every sub-module. */
  train(on = true): this {
    for (const m of this.modules()) m.training = on;
    return this;
  }

  /** Sets inference mode (dropout off). */
  eval(): this {
    return this.train(false);
  }

  /** Drops every parameter's accumulated gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** The parameters' values by name, copied to the host: what `saveParameters` writes. */
  async stateDict(): Promise<Record<string, NamedArray>> {
    const out: Record<string, NamedArray> = {};
    for (const [name, p] of this.namedParameters()) {
      out[name] = { dtype: p.dtype, shape: [...p.shape], data: (await p.read()) as NamedArray['data'] };
    }
    return out;
  }

  /**
   * Overwrites the parameters with `state` (e.g. from `loadParameters`). Every
   * parameter must be present with its shape and dtype; nothing is written
   * unless all match.
   */
  loadStateDict(state: Record<string, NamedArray>): void {
    const params = this.namedParameters();
    const known = new Set(params.map(([n]) => n));
    for (const name of Object.keys(state)) {
      if (!known.has(name)) throw new Error(`loadStateDict: '${name}' is not a parameter of this model (expected one of: ${[...known].join(', ')})`);
    }
    for (const [name, p] of params) {
      const s = state[name];
      if (!s) throw new Error(`loadStateDict: parameter '${name}' is missing from the saved state`);
      if (s.dtype !== p.dtype || !shapesEqual(s.shape, p.shape)) {
        throw new Error(`loadStateDict: '${name}' is ${s.dtype} ${formatShape(s.shape)} in the saved state, the model has ${p.dtype} ${formatShape(p.shape)}`);
      }
    }
    for (const [name, p] of params) p.assign(state[name].data);
  }
}
