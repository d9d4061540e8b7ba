/**
 * A bounded heap keeping the k best (score, index) pairs seen: best = higher
 * score, and on equal scores the lower index (a stable sort by descending
 * score). The one top-K selection behind `@rec/eval`'s `topKIndices` and the
 * `rank_topk` reference. O(n log k) for n offers.
 *
 * Contract: offers arrive in ascending index order (items 0, 1, 2, … with
 * gaps), so an equal score never displaces the worst kept pair — it would lose
 * the tie on index.
 *
 * @example
 * ```ts
 * const heap = new TopKHeap(2);
 * [0.5, 0.9, 0.1, 0.9].forEach((s, i) => heap.offer(s, i));
 * const best = new Int32Array(2);
 * heap.drainBestFirst(best); // Int32Array [1, 3]
 * ```
 */
export class TopKHeap {
  private readonly scores: Float64Array;
  private readonly indices: Int32Array;
  private count = 0;

  constructor(readonly capacity: number) {
    this.scores = new Float64Array(capacity);
    this.indices = new Int32Array(capacity);
  }

  /** Pairs kept so far (at most `capacity`). */
  get size(): number {
    return this.count;
  }

  /** Considers one pair; `index` must exceed every index offered before. */
  offer(score: number, index: number): void {
    const { scores, indices } = this;
    if (this.count < this.capacity) {
      let at = this.count++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(score, index, scores[parent], indices[parent])) break;
        scores[at] = scores[parent];
        indices[at] = indices[parent];
        at = parent;
      }
      scores[at] = score;
      indices[at] = index;
    } else if (this.count > 0 && score > scores[0]) {
      scores[0] = score;
      indices[0] = index;
      this.siftDown();
    }
  }

  /**
   * Writes the kept pairs best first into `outIndices` (and `outScores`) from
   * `offset`, and empties the heap. Returns how many were written.
   */
  drainBestFirst(outIndices: Int32Array, outScores?: Float32Array | Float64Array, offset = 0): number {
    const written = this.count;
    for (let o = written - 1; o >= 0; o--) {
      outIndices[offset + o] = this.indices[0];
      if (outScores) outScores[offset + o] = this.scores[0];
      this.count--;
      if (this.count > 0) {
        this.scores[0] = this.scores[this.count];
        this.indices[0] = this.indices[this.count];
        this.siftDown();
      }
    }
    return written;
  }

  private siftDown(): void {
    const { scores, indices, count } = this;
    let at = 0;
    const s = scores[0];
    const i = indices[0];
    for (;;) {
      const left = 2 * at + 1;
      if (left >= count) break;
      let child = left;
      if (left + 1 < count && worse(scores[left + 1], indices[left + 1], scores[left], indices[left])) child = left + 1;
      if (!worse(scores[child], indices[child], s, i)) break;
      scores[at] = scores[child];
      indices[at] = indices[child];
      at = child;
    }
    scores[at] = s;
    indices[at] = i;
  }
}

/** `a` ranks below `b`: a lower score, or the same score and a higher index. */
function worse(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}
