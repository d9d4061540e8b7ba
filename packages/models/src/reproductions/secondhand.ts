/**
 * `rec reproduce secondhand`: the second-hand paper's Tables 2–5 layout (Accuracy@K, AUC@K,
 * NDCG@K and F1@K at K = 5, 10, 20), overall and on the near-unique items the paper is
 * about, on public stand-ins: Mercari's data is not public here, and no public set at hand
 * has a category hierarchy, image features and interactions together.
 *
 * Protocol (§4.1–4.2):
 * - **Sampling (§4.1):** 1,000 users drawn uniformly (`sampleUsers`, seeded), with all their
 *   rows; users and items then renumbered densely (`compactInteractions`), the category
 *   leaves and feature rows with them.
 * - **Split (§4.2):** a random 8:1:1 split of the (user, item) pairs (`randomRatioSplit`).
 * - **Ranking:** full ranking over every item of the sample, the user's training items
 *   masked; the test pairs are the relevant set. Metrics as the paper defines them: Accuracy@K
 *   (eq. 10), NDCG@K (eq. 11), AUC@K (eq. 12, `TopKAUC`), F1@K in eq. 13's form (harmonic mean
 *   of the mean Precision@K and the mean Recall@K, `f1FromMeans`, not the per-user F1).
 * - **The rare slice:** the same metrics over the test pairs whose item has at most 2
 *   training users (the paper's Men set has 1.56 users per item), each user scored on those
 *   of their test items only.
 * - **Validation:** Accuracy@10 on the validation pairs, early stopping with patience 3.
 * - **Vector length:** every model's final user/item vector has `--dim` entries (§4.2: "the
 *   same length … for fair comparison"): BPR's factor is `dim`; OurModel splits it into m
 *   category levels of `dim / m` (plus a visual part of the same size where the data has
 *   image features: `dim / (m + 1)` each).
 *
 * - **Tuning (§4.2):** every trained method searches the learning rates {0.1, 0.3, 0.01,
 *   0.003, 0.001} × the batch sizes {64, 128, 256} on validation (`--tune` and `--tune-batch`
 *   replace them). §4.2's dimension grid is not searched: the vector length is one setting
 *   (`--dim`) shared by every row, as §4.2 asks.
 *
 * - **VBPR, VBPR-I and VBPR-II** where the data has images (TikTok), with uniform negatives
 *   and the same vector length (VBPR: K = K' = dim / 2; the variants: K' = dim);
 *   **Sherlock and DeepStyle** with their variants where it has images and a tree
 *   (`tiktok-tree`: the tree is clustered from the acoustic features).
 * - **Ablation (ours)** where there is a tree: OurModel-S and OurModel with uniform J1
 *   negatives, to test whether §3.3.1's category negatives are what keeps J1 from learning a
 *   user's upper-level preferences.
 * - **Significance:** each claim's per-user paired t-test (Accuracy@10 and our full AUC,
 *   overall and on the rare slice); `--seed` redraws the sample, the split and every model.
 *
 * @see secondhand-hierarchical-visual-multi-task.txt §4.1–4.4 (Tables 1–5).
 */
import { CategoryTree, clusterTree, compactInteractions, type Dataset, type DenseFeatures, type Interactions, randomRatioSplit, sampleUsers, UserItemCSR } from '@rec/data';
import { createReport, evaluateAUC, evaluateFullRanking, f1FromMeans, pairedTTest, type ReportRow, type TrainingCurve } from '@rec/eval';
import { type TrainingData, trainingDataOf } from '../plugin/data.js';
import { type Predictor, rankingOf, requireOutput } from '../plugin/inference.js';
import { rankingValidation, type TrainedModel } from '../plugin/train.js';
import {
  bestValidation, formatMetric as fmt, type MethodEvaluation, pairPerUser, type PerUserValues, type MethodResult, type PreparedProtocol, type Reproduction, type ReproductionMethod, type ReproductionReport,
  type ReproductionSettings, type SeedRun, type TuningCandidate,
} from '../reproduction/define.js';

