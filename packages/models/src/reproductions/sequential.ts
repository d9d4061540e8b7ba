/**
 * `rec reproduce sequential`: the sequential recommenders of the sequential-models issue
 * (SASRec, CLRec, Mamba4Rec, MeLU, TIGER, each joining when it is registered) in
 * one table, with most-popular and BPR as floors, on the three Amazon domains of S3-Rec
 * (Zhou et al., CIKM 2020) and on ml-100k at item level — and the fidelity check of SASRec
 * against the SASRec numbers S3-Rec publishes on the same data.
 *
 * Protocol (S3-Rec §4.1, "leave-one-out"): each user's last item is the test item, the
 * second-to-last the validation item, the rest trains (`leaveLastOut` twice). The test item
 * is ranked (a) against 99 negatives drawn uniformly, seeded, from the items the user never
 * interacted with — S3-Rec's own negative files (`<Domain>_sample.txt`) are not available
 * here, so our draw differs from theirs, which the numbers carry as sampling noise — and
 * (b) against every item the user has not interacted with (full ranking, what `@rec/eval`
 * recommends). A model scores each user from their training and validation items (the
 * sequence up to the test item). Validation: each model's own on the validation item for
 * early stopping — full-ranking HR@100 (≤ 3,000 users) for most, HR@10 among 99 sampled
 * negatives for MeLU and TIGER — named per method in the report.
 */
import { type Dataset, type Interactions, leaveLastOut, UserItemCSR } from '@rec/data';
import { createReport, evaluateFullRanking, evaluateSampledRanking, pairedTTest, type ReportRow, type TrainingCurve } from '@rec/eval';
import { type TrainingData, trainingDataOf } from '../plugin/data.js';
import { findModel } from '../plugin/define.js';
import { rankingOf, requireOutput } from '../plugin/inference.js';
import type { TrainedModel } from '../plugin/train.js';
import {
  formatMetric, type MethodEvaluation, pairPerUser, type MethodResult, type PerUserValues, type PreparedProtocol, type Reproduction, type ReproductionMethod,
  type ReproductionReport, type ReproductionSettings,
} from '../reproduction/define.js';

/** The datasets `rec reproduce sequential --data` accepts. */
export const SEQUENTIAL_DATASETS = {
  beauty: { dataset: 'amazon-s3rec/Beauty', label: 'Amazon Beauty (S3-Rec 5-core)' },
  sports: { dataset: 'amazon-s3rec/Sports_and_Outdoors', label: 'Amazon Sports and Outdoors (S3-Rec 5-core)' },
  toys: { dataset: 'amazon-s3rec/Toys_and_Games', label: 'Amazon Toys and Games (S3-Rec 5-core)' },
  'ml-100k': { dataset: 'ml-100k', label: 'MovieLens-100K (items, by rating time)' },
} as const;

/** A `--data` key of {@link SEQUENTIAL_DATASETS}. */
export type SequentialData = keyof typeof SEQUENTIAL_DATASETS;

/** The sampled columns (S3-Rec's table) and the full-ranking ones. */
export const SEQUENTIAL_COLUMNS = {
  sampled: ['HR@1', 'HR@5', 'NDCG@5', 'HR@10', 'NDCG@10', 'MRR'],
  full: ['HR@5', 'NDCG@5', 'HR@10', 'NDCG@10'],
} as const;

/**
 * SASRec's published numbers on the same data (S3-Rec `reproduce/README.md`, the paper's
 * Table 2 row; `amazon-s3rec/MANIFEST.md`), 99 sampled negatives.
 */
export const SEQUENTIAL_PAPER_SASREC: Readonly<Partial<Record<SequentialData, Readonly<Record<(typeof SEQUENTIAL_COLUMNS.sampled)[number], number>>>>> = {
  beauty: { 'HR@1': 0.1870, 'HR@5': 0.3741, 'NDCG@5': 0.2848, 'HR@10': 0.4696, 'NDCG@10': 0.3156, MRR: 0.2852 },
  sports: { 'HR@1': 0.1455, 'HR@5': 0.3466, 'NDCG@5': 0.2497, 'HR@10': 0.4622, 'NDCG@10': 0.2869, MRR: 0.2520 },
  toys: { 'HR@1': 0.1878, 'HR@5': 0.3682, 'NDCG@5': 0.2820, 'HR@10': 0.4663, 'NDCG@10': 0.3136, MRR: 0.2842 },
};

