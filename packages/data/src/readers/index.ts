import type { DatasetEntry } from './entry.js';
import { movieLensDatasets } from './movielens.js';
import { multiBehaviorDatasets } from './multi-behavior.js';
import { s3recDatasets } from './s3rec.js';
import { tiktokDatasets } from './tiktok.js';
import { yelpCore40Datasets } from './yelp-core40.js';

/** Every dataset @rec can read, by registry name. */
export const DATASETS: readonly DatasetEntry[] = [
  ...movieLensDatasets,
  ...s3recDatasets,
  ...tiktokDatasets,
  ...multiBehaviorDatasets,
  ...yelpCore40Datasets,
];

/** The entry registered under `name`, or an error listing the known names. */
export function datasetEntry(name: string): DatasetEntry {
  const entry = DATASETS.find((d) => d.name === name);
  if (!entry) throw new Error(`unknown dataset '${name}'; known: ${DATASETS.map((d) => d.name).join(', ')}`);
  return entry;
}

export type { DatasetEntry } from './entry.js';
