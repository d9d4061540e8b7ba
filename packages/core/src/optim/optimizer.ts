import { type Gradient, noGrad, RowSparse } from '../autograd/tape.js';
import type { NamedArray } from '../io/safetensors.js';
import { Parameter } from '../nn/parameter.js';
import { full, tensor } from '../ops/create.js';
import { keep } from '../tensor/engine.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { expectPositive } from './options.js';

/**
 * What an optimizer updates: a list of parameters, or anything with a
 * `parameters()` method (a `Module`). A module's parameter paths are used in
 * error messages when it also has `namedParameters()`.
 *
 * @example
 * ```ts
 * const fromModule: ParameterSource = new Linear(4, 1, { seed: 1 });
 * const fromList: ParameterSource = [new Parameter(new Float32Array(3), [3])];
 * ```
 */
export type ParameterSource =
  | readonly Parameter[]
  | { parameters(): Parameter[]; namedParameters?(): [string, Parameter][] };

/**
 * The per-parameter state an optimizer keeps (momentum, accumulators,
 * moments): one f32 tensor per slot, of the parameter's shape, on the
 * parameter's backend.
 *
 * @example
 * ```ts
 * const state: OptimizerSlots | undefined = adam.stateOf(w); // { exp_avg, exp_avg_sq }
 * ```
 */
export type OptimizerSlots = Readonly<Record<string, Tensor>>;

/**
 * The common part of every optimizer: which parameters it steps, the learning
 * rate, the global step count, per-parameter state and its checkpoint form.
 * Subclasses say which state slots they keep and which kernel updates a
 * parameter; `step()` runs those kernels through `runKernel`, so the
 * parameter's backend (`js`, `native`, `webgpu`) does the work.
 *
 * Parameters whose `grad` is null are skipped (no state is created for them
 * and their state, if any, is not advanced). A dense gradient runs the dense
 * kernel; a {@link RowSparse} gradient (an embedding table read through
 * `gather`) runs the row-sparse kernel, which merges duplicate rows and
 * touches only the listed rows.
 *
 * @example
 * ```ts
 * const model = new Linear(4, 1, { seed: 1 });
 * const x = tensor(Float32Array.from({ length: 32 }, (_, i) => (i % 5) / 5), [8, 4]);
 * const y = tensor(Float32Array.from({ length: 8 }, (_, i) => i / 8), [8, 1]);
 * const opt = new Adam(model, { lr: 1e-2 });
 * for (let i = 0; i < 100; i++) {
 *   opt.zeroGrad();
 *   backward(mseLoss(model.forward(x), y));
 *   opt.step();
 * }
 * ```
 */
export abstract class Optimizer {
  /** The parameters this optimizer steps, in order; state keys use these positions. */
  readonly params: readonly Parameter[];
  /** The optimizer's name in error messages (`SGD`, `Adam`, …). */
  readonly name: string;
  /** Completed {@link step} calls; Adam's bias correction uses it as t. Restored by {@link loadStateDict}. */
  stepCount = 0;
  readonly #paramNames: readonly string[];
  readonly #state: (Record<string, Tensor> | undefined)[];
  #lr: number;

  /**
   * @param name the optimizer's name, for error messages
   * @param source the parameters to step (a list, or a module)
   * @param lr learning rate, > 0; change it later through {@link lr}
   */
  protected constructor(name: string, source: ParameterSource, lr: unknown) {
    this.name = name;
    const { params, names } = resolveParameters(name, source);
    this.params = params;
    this.#paramNames = names;
    this.#state = params.map(() => undefined);
    this.#lr = expectPositive(name, 'lr', lr);
  }

  /** The learning rate; setting it (for a schedule) validates it like the constructor does. */
  get lr(): number {
    return this.#lr;
  }

  set lr(value: number) {
    this.#lr = expectPositive(this.name, 'lr', value);
  }

  /** The state slots this optimizer keeps per parameter, as named in {@link stateDict} (may be empty). */
  protected abstract slots(): readonly string[];

  /** The value a slot starts at (0 unless overridden: Adagrad's initial accumulator). */
  protected slotInitialValue(_slot: string): number {
    return 0;
  }

  /**
   * Runs the update kernel of one parameter. `grad` has been validated against
   * the parameter; `state` holds every slot; `step` is t ≥ 1 for this step.
   */
  protected abstract update(param: Parameter, grad: Gradient, state: OptimizerSlots, step: number): void;

