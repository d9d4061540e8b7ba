import { noGrad, tidy, type Tensor, type TypedArray } from '@rec/core';
import { hostValues, type MaybePromise } from '../training/read.js';

/**
 * A batch of (user, item, behaviour) rows for pointwise models, sorted by
 * behaviour: rows `starts[r] … starts[r+1]−1` belong to behaviour r, so rows
 * from `starts[r]` on are those whose behaviour is r or higher — the rows a
 * cascade's r-th unit contributes to (NMTR eq. 9).
 */
export interface BehaviorRows {
  readonly users: Tensor;
  readonly items: Tensor;
  /** Length R + 1, non-decreasing, `starts[0] = 0`, `starts[R]` = rows. */
  readonly starts: readonly number[];
}

/** What the pointwise objective trains: logits of behaviour-sorted rows. */
export interface PointwiseModel {
  /** Behaviours the model predicts (1 for single-behaviour models). */
  readonly numBehaviors: number;
  /** out^r_ui of each row, f32 `[rows]`, differentiable. */
  logits(rows: BehaviorRows): Tensor;
}

/** What the pairwise (BPR) objective trains: x̂_ui of aligned rows. */
export interface PairwiseModel {
  score(users: Tensor, items: Tensor): Tensor;
}

/**
 * Users per block when a model scores all items through a tower: `tower_score`
 * keeps no b·I·H activations, so the block only bounds the b·I scores and
 * amortises the item half of the first layer (I·E·H₁) over more users.
 */
export const TOWER_SCORE_BLOCK = 64;

/**
 * Fills a `users.length × numItems` score matrix block by block from `scoreBlock`,
 * under `noGrad` and `tidy`, so scoring never records a tape or keeps temporaries.
 * Synchronous where the backend reads synchronously (`js`, `native`: each block is
 * copied once, straight into the result); a promise on `webgpu`, whose blocks are
 * read back one after another.
 */
export function scoreInBlocks(users: Int32Array, numItems: number, blockSize: number, scoreBlock: (block: Int32Array) => Tensor): MaybePromise<Float32Array> {
  const out = new Float32Array(users.length * numItems);
  const fillFrom = (start: number): MaybePromise<Float32Array> => {
    for (let lo = start; lo < users.length; lo += blockSize) {
      const block = users.subarray(lo, Math.min(users.length, lo + blockSize));
      const scores = tidy(() => noGrad(() => scoreBlock(block)));
      const store = (values: TypedArray): void => {
        out.set(values.subarray(0, block.length * numItems), lo * numItems);
        scores.dispose();
      };
      const values = hostValues(scores);
      if (values instanceof Promise) {
        return values.then((v) => {
          store(v);
          return fillFrom(lo + blockSize);
        });
      }
      store(values);
    }
    return out;
  };
  return fillFrom(0);
}
