import type { DatasetEntry } from './entry.js';

/** Readers of this family, filled in as they are written. */
export const movieLensDatasets: readonly DatasetEntry[] = [];