/** The datasets `rec reproduce secondhand --data` accepts. */
export const SECONDHAND_DATASETS = {
  yelp: { dataset: 'yelp-s3rec-hier', label: 'Yelp 2019 (S3-Rec) with 4-level category paths, 1,000 sampled users, no images' },
  toys: { dataset: 'amazon-s3rec/Toys_and_Games-ratings', label: 'Amazon Toys & Games (S3-Rec) with its category paths cut to 3 levels below "Toys & Games", 1,000 sampled users, no images' },
  tiktok: { dataset: 'tiktok-diffmm', label: 'TikTok (DiffMM) with 128-d image features, one category, 1,000 sampled users' },
  'tiktok-tree': {
    dataset: 'tiktok-diffmm',
    label: 'TikTok (DiffMM) with 128-d image features and a 2-level tree clustered from its acoustic features (8 × 4), 1,000 sampled users',
  },
} as const;

/**
 * Stand-ins whose category tree is made here: `tiktok-tree` clusters TikTok's 128-d acoustic
 * features (k-means, 8 top categories of up to 4; `clusterTree`, seed 1, over all 6,710 videos
 * before sampling), so that one set has both a hierarchy and images. The tree is a fixture of
 * the data (the same for every `--seed`). Its categories are "what the video sounds like": they
 * carry information the image features do not, as a marketplace's categories would, but
 * they are not a merchant's taxonomy.
 */
export const SECONDHAND_CLUSTERED_TREES: Readonly<Partial<Record<SecondhandData, { readonly features: string; readonly branching: readonly number[] }>>> = {
  'tiktok-tree': { features: 'audio', branching: [8, 4] },
};

/**
 * Each stand-in's category levels and whether it has image features: how OurModel's final
 * vector splits into parts (checked against the data when the protocol is prepared).
 */
export const SECONDHAND_SHAPES: Readonly<Record<SecondhandData, { readonly levels: number; readonly images: boolean }>> = {
  yelp: { levels: 4, images: false },
  toys: { levels: 3, images: false },
  tiktok: { levels: 1, images: true },
  'tiktok-tree': { levels: 2, images: true },
};

/** A `--data` key of {@link SECONDHAND_DATASETS}. */
export type SecondhandData = keyof typeof SECONDHAND_DATASETS;

/** Users sampled per set (§4.1: 1,000 for Men, Women, Kids and Artworks). */
export const SECONDHAND_USERS = 1000;
/** Items with at most this many training users form the rare slice. */
export const RARE_MAX_USERS = 2;
/** The cut-offs of Tables 2–5. */
export const SECONDHAND_KS = [5, 10, 20] as const;
const VALIDATION = 'Accuracy@10';
const PATIENCE = 3;

/** §4.2's learning rates, searched on validation for every trained method (`--tune` replaces them). */
export const SECONDHAND_LEARNING_RATES = [0.1, 0.3, 0.01, 0.003, 0.001] as const;

/** Table 1 of the paper (users, items, interactions of the sampled Mercari sets). */
export const SECONDHAND_PAPER_TABLE1 = [
  { set: 'Men', users: 1000, items: 212487, interactions: 330690 },
  { set: 'Women', users: 1000, items: 267597, interactions: 532246 },
  { set: 'Kids', users: 1000, items: 56628, interactions: 117554 },
  { set: 'Mix', users: 400, items: 200731, interactions: 355264 },
  { set: 'Artworks', users: 1000, items: 82320, interactions: 133020 },
] as const;

/** A visual baseline with its Variant-I and Variant-II (§4.3). */
const visualFamily = (model: string, name: string): ReproductionMethod[] => [
  { id: model, name, group: name, config: { model } },
  { id: `${model}-i`, name: `${name}-I`, group: name, config: { model: `${model}-i` } },
  { id: `${model}-ii`, name: `${name}-II`, group: name, config: { model: `${model}-ii` } },
];

/**
 * The rows of one stand-in, report order: the visual baselines only where the data has
 * images, and Sherlock and DeepStyle only where it has a hierarchy too (on one category
 * Sherlock's projection is VBPR's and DeepStyle's category vector drops out of every ranking).
 */
