import { bprLoss, Embedding, gather, matmul, Module, noGrad, sum, mul, tensor, tidy, type Tensor } from '@rec/core';
import type { DotProductFactors, Recommender } from '../plugin/inference.js';
import { type MaybePromise, readAndDispose } from '../training/read.js';

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
 * Choices: no item bias (the paper's MF has none). It is trained by LearnBPR's
 * plain SGD with the per-triple λ‖Θ‖² prior through the fused `bpr_step`
 * kernel (`FusedBPRObjective`, the `bpr` model of the registry); `loss` is the
 * same objective as a differentiable tensor, for autograd-based objectives.
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

  /** Scores of `users` against every item, row-major; a promise on `webgpu`, which reads back asynchronously. */
  scoreUsers(users: Int32Array): MaybePromise<Float32Array> {
    const scores = tidy(() => noGrad(() => matmul(gather(this.users.weight, tensor(users)), this.items.weight, { transposeB: true })));
    return readAndDispose(scores);
  }

  /** The score is ⟨users[u], items[i]⟩: these tables, for ranking through `rank_topk`. */
  dotProductFactors(): DotProductFactors {
    return { users: this.users.weight, items: this.items.weight };
  }
}