  /**
   * Applies one update to every parameter that has a gradient, then advances
   * {@link stepCount}. Gradients are checked (shape, dtype, row-sparse layout)
   * for every parameter before any is updated. Row indices are data, so their
   * range is checked by the row-sparse kernel, before it writes anything; if
   * that throws, the parameters listed before the offending one have already
   * been stepped and `stepCount` has not advanced.
   *
   * @example
   * ```ts
   * backward(loss);
   * opt.step();
   * opt.zeroGrad();
   * ```
   */
  step(): void {
    const work: [number, Gradient][] = [];
    this.params.forEach((p, i) => {
      const g = p.grad;
      if (!g) return;
      this.#checkGradient(i, g);
      work.push([i, g]);
    });
    const t = this.stepCount + 1;
    noGrad(() => {
      for (const [i, g] of work) this.update(this.params[i], g, this.#slotsFor(i), t);
    });
    this.stepCount = t;
  }

  /**
   * Drops every parameter's gradient (call between steps: `backward` adds to
   * an existing gradient).
   *
   * @example
   * ```ts
   * opt.zeroGrad();
   * backward(loss);
   * opt.step();
   * ```
   */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /**
   * The state tensors of a parameter (by object or position), or undefined
   * before its first step. The tensors are live: they change with each step.
   *
   * @example
   * ```ts
   * const { momentum_buffer } = sgd.stateOf(w)!;
   * console.log(await momentum_buffer.read());
   * ```
   */
  stateOf(param: Parameter | number): OptimizerSlots | undefined {
    const i = typeof param === 'number' ? param : this.params.indexOf(param);
    if (!Number.isInteger(i) || i < 0 || i >= this.params.length) {
      throw new Error(`${this.name}.stateOf: ${typeof param === 'number' ? `position ${param} is out of range for ${this.params.length} parameters` : 'the parameter is not one this optimizer steps'}`);
    }
    return this.#state[i];
  }

  /**
   * The optimizer's state copied to the host, for checkpoints: one f32 entry
   * per parameter and slot, keyed `<paramIndex>.<slot>` (e.g. `0.exp_avg`),
   * plus `step` (u32, shape []) holding {@link stepCount}. Parameters that were
   * never stepped have no entries. The entries are `NamedArray`s, so the dict
   * can go straight to `encodeSafetensors`.
   *
   * @example
   * ```ts
   * const saved = await opt.stateDict();   // { step, '0.exp_avg', '0.exp_avg_sq', … }
   * const restored = new Adam(model, { lr: 1e-3 });
   * restored.loadStateDict(saved);
   * ```
   */
  async stateDict(): Promise<Record<string, NamedArray>> {
    const out: Record<string, NamedArray> = { step: { dtype: 'u32', shape: [], data: Uint32Array.of(this.stepCount) } };
    for (let i = 0; i < this.params.length; i++) {
      const slots = this.#state[i];
      if (!slots) continue;
      for (const [slot, t] of Object.entries(slots)) {
        out[`${i}.${slot}`] = { dtype: 'f32', shape: [...t.shape], data: (await t.read()) as Float32Array };
      }
    }
    return out;
  }

  /**
   * Replaces the optimizer's state with a saved one (from {@link stateDict}).
   * `step` is required; each parameter has all of its slots or none, each of
   * its shape, f32. Everything is checked before anything changes. Parameters
   * without entries start fresh. The values are copied.
   *
   * @example
   * ```ts
   * const opt = new Adam(model, { lr: 1e-3 });
   * opt.loadStateDict(await previous.stateDict());
   * ```
   */
  loadStateDict(dict: Record<string, NamedArray>): void {
    const where = `${this.name}.loadStateDict`;
    const step = dict.step;
    if (!step) throw new Error(`${where}: the saved state has no 'step' entry (the step count, u32 shape [])`);
    if (step.dtype !== 'u32' || step.shape.length !== 0 || !(step.data instanceof Uint32Array) || step.data.length !== 1) {
      throw new Error(`${where}: 'step' is ${step.dtype} ${formatShape(step.shape)} with ${step.data.length} values; expected one u32 value, shape []`);
    }
    const slots = this.slots();
    const found: Map<string, NamedArray>[] = this.params.map(() => new Map());
    for (const [key, entry] of Object.entries(dict)) {
      if (key === 'step') continue;
      const match = /^(\d+)\.(.+)$/.exec(key);
      if (!match) throw new Error(`${where}: key '${key}' is not '<paramIndex>.<slot>' or 'step'`);
      const i = Number(match[1]);
      const slot = match[2];
      if (i >= this.params.length) throw new Error(`${where}: key '${key}' names parameter ${i}, but this optimizer has ${this.params.length} parameters`);
      if (!slots.includes(slot)) {
        throw new Error(`${where}: key '${key}' names slot '${slot}', which ${this.name} with these options does not keep (slots: ${slots.join(', ') || 'none'})`);
      }
      const p = this.params[i];
      if (entry.dtype !== 'f32' || !(entry.data instanceof Float32Array) || !shapesEqual(entry.shape, p.shape) || entry.data.length !== p.size) {
        throw new Error(`${where}: '${key}' is ${entry.dtype} ${formatShape(entry.shape)} with ${entry.data.length} values; parameter ${this.#describe(i)} needs f32 ${formatShape(p.shape)}`);
      }
      found[i].set(slot, entry);
    }
    found.forEach((entries, i) => {
      const missing = slots.filter((s) => !entries.has(s));
      if (entries.size > 0 && missing.length > 0) {
        throw new Error(`${where}: parameter ${this.#describe(i)} has saved ${[...entries.keys()].join(', ')} but lacks ${missing.map((s) => `'${i}.${s}'`).join(', ')}`);
      }
    });
    found.forEach((entries, i) => {
      this.#disposeSlots(i);
      if (entries.size === 0) return;
      const p = this.params[i];
      const state: Record<string, Tensor> = {};
      for (const slot of slots) state[slot] = keep(tensor(entries.get(slot)!.data, p.shape, { backend: p.backend }));
      this.#state[i] = state;
    });
    this.stepCount = step.data[0];
  }

  /**
   * Releases every state tensor (GPU memory on `webgpu`) and forgets the
   * state; the next step starts fresh. The parameters are untouched.
   *
   * @example
   * ```ts
   * opt.dispose();
   * ```
   */
  dispose(): void {
    for (let i = 0; i < this.params.length; i++) this.#disposeSlots(i);
  }

  #disposeSlots(i: number): void {
    const slots = this.#state[i];
    if (slots) for (const t of Object.values(slots)) t.dispose();
    this.#state[i] = undefined;
  }