export function secondhandMethods(data?: string): ReproductionMethod[] {
  const shape = data === undefined ? undefined : SECONDHAND_SHAPES[data as SecondhandData];
  const images = shape?.images === true;
  return [
    { id: 'most-popular', name: 'Most popular', group: 'Baselines', config: { model: 'most-popular' } },
    { id: 'bpr', name: 'BPR (free item factors)', group: 'Baselines', config: { model: 'bpr' } },
    ...(images ? visualFamily('vbpr', 'VBPR') : []),
    ...(images && shape!.levels > 1 ? [...visualFamily('sherlock', 'Sherlock'), ...visualFamily('deepstyle', 'DeepStyle')] : []),
    { id: 'secondhand-s', name: 'OurModel-S (J1 only)', group: 'Second-hand', config: { model: 'secondhand-s' } },
    { id: 'secondhand', name: 'OurModel', group: 'Second-hand', config: { model: 'secondhand' } },
    // Where there is a tree, J1's category negatives against uniform ones (on one category they are the same).
    ...(shape !== undefined && shape.levels > 1
      ? [
        { id: 'secondhand-s.uniform', name: 'OurModel-S, uniform negatives (ours)', group: 'Ablation (ours)', config: { model: 'secondhand-s', sampler: 'uniform' } },
        { id: 'secondhand.uniform', name: 'OurModel, uniform negatives (ours)', group: 'Ablation (ours)', config: { model: 'secondhand', sampler: 'uniform' } },
      ]
      : []),
  ];
}

/** What the protocol prepares. */
export interface SecondhandProtocol extends PreparedProtocol {
  readonly train: Interactions;
  readonly valid: Interactions;
  readonly test: Interactions;
  readonly trainMask: UserItemCSR;
  readonly testItems: UserItemCSR;
  /** Each user's test items with at most {@link RARE_MAX_USERS} training users (undefined: none). */
  readonly rareItems: readonly (Int32Array | undefined)[];
  readonly hasImages: boolean;
  /** The sample's shape beside the paper's Table 1. */
  readonly stats: { users: number; items: number; interactions: number; usersPerItem: number; itemsPerUser: number; rareTestPairs: number; testPairs: number };
}

/** The item side info of `dataset` restricted to the sample's items, in their new order. */
function sampledSideInfo(dataset: Dataset, oldOf: Int32Array): Pick<Dataset, 'categoryTree' | 'itemLeafCategory' | 'itemFeatures'> {
  const features = dataset.itemFeatures
    ? Object.fromEntries(Object.entries(dataset.itemFeatures).map(([name, f]): [string, DenseFeatures] => {
      const values = new Float32Array(oldOf.length * f.dim);
      oldOf.forEach((i, n) => values.set(f.values.subarray(i * f.dim, (i + 1) * f.dim), n * f.dim));
      return [name, { rows: oldOf.length, dim: f.dim, values }];
    }))
    : undefined;
  return {
    ...(dataset.categoryTree ? { categoryTree: dataset.categoryTree } : {}),
    ...(dataset.itemLeafCategory ? { itemLeafCategory: Int32Array.from(oldOf, (i) => dataset.itemLeafCategory![i]!) } : {}),
    ...(features ? { itemFeatures: features } : {}),
  };
}

/**
 * Stand-ins whose tree is cut: Toys' attribute paths (`attributeTree`) all start at the one
 * node "Toys & Games", which says nothing about an item, and a few items chain several paths
 * into 30 levels; the cut keeps levels 1–3 below that root (18, 164 and their children; 96% of
 * items have at most 3), an item deeper than that sits at its level-3 ancestor, and an item
 * at the root alone has no category.
 */
export const SECONDHAND_TREE_CUTS: Readonly<Partial<Record<SecondhandData, { readonly from: number; readonly levels: number }>>> = {
  toys: { from: 1, levels: 3 },
};

/** `tree` and `itemLeaf` keeping depths `from` … `from + levels − 1` (the paths' nodes in between, by name). */
function cutTree(tree: CategoryTree, itemLeaf: Int32Array, from: number, levels: number): { categoryTree: CategoryTree; itemLeafCategory: Int32Array } {
  const paths = Array.from(itemLeaf, (c) => (c < 0 ? [] : Array.from(tree.pathOf(c).subarray(from, from + levels), (n) => tree.names[n]!)));
  const { tree: cut, leafOf } = CategoryTree.fromPaths(paths);
  return { categoryTree: cut, itemLeafCategory: leafOf };
}