/** The fidelity band: SASRec's HR@10 and NDCG@10 within 10 % (relative) of the published ones. */
export const SEQUENTIAL_FIDELITY_BAND = 0.1;

/**
 * The rows, report order; a row joins when its model is registered. FMLP-Rec (`fmlp-rec`)
 * is not a row: it is CCRec's baseline, not this table's, and at item level its training
 * scores one window per prefix (its filters see every position, so only the last may be
 * scored), about 100 times SASRec's positions per epoch (ml-100k: 98 k windows of 50 against
 * 943) — hours per epoch on this machine.
 */
export const SEQUENTIAL_MODELS = [
  { id: 'most-popular', model: 'most-popular', name: 'Most popular', group: 'Floors' },
  { id: 'bpr', model: 'bpr', name: 'BPR', group: 'Floors' },
  { id: 'sasrec', model: 'sasrec', name: 'SASRec', group: 'Sequential' },
  { id: 'clrec', model: 'clrec', name: 'CLRec', group: 'Sequential' },
  { id: 'mamba4rec', model: 'mamba4rec', name: 'Mamba4Rec', group: 'Sequential' },
  { id: 'melu', model: 'melu', name: 'MeLU', group: 'Meta-learning' },
  // TIGER keeps its own patience (5): a seq2seq epoch on ml-100k takes 7 to 19 minutes here
  // (one thread, a shared machine), hundreds of times SASRec's, and its validation runs a beam
  // search per user.
  { id: 'tiger', model: 'tiger', name: 'TIGER', group: 'Generative', patience: 5 },
] as const;

/**
 * Epochs without a better validation metric before a trained row stops: SASRec §IV's 20 for
 * every row (unless the row names its own), so no row is cut off sooner than SASRec. MeLU's
 * own default is 3; with it, its ml-100k run stopped at epoch 7 while its training loss
 * still fell (see `docs/reproductions/sequential.md`).
 */
export const SEQUENTIAL_PATIENCE = 20;

/** Negatives per test item in the sampled protocol (S3-Rec's 99). */
const NEGATIVES = 99;
/** The seed stream of the sampled negatives, offset from the run's seed so they never share draws with a model's. */
const NEGATIVE_SEED_OFFSET = 0x5e9;

/**
 * The methods on `data`: every registered row of {@link SEQUENTIAL_MODELS} with its
 * model's defaults (SASRec's §IV settings for the sequential models; BPR with the
 * registry's), every trained row with {@link SEQUENTIAL_PATIENCE} (unless it names its own),
 * and on a dense set ({@link SEQUENTIAL_DENSE}) the paper's dense dropout.
 * @example
 * ```ts
 * sequentialMethods('beauty').map((m) => m.id); // ['most-popular', 'bpr', 'sasrec', …]
 * ```
 */
export function sequentialMethods(data: SequentialData): ReproductionMethod[] {
  const dense = SEQUENTIAL_DENSE.has(data);
  return SEQUENTIAL_MODELS.filter((m) => findModel(m.model) !== undefined).map((m) => {
    const shape = findModel(m.model)!.config.shape;
    const takesDropout = dense && 'dropout' in shape;
    const patience = 'patience' in shape ? { patience: 'patience' in m ? m.patience : SEQUENTIAL_PATIENCE } : {};
    return { id: m.id, name: m.name, group: m.group, config: { model: m.model, ...patience, ...(takesDropout ? { dropout: DENSE_DROPOUT } : {}) } };
  });
}

/**
 * The dense sets, where SASRec §IV's dropout is 0.2 ("0.2 on MovieLens-1m"; 0.5 on the
 * sparse Amazon sets, the item-level default). Measured on ml-100k at the default
 * learning rate 0.001: at 0.5, validation HR@100 sat at 0.36 from epoch 7 to 27 and early
 * stopping ended the run there; at 0.2 it passed 0.53 by epoch 35.
 */
export const SEQUENTIAL_DENSE: ReadonlySet<SequentialData> = new Set(['ml-100k']);
const DENSE_DROPOUT = 0.2;