  #slotsFor(i: number): OptimizerSlots {
    let state = this.#state[i];
    if (!state) {
      const p = this.params[i];
      state = {};
      for (const slot of this.slots()) state[slot] = keep(full(p.shape, this.slotInitialValue(slot), { backend: p.backend }));
      this.#state[i] = state;
    }
    return state;
  }

  #describe(i: number): string {
    const name = this.#paramNames[i];
    return name ? `${i} ('${name}')` : `${i}`;
  }

  #checkGradient(i: number, g: Gradient): void {
    const p = this.params[i];
    // The message's subject, built only when a check fails (this runs for every parameter every step).
    const what = (): string => `${this.name}.step: the gradient of parameter ${this.#describe(i)} ${formatShape(p.shape)}`;
    if (p.dtype !== 'f32') throw new Error(`${what()} cannot be applied: the parameter is ${p.dtype}, optimizers update f32 parameters`);
    if (g instanceof RowSparse) {
      if (p.rank < 1) throw new Error(`${what()} is row-sparse, but the parameter is a scalar`);
      if (!shapesEqual(g.shape, p.shape)) throw new Error(`${what()} is row-sparse for a table of shape ${formatShape(g.shape)}`);
      if (g.indices.dtype !== 'i32' || g.indices.rank !== 1) {
        throw new Error(`${what()} is row-sparse with indices ${g.indices.dtype} ${formatShape(g.indices.shape)}; expected i32 [n]`);
      }
      const expected = [g.indices.shape[0], ...p.shape.slice(1)];
      if (g.values.dtype !== 'f32' || !shapesEqual(g.values.shape, expected)) {
        throw new Error(`${what()} is row-sparse with values ${g.values.dtype} ${formatShape(g.values.shape)}; expected f32 ${formatShape(expected)} (one row per index)`);
      }
      return;
    }
    if (!(g instanceof Tensor)) throw new Error(`${what()} is neither a Tensor nor a RowSparse gradient`);
    if (g.dtype !== 'f32' || !shapesEqual(g.shape, p.shape)) {
      throw new Error(`${what()} is ${g.dtype} ${formatShape(g.shape)}; expected f32 ${formatShape(p.shape)}`);
    }
  }
}

function resolveParameters(name: string, source: ParameterSource): { params: Parameter[]; names: string[] } {
  let params: Parameter[];
  let names: string[] = [];
  if (Array.isArray(source)) {
    params = [...(source as readonly Parameter[])];
  } else if (source !== null && typeof source === 'object' && typeof (source as { parameters?: unknown }).parameters === 'function') {
    const module = source as Exclude<ParameterSource, readonly Parameter[]>;
    if (typeof module.namedParameters === 'function') {
      const named = module.namedParameters();
      params = named.map(([, p]) => p);
      names = named.map(([n]) => n);
    } else {
      params = module.parameters();
    }
  } else {
    throw new Error(`${name}: expected a list of Parameters or a module with parameters(), got ${source === null ? 'null' : typeof source}`);
  }
  if (params.length === 0) throw new Error(`${name}: no parameters to optimize`);
  const seen = new Map<Parameter, number>();
  params.forEach((p, i) => {
    if (!(p instanceof Parameter)) throw new Error(`${name}: item ${i} of the parameter list is not a Parameter (${String(p)})`);
    const first = seen.get(p);
    if (first !== undefined) throw new Error(`${name}: parameter ${i} is the same object as parameter ${first}; each parameter may appear once, or it would be stepped twice`);
    seen.set(p, i);
  });
  return { params, names };
}