/** `dataset` with the tree {@link SECONDHAND_CLUSTERED_TREES} makes or {@link SECONDHAND_TREE_CUTS} cuts for `data` (unchanged for the others). */
function withSecondhandTree(dataset: Dataset, data: string): Dataset {
  const cut = SECONDHAND_TREE_CUTS[data as SecondhandData];
  if (cut) {
    if (!dataset.categoryTree || !dataset.itemLeafCategory) throw new Error(`reproduce secondhand: --data ${data} cuts the category tree of ${dataset.name}, which has none`);
    return { ...dataset, ...cutTree(dataset.categoryTree, dataset.itemLeafCategory, cut.from, cut.levels) };
  }
  const recipe = SECONDHAND_CLUSTERED_TREES[data as SecondhandData];
  if (!recipe) return dataset;
  const features = dataset.itemFeatures?.[recipe.features];
  if (!features) throw new Error(`reproduce secondhand: --data ${data} clusters the '${recipe.features}' item features, which ${dataset.name} does not have`);
  const { tree, itemLeaf } = clusterTree(features, { branching: recipe.branching, seed: 1 });
  return { ...dataset, categoryTree: tree, itemLeafCategory: itemLeaf };
}

function secondhandProtocol(source: Dataset, settings: ReproductionSettings): SecondhandProtocol {
  const dataset = withSecondhandTree(source, settings.data);
  const present = new Set(dataset.interactions.users).size;
  const sampled = sampleUsers(dataset.interactions, { count: Math.min(SECONDHAND_USERS, present), seed: settings.seed });
  const { interactions: sample, items } = compactInteractions(sampled);
  const side = sampledSideInfo(dataset, items.oldOf);
  const { train, valid, test } = randomRatioSplit(sample, { seed: settings.seed });
  const trainUsersPerItem = new Int32Array(sample.numItems);
  const trainMask = UserItemCSR.fromInteractions(train);
  for (let u = 0; u < sample.numUsers; u++) for (const i of trainMask.rowOf(u)) trainUsersPerItem[i]!++;
  const testItems = UserItemCSR.fromInteractions(test);
  let rareTestPairs = 0;
  const rareItems = Array.from({ length: sample.numUsers }, (_, u) => {
    const row = testItems.rowOf(u).filter((i) => trainUsersPerItem[i]! <= RARE_MAX_USERS);
    rareTestPairs += row.length;
    return row.length ? row : undefined;
  });
  const pairs = UserItemCSR.fromInteractions(sample);
  const stats = {
    users: sample.numUsers, items: sample.numItems, interactions: pairs.indices.length,
    usersPerItem: pairs.indices.length / sample.numItems, itemsPerUser: pairs.indices.length / sample.numUsers,
    rareTestPairs, testPairs: testItems.indices.length,
  };
  const ruleData = trainingDataOf(side, train);
  const fitData = trainingDataOf(side, train, valid);
  const levels = side.categoryTree?.levels ?? 1;
  const hasImages = side.itemFeatures?.image !== undefined;
  const declared = SECONDHAND_SHAPES[settings.data as SecondhandData];
  if (declared && (declared.levels !== levels || declared.images !== hasImages)) {
    throw new Error(`reproduce secondhand: ${settings.dataset.dataset} has ${levels} category levels${hasImages ? ' and images' : ''}, SECONDHAND_SHAPES says ${declared.levels}${declared.images ? ' and images' : ''}`);
  }
  const summary = [
    `${settings.dataset.label}: ${stats.users.toLocaleString('en-US')} users, ${stats.items.toLocaleString('en-US')} items, ${stats.interactions.toLocaleString('en-US')} user-item pairs`,
    `${stats.usersPerItem.toFixed(2)} users per item, ${stats.itemsPerUser.toFixed(2)} items per user (Mercari Men: 1.56 and 330.69)`,
    `split 8:1:1: train ${train.length.toLocaleString('en-US')} rows, validation ${valid.length.toLocaleString('en-US')}, test ${test.length.toLocaleString('en-US')}; ${rareTestPairs} of ${stats.testPairs} test pairs are of items with ≤ ${RARE_MAX_USERS} training users`,
  ].join('\n');
  return {
    train, valid, test, trainMask, testItems, rareItems, hasImages, stats, summary,
    trainingData: (_method, rule): TrainingData => (rule ? ruleData : fitData),
  };
}

