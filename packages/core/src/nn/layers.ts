import { gather } from '../ops/indexing.js';
import { relu } from '../ops/elementwise.js';
import { dense, dropout, layerNorm, linear } from '../ops/nn.js';
import { Philox } from '../random/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { type InitSource, normalInit, xavierUniform } from './init.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/**
 * An embedding table `[count, dim]`; `forward(ids)` looks rows up, and the
 * table's gradient is row-sparse (only the looked-up rows).
 *
 * @example
 * ```ts
 * const items = new Embedding(1682, 64, { seed: 7 });
 * const v = items.forward(tensor(new Int32Array([0, 5]))); // [2, 64]
 * ```
 */
export class Embedding extends Module {
  readonly weight: Parameter;

  /**
   * @param count number of rows (users, items, categories…)
   * @param dim embedding size
   * @param init where initial values come from; rows are N(0, std²), std default 0.01 as in NCF and BPR-MF
   */
  constructor(readonly count: number, readonly dim: number, init: InitSource & { std?: number }) {
    super();
    const std = 'std' in init && init.std !== undefined ? init.std : 0.01;
    this.weight = new Parameter(normalInit([count, dim], std, init), [count, dim]);
  }

  forward(ids: Tensor): Tensor {
    return gather(this.weight, ids);
  }
}

/** y = x·W + b over the last axis; W `[in, out]` Glorot-uniform, b zero. */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;

  constructor(readonly inFeatures: number, readonly outFeatures: number, init: InitSource, options: { bias?: boolean } = {}) {
    super();
    this.weight = new Parameter(xavierUniform([inFeatures, outFeatures], init), [inFeatures, outFeatures]);
    this.bias = options.bias === false ? undefined : new Parameter(new Float32Array(outFeatures), [outFeatures]);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

/** Layer normalisation over the last axis with learned gain γ (ones) and shift β (zeros). */
export class LayerNorm extends Module {
  readonly gamma: Parameter;
  readonly beta: Parameter;

  constructor(readonly dim: number, readonly epsilon = 1e-5) {
    super();
    this.gamma = new Parameter(new Float32Array(dim).fill(1), [dim]);
    this.beta = new Parameter(new Float32Array(dim), [dim]);
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.gamma, this.beta, this.epsilon);
  }
}

/**
 * A dropout layer: active in training mode, the identity in eval mode. Each
 * call advances its own Philox counter, so successive batches get fresh masks
 * and a run is reproducible from the seed. The counter is training state: a
 * checkpoint keeps it ({@link counter}) and a resumed run restores it
 * ({@link seek}), so the resumed run draws the masks the uninterrupted one would.
 */
export class Dropout extends Module {
  #counter = 0;

  constructor(readonly p: number, readonly randomness: { seed: number; stream?: number }) {
    super();
  }

  /** How far the Philox counter has advanced: the mask values drawn so far in training mode. */
  get counter(): number {
    return this.#counter;
  }

  /**
   * Sets the counter (a checkpoint's {@link counter}).
   * @throws Error when it is not a non-negative safe integer.
   */
  seek(counter: number): void {
    if (!Number.isSafeInteger(counter) || counter < 0) throw new Error(`Dropout: counter must be a non-negative integer, got ${String(counter)}`);
    this.#counter = counter;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    const counter = this.#counter;
    this.#counter += x.size;
    return dropout(x, this.p, { ...this.randomness, counter });
  }
}

/** Options of {@link MLP}. */
export interface MLPOptions {
  /** Apply ReLU after the last layer too (default false: the last layer is linear). */
  activateLast?: boolean;
  /** Dropout probability after each hidden activation (default 0). */
  dropout?: number;
}

/**
 * A tower of Linear layers with ReLU between them: the MLP of NCF (He et al.
 * 2017, eq. 10) and NMTR's MLP units. `sizes` = [input, hidden…, output]. Each
 * layer with its activation is one fused {@link dense} op.
 */
export class MLP extends Module {
  readonly layers: Linear[];
  readonly dropouts: Dropout[];

  constructor(readonly sizes: readonly number[], init: InitSource, readonly options: MLPOptions = {}) {
    super();
    if (sizes.length < 2) throw new Error(`MLP: sizes [${sizes.join(', ')}] need an input and an output size`);
    const rng = init instanceof Philox ? init : new Philox(init);
    this.layers = sizes.slice(1).map((out, i) => new Linear(sizes[i], out, rng));
    // Dropout seeds come from the same generator, after the weights, so weights do not depend on the dropout rate.
    this.dropouts = this.layers.map(() => new Dropout(options.dropout ?? 0, { seed: rng.nextU32() }));
  }

  forward(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((layer, i) => {
      const activate = i < this.layers.length - 1 || this.options.activateLast === true;
      if (!activate) {
        h = layer.forward(h);
        return;
      }
      h = layer.bias ? dense(h, layer.weight, layer.bias, 'relu') : relu(layer.forward(h));
      h = this.dropouts[i].forward(h);
    });
    return h;
  }
}