/** What the protocol prepares: the three parts, the users' histories and the test items. */
export interface SequentialProtocol extends PreparedProtocol {
  readonly train: Interactions;
  readonly valid: Interactions;
  readonly test: Interactions;
  /** Each user's training and validation items: masked in full ranking, never drawn as negatives. */
  readonly history: UserItemCSR;
  readonly testItems: UserItemCSR;
  /** Seed of the sampled negatives. */
  readonly negativeSeed: number;
}

/**
 * S3-Rec's leave-one-out (see the file header): the test is each user's last item, the
 * validation their second-to-last. The rule trains on training + validation rows; trained
 * models on the training rows, validating on the validation rows, then scoring from both.
 * @throws Error when the dataset has no timestamps (no order to leave the last out of).
 */
function sequentialProtocol(dataset: Dataset, settings: ReproductionSettings): SequentialProtocol {
  const log = dataset.interactions;
  if (!log.timestamps) throw new Error(`reproduce sequential: ${settings.dataset.dataset} has no timestamps, so no last item to hold out`);
  const { train: rest, test } = leaveLastOut(log, { seed: settings.seed });
  const { train, test: valid } = leaveLastOut(rest, { seed: settings.seed });
  const fitData = trainingDataOf(dataset, train, valid);
  const ruleData = trainingDataOf(dataset, rest);
  const history = UserItemCSR.fromInteractions(rest);
  const summary = [
    `${settings.dataset.label}: ${log.numUsers.toLocaleString('en-US')} users, ${log.numItems.toLocaleString('en-US')} items, ${log.length.toLocaleString('en-US')} interactions`,
    `leave-one-out: ${test.length.toLocaleString('en-US')} test items (each user's last), ${valid.length.toLocaleString('en-US')} validation items (second-to-last), ${train.length.toLocaleString('en-US')} training rows`,
  ].join('\n');
  return {
    train, valid, test, history, testItems: UserItemCSR.fromInteractions(test), negativeSeed: settings.seed + NEGATIVE_SEED_OFFSET, summary,
    trainingData: (_method, rule): TrainingData => (rule ? ruleData : fitData),
  };
}

/** A model's optional pair scorer (TIGER's and MeLU's exact scores of given items). */
type PairScorer = { scorePairs?: (users: Int32Array, items: Int32Array) => Float32Array | Promise<Float32Array> };

async function evaluateSequential(trained: TrainedModel, protocol: SequentialProtocol): Promise<MethodEvaluation> {
  requireOutput(trained.model, 'items', trained.name, trained.definition.outputs);
  const model = trained.model;
  const pairs = (model as PairScorer).scorePairs;
  const numItems = protocol.train.numItems;
  const sampled = await evaluateSampledRanking({
    numItems, testItems: protocol.testItems, trainItems: protocol.history, ks: [1, 5, 10, NEGATIVES + 1], metrics: ['HR', 'NDCG', 'MRR'], perRow: true,
    candidates: { kind: 'sampled', numNegatives: NEGATIVES, seed: protocol.negativeSeed },
    ...(pairs ? { scorePairs: (u: Int32Array, i: Int32Array) => pairs.call(model, u, i) } : { scoreUsers: (u: Int32Array) => model.scoreUsers!(u) }),
  });
  const full = await evaluateFullRanking({
    numItems, testItems: protocol.testItems, trainMask: protocol.history, ks: [5, 10], metrics: ['HR', 'NDCG'], perUser: true,
    ...rankingOf(model, protocol.history),
  });
  const metrics: Record<string, number> = {};
  // MRR over the whole candidate list (S3-Rec's MRR is 1/rank with no cut-off): MRR@100 covers all 100 candidates.
  for (const c of SEQUENTIAL_COLUMNS.sampled) metrics[`sampled ${c}`] = sampled.metrics[c === 'MRR' ? `MRR@${NEGATIVES + 1}` : c]!;
  for (const c of SEQUENTIAL_COLUMNS.full) metrics[`full ${c}`] = full.metrics[c]!;
  const rows = sampled.perRow!;
  const byUser = new Map(Array.from(full.perUser!.users, (u, i) => [u, i]));
  const perUser: Record<string, number[]> & { users: number[] } = { users: [], 'sampled NDCG@10': [], 'sampled HR@10': [], 'full NDCG@10': [], 'full HR@10': [] };
  rows.users.forEach((u, r) => {
    const i = byUser.get(u);
    if (i === undefined) return;
    perUser.users.push(u);
    perUser['sampled NDCG@10']!.push(rows.metrics['NDCG@10']![r]!);
    perUser['sampled HR@10']!.push(rows.metrics['HR@10']![r]!);
    perUser['full NDCG@10']!.push(full.perUser!.metrics['NDCG@10']![i]!);
    perUser['full HR@10']!.push(full.perUser!.metrics['HR@10']![i]!);
  });
  return { metrics, perUser: perUser as unknown as PerUserValues };
}