/** §4.2's batch sizes, searched with the learning rates (`--tune-batch` replaces them). */
export const SECONDHAND_BATCH_SIZES = [64, 128, 256] as const;

/**
 * The grid of a trained method: §4.2's learning rates × batch sizes (or `--tune`'s and
 * `--tune-batch`'s), each candidate carrying the method's split of the vector length.
 */
function secondhandTuning(_method: ReproductionMethod, base: { readonly model: string }, settings: ReproductionSettings): TuningCandidate[] {
  const rates = settings.tuneLearningRates?.length ? settings.tuneLearningRates : SECONDHAND_LEARNING_RATES;
  const batches = settings.tuneBatchSizes?.length ? settings.tuneBatchSizes : SECONDHAND_BATCH_SIZES;
  const shapeOf = SECONDHAND_SHAPES[settings.data as SecondhandData];
  const parts = shapeOf.levels + (shapeOf.images ? 1 : 0);
  // The same final vector length for every model (§4.2): OurModel splits it over its parts,
  // VBPR and Sherlock over γ and θ (K = K' = dim / 2); their variants give it all to θ, and
  // DeepStyle's one vector p_u serves both parts (their `dim`, the run's).
  const half = Math.max(1, Math.floor(settings.dim / 2));
  const shape = base.model.startsWith('secondhand') ? { dim: Math.max(1, Math.floor(settings.dim / parts)) } : base.model === 'vbpr' || base.model === 'sherlock' ? { dim: half, visualDim: half } : {};
  return batches.flatMap((batchSize) => rates.map((learningRate) => ({ ...shape, batchSize, learningRate })));
}

/** The per-user values kept for the claims' paired tests: these metrics, overall and on the rare slice. */
const PAIRED_METRICS = ['Accuracy@10', 'AUC (all items)'] as const;

async function evaluateSecondhand(trained: TrainedModel, protocol: SecondhandProtocol): Promise<MethodEvaluation> {
  requireOutput(trained.model, 'items', trained.name, trained.definition.outputs);
  const ranking = rankingOf(trained.model, protocol.trainMask);
  const metrics: Record<string, number> = {};
  // Each (slice, metric) keeps its own users ("<key> users"): the slices evaluate different users.
  const perUser: Record<string, number[]> = {};
  const keep = (key: string, users: ArrayLike<number>, values: ArrayLike<number>) => {
    perUser[`${key} users`] = Array.from(users);
    perUser[key] = Array.from(values);
  };
  for (const [slice, testItems] of [['', protocol.testItems], ['rare ', protocol.rareItems]] as const) {
    const result = await evaluateFullRanking({
      numItems: protocol.train.numItems, testItems, trainMask: protocol.trainMask, ks: SECONDHAND_KS, metrics: ['Accuracy', 'NDCG', 'TopKAUC', 'Precision', 'Recall'], perUser: true, ...ranking,
    });
    for (const k of SECONDHAND_KS) {
      metrics[`${slice}Accuracy@${k}`] = result.metrics[`Accuracy@${k}`]!;
      metrics[`${slice}NDCG@${k}`] = result.metrics[`NDCG@${k}`]!;
      metrics[`${slice}AUC@${k}`] = result.metrics[`TopKAUC@${k}`]!;
      metrics[`${slice}F1@${k}`] = f1FromMeans(result.metrics[`Precision@${k}`]!, result.metrics[`Recall@${k}`]!);
    }
    metrics[`${slice}users`] = result.numUsers;
    keep(`${slice}Accuracy@10`, result.perUser!.users, result.perUser!.metrics['Accuracy@10']!);
    // Ours, not the paper's: each user's AUC of their test items against every item they never
    // interacted with (ties count half), averaged over users; a full-catalogue view with more
    // signal than a top-20 hit on a slice of a few hundred pairs.
    if (typeof trained.model.scoreUsers === 'function') {
      const auc = await evaluateAUC({
        numItems: protocol.train.numItems, testItems, trainItems: protocol.trainMask, negatives: 'all-non-interacted', perUser: true, scoreUsers: (users) => trained.model.scoreUsers!(users),
      });
      metrics[`${slice}${FULL_AUC}`] = auc.metrics.AUC!;
      keep(`${slice}${FULL_AUC}`, auc.perUser!.users, auc.perUser!.auc);
    }
  }
  return { metrics, perUser: { users: perUser[`${FULL_AUC} users`] ?? perUser['Accuracy@10 users']!, ...perUser } };
}

