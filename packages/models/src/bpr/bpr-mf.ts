import {
  Adam, backward, bprLoss, Embedding, gather, matmul, Module, noGrad, Philox, sampleNegatives, sum, mul, tensor, tidy,
  type Tensor,
} from '@rec/core';
import type { Recommender } from '../recommender.js';

/** Hyper-parameters of {@link BPRMF}. */
export interface BPRMFConfig {
  numUsers: number;
  numItems: number;
  /** Embedding size (default 64). */
  dim?: number;
  /** Seed of the initial factors (default 0). */
  seed?: number;
  /** Standard deviation of the initial factors (default 0.1). */
  initStd?: number;
}

/**
 * BPR-MF (Rendle et al., "BPR: Bayesian Personalized Ranking from Implicit
 * Feedback", UAI 2009): x̂_ui = ⟨p_u, q_i⟩, trained on triples (u, i, j) with i
 * a positive and j a sampled non-positive of u by maximising
 * ln σ(x̂_ui − x̂_uj) − λ‖Θ‖² (eq. 4 and §4.3 LearnBPR).
 *
 * Choices: no item bias (the paper's MF has none); the λ‖Θ‖² prior is applied
 * as L2 weight decay on the rows a triple touches, which is exactly the
 * per-triple regulariser of LearnBPR's update; mini-batches of triples with
 * Adam instead of single-triple SGD (same objective, fewer passes).
 */
export class BPRMF extends Module implements Recommender {
  readonly users: Embedding;
  readonly items: Embedding;
  readonly numItems: number;

  constructor(readonly config: BPRMFConfig) {
    super();
    const dim = config.dim ?? 64;
    const seed = config.seed ?? 0;
    const std = config.initStd ?? 0.1;
    this.numItems = config.numItems;
    this.users = new Embedding(config.numUsers, dim, { seed, stream: 0, std });
    this.items = new Embedding(config.numItems, dim, { seed, stream: 1, std });
  }

  /** x̂_ui for aligned `users` and `items` (i32 [n]) → f32 [n]. */
  score(users: Tensor, items: Tensor): Tensor {
    return sum(mul(this.users.forward(users), this.items.forward(items)), 1);
  }

  /** Mean BPR loss −ln σ(x̂_ui − x̂_uj) of a batch of triples. */
  loss(users: Tensor, positives: Tensor, negatives: Tensor): Tensor {
    const p = this.users.forward(users);
    const pos = sum(mul(p, this.items.forward(positives)), 1);
    const neg = sum(mul(p, this.items.forward(negatives)), 1);
    return bprLoss(pos, neg);
  }

  scoreUsers(users: Int32Array): Float32Array {
    return tidy(() => noGrad(() => matmul(gather(this.users.weight, tensor(users)), this.items.weight, { transposeB: true }).readSync() as Float32Array).slice());
  }
}

/** The training data BPR needs: observed pairs and each user's positives as CSR. */
export interface BPRTrainingData {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly positives: { readonly indptr: Int32Array; readonly indices: Int32Array };
}

/** Options of {@link fitBPR}. */
export interface FitBPROptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** λ of the L2 prior (default 1e-5). */
  l2?: number;
  seed?: number;
  /** Called after every batch with the epoch (0-based), batch index, batches per epoch and the batch loss. */
  onBatch?: (progress: { epoch: number; batch: number; batches: number; loss: number }) => void;
}

/**
 * LearnBPR with mini-batches: each epoch draws |S| positive pairs uniformly
 * with replacement (bootstrap sampling, §4.3), a uniform non-positive item
 * for each, and takes one Adam step per batch. Returns the mean loss per epoch.
 */
export function fitBPR(model: BPRMF, data: BPRTrainingData, options: FitBPROptions = {}): number[] {
  const epochs = options.epochs ?? 20;
  const batchSize = options.batchSize ?? 1024;
  const seed = options.seed ?? 0;
  const n = data.users.length;
  if (n === 0) throw new Error('fitBPR: the training data has no interactions');
  const optimizer = new Adam(model.parameters(), { lr: options.learningRate ?? 0.01, weightDecay: options.l2 ?? 1e-5 });
  const pairs = new Philox({ seed, stream: 10 });
  const positives = { indptr: tensor(data.positives.indptr), indices: tensor(data.positives.indices) };
  const maxTries = 16;
  const batches = Math.ceil(n / batchSize);
  const history: number[] = [];
  let counter = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    let total = 0;
    for (let b = 0; b < batches; b++) {
      const size = Math.min(batchSize, n - b * batchSize);
      const u = new Int32Array(size);
      const i = new Int32Array(size);
      for (let k = 0; k < size; k++) {
        const row = pairs.int(n);
        u[k] = data.users[row];
        i[k] = data.items[row];
      }
      const loss = tidy(() => {
        const users = tensor(u);
        const { negatives } = sampleNegatives(users, positives, model.numItems, { seed, stream: 11, counter }, maxTries);
        const l = model.loss(users, tensor(i), negatives);
        backward(l);
        optimizer.step();
        optimizer.zeroGrad();
        return l.item();
      });
      counter += size * maxTries;
      total += loss * size;
      options.onBatch?.({ epoch, batch: b, batches, loss });
    }
    history.push(total / n);
  }
  return history;
}