/** Seconds per training epoch of a finished method (tuning excluded when it tuned nothing), or undefined for a rule. */
function secondsPerEpoch(r: MethodResult): number | undefined {
  if (r.bestEpoch === undefined || r.validation.length === 0 || r.tuning) return undefined;
  return r.trainSeconds / r.validation.length;
}

/**
 * The validation each model brings, by model, for results recorded before they kept its name
 * (`MethodResult.validationMetric`); the others validate on full-ranking HR@100.
 */
const OWN_VALIDATION: Readonly<Record<string, string>> = { melu: 'HR@10 (99 sampled negatives)', tiger: 'HR@10 (99 sampled negatives)' };

/** The name of the validation a method's training stopped on. */
function validationMetricOf(r: MethodResult): string {
  return r.validationMetric ?? OWN_VALIDATION[r.config.model] ?? 'HR@100';
}

/**
 * The report's line on validation: which metric each trained method early-stopped on (each
 * model's own, on the second-to-last item; HR@100 ranks the whole catalogue, the sampled ones
 * 99 uniform negatives).
 * @example
 * ```ts
 * validationNote(results); // 'Validation (each model's own, on the second-to-last item …): HR@100 for SASRec, …; HR@10 (99 sampled negatives) for MeLU.'
 * ```
 */
function validationNote(results: readonly MethodResult[]): string {
  const byMetric = new Map<string, string[]>();
  for (const r of results) {
    if (r.validation.length === 0) continue;
    const metric = validationMetricOf(r);
    byMetric.set(metric, [...(byMetric.get(metric) ?? []), r.name]);
  }
  const parts = [...byMetric].map(([metric, names]) => `${metric === 'HR@100' ? 'full-ranking HR@100' : metric} for ${names.join(', ')}`);
  return `Validation (each model's own, on each user's second-to-last item, at most 3,000 users; early stopping with its patience): ${parts.length ? parts.join('; ') : 'none'}.`;
}