/**
 * The two-sided p of a paired t-test between two methods' per-user values of `key` (a metric
 * of {@link PAIRED_METRICS}, with its slice), over the users both evaluated; undefined when
 * either kept none (a result from before per-user values were kept).
 */
export function pairedP(a: MethodResult, b: MethodResult, key: string): number | undefined {
  const users = (r: MethodResult) => r.perUser?.[`${key} users`];
  if (!users(a) || !users(b)) return undefined;
  const view = (r: MethodResult): PerUserValues => ({ users: users(r)!, [key]: r.perUser![key]! });
  const { xs, ys } = pairPerUser(view(a), view(b), key);
  return xs.length >= 2 ? pairedTTest(xs, ys).p : undefined;
}

const METRICS = ['Accuracy', 'AUC', 'NDCG', 'F1'] as const;
/** Our full-catalogue AUC column (not in the paper's tables). */
const FULL_AUC = 'AUC (all items)';

/** A claim of §4.4 as a comparison: method `a` beats method `b`. */
interface SecondhandClaim {
  readonly text: string;
  readonly a: string;
  readonly b: string;
}

/** The claims these rows can test (both methods finished), report order. */
function secondhandClaims(byId: ReadonlyMap<string, unknown>): SecondhandClaim[] {
  const family = (id: string, name: string): SecondhandClaim[] => [
    { text: `${name} overfits where items are rare: ${name}-I (no per-item factor) beats ${name}`, a: `${id}-i`, b: id },
    { text: `J2 helps the baselines too: ${name}-II beats ${name}-I`, a: `${id}-ii`, b: `${id}-i` },
    { text: `OurModel-S beats ${name}-I`, a: 'secondhand-s', b: `${id}-i` },
    { text: `OurModel beats ${name}-II`, a: 'secondhand', b: `${id}-ii` },
  ];
  return [
    { text: 'Free per-item factors overfit where items are rare: OurModel-S beats BPR', a: 'secondhand-s', b: 'bpr' },
    { text: 'J2 helps under item sparsity: OurModel beats OurModel-S', a: 'secondhand', b: 'secondhand-s' },
    { text: 'OurModel beats most-popular', a: 'secondhand', b: 'most-popular' },
    { text: 'OurModel beats BPR', a: 'secondhand', b: 'bpr' },
    { text: '(ours) J1\'s category negatives help OurModel-S: category beats uniform negatives', a: 'secondhand-s', b: 'secondhand-s.uniform' },
    { text: '(ours) … and OurModel: category beats uniform negatives', a: 'secondhand', b: 'secondhand.uniform' },
    ...family('vbpr', 'VBPR'),
    ...family('sherlock', 'Sherlock'),
    ...family('deepstyle', 'DeepStyle'),
  ].filter((c) => byId.has(c.a) && byId.has(c.b));
}

/** What each claim is judged on: {@link PAIRED_METRICS} overall, then on the rare slice. */
const CLAIM_KEYS = PAIRED_METRICS.flatMap((metric) => ['', 'rare '].map((slice) => `${slice}${metric}`));

/** One claim "a beats b" on one metric key: both values, whether it holds, and the paired test's p. */
function judgeClaim(a: MethodResult, b: MethodResult, key: string): { x: number; y: number; holds: boolean; p: number | undefined } {
  const [x, y] = [a.metrics[key] ?? 0, b.metrics[key] ?? 0];
  return { x, y, holds: x > y, p: pairedP(a, b, key) };
}

/** A p-value for a report cell. */
const formatP = (p: number): string => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

