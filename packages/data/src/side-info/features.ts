/**
 * A dense feature matrix, one row per item (or user): e.g. TikTok's 128-d
 * image and audio features, or visual features for the second-hand paper's
 * per-category transforms. Row-major f32.
 */
export interface DenseFeatures {
  readonly rows: number;
  readonly dim: number;
  readonly values: Float32Array;
}

/** Builds a {@link DenseFeatures}, checking that `values` holds rows × dim numbers. */
export function denseFeatures(rows: number, dim: number, values: Float32Array, source = 'features'): DenseFeatures {
  if (values.length !== rows * dim) throw new Error(`${source}: expected ${rows} × ${dim} = ${rows * dim} values, got ${values.length}`);
  return { rows, dim, values };
}

/** A categorical user attribute: one code per user into `vocabulary` (−1 = missing). */
export interface CategoricalFeature {
  readonly codes: Int32Array;
  readonly vocabulary: readonly string[];
}

/**
 * User side information (CCRec's demographics): categorical columns (gender,
 * occupation, zip prefix…) and numeric ones (age…), aligned with the user index.
 */
export interface UserFeatures {
  readonly categorical: Readonly<Record<string, CategoricalFeature>>;
  readonly numeric: Readonly<Record<string, Float32Array>>;
}