function sequentialReport(results: readonly MethodResult[], protocol: SequentialProtocol, settings: ReproductionSettings): ReproductionReport {
  const data = settings.data as SequentialData;
  const columns = [...SEQUENTIAL_COLUMNS.sampled.map((c) => `sampled ${c}`), ...SEQUENTIAL_COLUMNS.full.map((c) => `full ${c}`)];
  const row = (r: MethodResult): ReportRow => {
    const perEpoch = secondsPerEpoch(r);
    return {
      method: r.name, group: r.group, values: Object.fromEntries(columns.map((c) => [c, r.metrics[c]!])),
      note: r.bestEpoch === undefined ? 'no training' : `best epoch ${r.bestEpoch + 1} of ${r.validation.length} run (≤ ${r.config.epochs as number}), ${r.trainSeconds.toFixed(0)} s${perEpoch === undefined ? '' : `, ${perEpoch.toFixed(1)} s/epoch`}`,
    };
  };
  const sections: string[] = [];
  const sasrec = results.find((r) => r.id === 'sasrec');
  const paper = SEQUENTIAL_PAPER_SASREC[data];
  if (sasrec && paper) {
    const lines = [
      `## Fidelity: SASRec against S3-Rec's published SASRec (${settings.dataset.label}, 99 sampled negatives)`, '',
      `| | ${SEQUENTIAL_COLUMNS.sampled.join(' | ')} |`, `|---|${SEQUENTIAL_COLUMNS.sampled.map(() => '---|').join('')}`,
      `| ours | ${SEQUENTIAL_COLUMNS.sampled.map((c) => formatMetric(sasrec.metrics[`sampled ${c}`])).join(' | ')} |`,
      `| S3-Rec (published) | ${SEQUENTIAL_COLUMNS.sampled.map((c) => formatMetric(paper[c])).join(' | ')} |`, '',
    ];
    for (const c of ['HR@10', 'NDCG@10'] as const) {
      const ours = sasrec.metrics[`sampled ${c}`]!;
      const relative = (ours - paper[c]) / paper[c];
      lines.push(`- ${c}: ${formatMetric(ours)} vs ${formatMetric(paper[c])}, ${(100 * relative).toFixed(1)} % relative: ${Math.abs(relative) <= SEQUENTIAL_FIDELITY_BAND ? 'inside' : 'outside'} the ±${100 * SEQUENTIAL_FIDELITY_BAND} % band.`);
    }
    sections.push(lines.join('\n'));
  }
  if (sasrec?.perUser) {
    const others = results.filter((r) => r.id !== 'sasrec' && r.perUser);
    const metrics = ['sampled NDCG@10', 'full NDCG@10'] as const;
    const lines = [`## Paired t-tests against SASRec, per test user`, '', `| method | ${metrics.map((m) => `${m}: mean difference (p)`).join(' | ')} |`, `|---|${metrics.map(() => '---|').join('')}`];
    for (const r of others) {
      const cells = metrics.map((m) => {
        const { xs, ys } = pairPerUser(r.perUser!, sasrec.perUser!, m);
        if (xs.length < 2) return '–';
        const t = pairedTTest(xs, ys);
        return `${t.meanDifference >= 0 ? '+' : ''}${t.meanDifference.toFixed(4)} (${t.p.toExponential(1)})`;
      });
      lines.push(`| ${r.name} | ${cells.join(' | ')} |`);
    }
    sections.push(lines.join('\n'));
  }
  const curves: TrainingCurve[] = results.filter((r) => r.validation.length > 1).map((r) => ({ method: r.name, metric: `validation ${validationMetricOf(r)}`, x: r.validation.map((v) => v.epoch), y: r.validation.map((v) => v.value) }));
  const report = createReport({
    title: `Sequential recommenders on ${settings.dataset.label}`,
    dataset: settings.dataset.label,
    protocol: `leave-one-out (S3-Rec): the last item of each of ${protocol.test.length.toLocaleString('en-US')} users, ranked against ${NEGATIVES} uniformly sampled non-interacted items (seed ${protocol.negativeSeed}; "sampled") and against all non-interacted items ("full")`,
    columns,
    rows: results.map(row),
    trainingCurves: curves,
    notes: [
      `Data: ${settings.dataset.label} (${settings.dataset.dataset}).`,
      `S3-Rec's own 99-negative files are not available here; our negatives are a seeded uniform draw from the items each user never interacted with.`,
      validationNote(results),
    ],
  });
  return { report, sections };
}

/**
 * The sequential reproduction (register it with `defineReproduction`; the `reproductions/`
 * barrel does).
 * @example
 * ```ts
 * await runReproduction(getReproduction('sequential'), { data: 'beauty', out: 'runs/reproduce/sequential-beauty' });
 * ```
 */
export const sequential: Reproduction<SequentialProtocol> = {
  id: 'sequential',
  title: 'SASRec, CLRec, Mamba4Rec, MeLU and TIGER under S3-Rec\'s leave-one-out, with SASRec checked against S3-Rec\'s published numbers',
  citation: 'Kang & McAuley, ICDM 2018 (SASRec); Zhou et al., CIKM 2020 (S3-Rec: data, protocol and published SASRec numbers); the issue\'s other papers per row',
  datasets: SEQUENTIAL_DATASETS,
  defaults: { epochs: 200, dim: 64, seed: 1 },
  methods: (data) => {
    if (!Object.hasOwn(SEQUENTIAL_DATASETS, data)) throw new Error(`reproduce sequential: data must be one of ${Object.keys(SEQUENTIAL_DATASETS).join(', ')}, got '${data}'`);
    return sequentialMethods(data as SequentialData);
  },
  // Floors first, then report order.
  cost: (method) => SEQUENTIAL_MODELS.findIndex((m) => m.id === method.id),
  protocol: sequentialProtocol,
  validationMetric: 'HR@100',
  // `--tune` gives the learning rates each trained method tries on the validation items (one rate is a setting).
  tuning: (_method, base, settings) => (settings.tuneLearningRates?.length && findModel(base.model)?.rule !== true ? settings.tuneLearningRates.map((learningRate) => ({ learningRate })) : []),
  headline: ['sampled HR@10', 'sampled NDCG@10', 'full NDCG@10'],
  evaluate: (trained, protocol) => evaluateSequential(trained, protocol),
  report: sequentialReport,
};