/**
 * The claims over seeds: for each, in how many seeds it held by our full AUC and by
 * Accuracy@10, overall and on the rare slice, and in how many of those its paired t-test
 * gave p < 0.05.
 */
function secondhandSeedSections(runs: readonly SeedRun[]): string[] {
  const byIds = runs.map((run) => new Map(run.results.map((r) => [r.id, r])));
  const claims = secondhandClaims(byIds[0]!).filter((c) => byIds.every((m) => m.has(c.a) && m.has(c.b)));
  const tally = (c: SecondhandClaim, key: string): string => {
    let held = 0;
    let significant = 0;
    let against = 0;
    for (const byId of byIds) {
      const { holds, p } = judgeClaim(byId.get(c.a)!, byId.get(c.b)!, key);
      if (holds) held++;
      if (p !== undefined && p < 0.05) holds ? significant++ : against++;
    }
    return `${held}/${runs.length} (${significant} p < 0.05)${against ? `; ${against} significantly the other way` : ''}`;
  };
  return [[
    `## Claims over ${runs.length} seeds: seeds where a beats b (of which the paired t-test over users gives p < 0.05; and seeds where b beats a with p < 0.05)`, '',
    `| claim | ${CLAIM_KEYS.join(' | ')} |`, `|---|${CLAIM_KEYS.map(() => '---').join('|')}|`,
    ...claims.map((c) => `| ${c.text} | ${CLAIM_KEYS.map((k) => tally(c, k)).join(' | ')} |`),
  ].join('\n')];
}

function secondhandReport(results: readonly MethodResult[], protocol: SecondhandProtocol, settings: ReproductionSettings): ReproductionReport {
  const columns = [...SECONDHAND_KS.flatMap((k) => METRICS.map((m) => `${m}@${k}`)), FULL_AUC];
  const rowsOf = (slice: string): ReportRow[] => results.map((r) => ({
    method: r.name,
    group: r.group,
    values: Object.fromEntries(columns.map((c) => [c, r.metrics[`${slice}${c}`]!])),
    note: r.bestEpoch === undefined ? 'no training' : `best epoch ${r.bestEpoch + 1}, validation ${VALIDATION} ${fmt(bestValidation(r))}; d_cat or dim ${String(r.config.dim)}, lr ${String(r.config.learningRate)}; ${r.trainSeconds.toFixed(0)} s`,
  }));
  const rareTable = [
    `## The rare slice: test pairs of items with ≤ ${RARE_MAX_USERS} training users (${protocol.stats.rareTestPairs} of ${protocol.stats.testPairs} test pairs)`, '',
    `| method | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---').join('|')}|`,
    ...results.map((r) => `| ${r.name} | ${columns.map((c) => fmt(r.metrics[`rare ${c}`])).join(' | ')} |`),
  ].join('\n');
  const s = protocol.stats;
  const table1 = [
    '## The sample beside the paper\'s Table 1', '',
    '| set | users | items | interactions | users per item | items per user |', '|---|---|---|---|---|---|',
    `| **${settings.dataset.label}** | ${s.users.toLocaleString('en-US')} | ${s.items.toLocaleString('en-US')} | ${s.interactions.toLocaleString('en-US')} | ${s.usersPerItem.toFixed(2)} | ${s.itemsPerUser.toFixed(2)} |`,
    ...SECONDHAND_PAPER_TABLE1.map((p) => `| Mercari ${p.set} (paper) | ${p.users.toLocaleString('en-US')} | ${p.items.toLocaleString('en-US')} | ${p.interactions.toLocaleString('en-US')} | ${(p.interactions / p.items).toFixed(2)} | ${(p.interactions / p.users).toFixed(2)} |`),
  ].join('\n');
  const byId = new Map(results.map((r) => [r.id, r]));
  /**
   * A claim "a beats b", judged on Accuracy@10 and our full-catalogue AUC, overall and on the
   * rare slice, each with the two-sided p of a paired t-test over users.
   */
  const claim = ({ text, a, b }: SecondhandClaim): string => {
    const parts = CLAIM_KEYS.map((key) => {
      const { x, y, holds, p } = judgeClaim(byId.get(a)!, byId.get(b)!, key);
      return `${key.startsWith('rare ') ? key : `overall ${key}`} ${holds ? '**holds**' : '**does not hold**'} (${fmt(x)} vs ${fmt(y)}${p === undefined ? '' : `, p = ${formatP(p)}`})`;
    });
    return `- ${text}: ${parts.join('; ')}.`;
  };
  const claims = [
    `## Claims (§4.4), as far as these rows test them (seed ${settings.seed}; p: two-sided paired t-test over the users both methods were scored on; the rare slice is a few hundred test pairs, so its Accuracy@10 moves by a user or two)`, '',
    ...secondhandClaims(byId).map(claim),
  ].join('\n');
  const curves: TrainingCurve[] = results.filter((r) => r.validation.length > 1).map((r) => ({ method: r.name, metric: `validation ${VALIDATION}`, x: r.validation.map((v) => v.epoch), y: r.validation.map((v) => v.value) }));
  const report = createReport({
    title: `Second-hand Tables 2–5 layout on ${settings.dataset.label}`,
    dataset: settings.dataset.label,
    protocol: `${SECONDHAND_USERS.toLocaleString('en-US')} sampled users (seed ${settings.seed}), random 8:1:1 split of the user-item pairs; full ranking over all ${s.items.toLocaleString('en-US')} items, training items masked; final vector length ${settings.dim}; ≤ ${settings.epochs} epochs, early stopping on validation ${VALIDATION} (patience ${PATIENCE})`,
    columns,
    rows: rowsOf(''),
    trainingCurves: curves,
    notes: [
      'AUC@K is eq. 12 (the ordered pairs of hits above misses within the top K), F1@K is eq. 13 (harmonic mean of mean Precision@K and mean Recall@K).',
      `${FULL_AUC} is ours: each user's AUC of their test items against every item they never interacted with (ties count half), averaged over users.`,
      !protocol.hasImages
        ? 'No images in this stand-in: OurModel is eq. 1 and 3–6 without the visual part, so items of the same deepest category score alike for a user.'
        : SECONDHAND_SHAPES[settings.data as SecondhandData]?.levels === 1
          ? 'Image features, no hierarchy: OurModel has one category (all items), so eq. 1 is one vector and eq. 2 one affine map of the 128-d image features.'
          : 'Image features and a tree clustered from the acoustic features: every part of OurModel, Sherlock and DeepStyle is in play.',
    ],
  });
  return { report, sections: [table1, rareTable, claims] };
}

/**
 * The second-hand reproduction (register it with `defineReproduction`; the `reproductions/`
 * barrel does).
 * @example
 * ```ts
 * await runReproduction(getReproduction('secondhand'), { data: 'yelp', out: 'runs/reproduce/secondhand-yelp', epochs: 30 });
 * ```
 */
export const secondhand: Reproduction<SecondhandProtocol> = {
  id: 'secondhand',
  title: 'Second-hand (hierarchical categories + visual features + item→user task): Tables 2–5 layout, overall and on rare items, on public stand-ins',
  citation: 'Yu, Gan, Wei, Cheng & Nie, Personalized Item Recommendation for Second-hand Trading Platform, ACM Multimedia 2020',
  datasets: SECONDHAND_DATASETS,
  defaults: { epochs: 30, dim: 128, seed: 1 },
  methods: (data) => {
    if (!Object.hasOwn(SECONDHAND_DATASETS, data)) throw new Error(`reproduce secondhand: data must be one of ${Object.keys(SECONDHAND_DATASETS).join(', ')}, got '${data}'`);
    return secondhandMethods(data);
  },
  protocol: secondhandProtocol,
  validationMetric: VALIDATION,
  validation: (model, data) => rankingValidation(model, data, 'Accuracy', 10, PATIENCE),
  headline: ['Accuracy@10', 'rare Accuracy@10', 'NDCG@10'],
  tuning: secondhandTuning,
  tunesBatchSizes: true,
  evaluate: (trained, protocol) => evaluateSecondhand(trained, protocol),
  report: secondhandReport,
  seedMetrics: ['Accuracy@10', 'AUC (all items)', 'rare Accuracy@10', 'rare AUC (all items)'],
  seedSections: secondhandSeedSections,
};
