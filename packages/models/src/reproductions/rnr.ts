/**
 * `rec reproduce rnr`: RnR Table 1 (Hadash, Sar Shalom & Osadchy, "Rank and Rate:
 * Multi-task Learning for Recommender Systems", RecSys 2018, §5) — Popularity, SVD, CDAE,
 * BPR, the vanilla multi-task models Vanilla(CDAE, SVD) and Vanilla(BPR, SVD) (eq. 2) and
 * RnR(CDAE, SVD) and RnR(BPR, SVD) (eq. 1), by Recall@10 ("Accuracy@10") and MRR@10 — with
 * the RMSE and MAE of every method that rates, paired significance per test user, and
 * §5.4's claims checked one by one.
 *
 * Protocol (§5.2–5.3):
 * - **All But (Last) One** (`resolveSplit(dataset, 'rnr:<n>')`, i.e. `allButLastOne`):
 *   users with fewer than 4 ratings dropped; n random users lose their last rating (ml-1m:
 *   from its published `last` split; timestamps: the latest row; none: a seeded random
 *   row), half of those rows go to validation, half to test. n = 5,000 on ml-1m (the
 *   paper's) and Toys; every eligible user on ml-100k and yelp-core40 (the paper's 50,000
 *   was for a Yelp dump 200× larger than this 1,355-user core).
 * - **Ranking**: full ranking over every item not in the user's training rows;
 *   Recall@10 and MRR@10 averaged over the test users (one held-out item each, so
 *   Recall@10 = HR@10). Multi-task models rank with their ranking model's scores.
 * - **Rating**: RMSE and MAE of the predicted ratings of the test rows (unclipped), for
 *   the methods that rate (`svd`, `vanilla-*`, `rnr-*`).
 * - **Tuning on validation only**: every trained method searches the paper's grid
 *   α ∈ {0.9, 0.95, 1.0} (multi-task models only) × λ ∈ {0.01, 0.001} at the paper's
 *   learning rate 0.001 (`<model>.paper`), and again with the learning rate searched over
 *   {0.001, 0.01, 0.05} (`<model>.lr`; `--tune` replaces that list). Each candidate trains
 *   on the training part with early stopping on validation Recall@10 (patience 3, at most
 *   `--epochs`); the candidate with the best validation score is kept at its best epoch
 *   and only then evaluated on test. The test rows are never seen while choosing.
 *   `<model>.long` repeats the paper's grid without early stopping: every candidate trains
 *   to `--epochs` and keeps its best validation epoch, which tells whether the paper's rate
 *   fails for lack of epochs (the paper does not say how long it trained).
 * - **Significance**: paired t-tests over the test users' Recall@10 and reciprocal rank
 *   (`pairedTTest`), for every pair a §5.4 claim compares.
 *
 * Choices the paper leaves open, and why:
 * - The learning-rate grid is ours: §5.3 fixes 0.001 with Adagrad, at which our SVD and
 *   CDAE barely move in tens of epochs (see `svd/index.ts`, `cdae/index.ts`), as NMTR's
 *   paper rate held models back in our NMTR reproduction; both rows are reported, so the
 *   learning-rate section shows what it changes.
 * - The BPR row is BPR-MF trained with Adagrad, as §5.3 trains every model: `vanilla-bpr`
 *   with α = 1 (the rating term's weight 1 − α is 0, so only BPR's loss and λ's priors
 *   train U and I, and the ranking is ⟨p_u, q_i⟩). The registered `bpr` is LearnBPR's
 *   plain SGD in a fused kernel and accepts no other optimizer; at the paper's rate 0.001
 *   SGD does not move (its loss stayed at ln 2 in a first run).
 * - Validation uses every validation user (≤ 2,500 here), not a sample.
 *
 * @see rnr-rank-and-rate-multi-task.txt §5 (Table 1, §5.3 protocol, §5.4 claims).
 */
import { allButLastOne, type Dataset, type Interactions, resolveSplit, UserItemCSR } from '@rec/data';
import { createReport, evaluateFullRanking, mae, pairedTTest, type ReportRow, rmse, type TrainingCurve } from '@rec/eval';
import { configFieldsOf } from '../plugin/define.js';
import { type TrainingData, trainingDataOf } from '../plugin/data.js';
import { type Predictor, rankingOf, requireOutput } from '../plugin/inference.js';
import { rankingValidation, type TrainedModel } from '../plugin/train.js';
import {
  bestValidation, candidateFields, formatMetric as fmt, pairPerUser, type MethodEvaluation, type MethodResult, type PreparedProtocol, type Reproduction, type ReproductionMethod, type ReproductionReport,
  type ReproductionSettings, type TuningCandidate,
} from '../reproduction/define.js';

/** The datasets `rec reproduce rnr --data` accepts. */
export const RNR_DATASETS = {
  'ml-1m': { dataset: 'ml-1m', label: 'MovieLens 1M (last rating of 5,000 users, from the published last split)' },
  'ml-100k': { dataset: 'ml-100k', label: 'MovieLens 100K (last rating by time of every eligible user)' },
  toys: { dataset: 'amazon-s3rec/Toys_and_Games-ratings', label: 'Amazon Toys & Games 5-core with stars (S3-Rec; last review of 5,000 users)' },
  yelp: { dataset: 'yelp-core40', label: 'Yelp core-40 (no timestamps: a random rating of every eligible user held out)' },
} as const;

/** A `--data` key of {@link RNR_DATASETS}. */
export type RnrData = keyof typeof RNR_DATASETS;

/** n of the protocol per dataset: users whose last rating is held out ('all': every eligible one). */
export const RNR_HELD_OUT: Readonly<Record<RnrData, number | 'all'>> = { 'ml-1m': 5000, 'ml-100k': 'all', toys: 5000, yelp: 'all' };

/** Table 1's trained rows, report order (Popularity, the rule, comes first). */
export const RNR_MODELS: readonly { readonly model: string; readonly name: string; readonly train?: { readonly model: string; readonly alpha: number } }[] = [
  { model: 'svd', name: 'SVD' },
  { model: 'cdae', name: 'CDAE' },
  { model: 'vanilla-cdae', name: 'Vanilla(CDAE, SVD)' },
  { model: 'rnr-cdae', name: 'RnR(CDAE, SVD)' },
  // BPR under Adagrad: vanilla-bpr at α = 1 (module notes).
  { model: 'bpr', name: 'BPR', train: { model: 'vanilla-bpr', alpha: 1 } },
  { model: 'vanilla-bpr', name: 'Vanilla(BPR, SVD)' },
  { model: 'rnr-bpr', name: 'RnR(BPR, SVD)' },
];

/**
 * The tuning rows of every trained model: the paper's grid at its rate; the same grid with
 * the rate searched; the paper's grid at its rate trained to the epoch cap (does the paper's
 * rate fail for lack of epochs, or at all?).
 */
export const RNR_TUNINGS = {
  paper: { group: 'Table 1 (paper\'s rate 0.001)', suffix: '' },
  lr: { group: 'Learning rate searched (ours)', suffix: ' · lr searched' },
  long: { group: 'Paper\'s rate 0.001, no early stopping (ours)', suffix: ' · no early stop' },
} as const;

/** A tuning row's kind: the `.paper`, `.lr` or `.long` suffix of its method id. */
export type RnrTuning = keyof typeof RNR_TUNINGS;

/** The tunings in report and training order. */
const RNR_TUNING_ORDER: readonly RnrTuning[] = ['paper', 'lr', 'long'];
/** `<model>.<tuning>`, for every tuning of {@link RNR_TUNING_ORDER}. */
const METHOD_ID = new RegExp(`^(.+)\\.(${RNR_TUNING_ORDER.join('|')})$`);

/** §5.3's grid: α (models that have it) × λ; each model takes the fields its schema has. */
export const RNR_GRID = { alpha: [0.9, 0.95, 1.0], l2: [0.01, 0.001] } as const;

/** §5.3's learning rate (Adagrad), and the rates the `.lr` rows search (`--tune` replaces them). */
export const RNR_LEARNING_RATES = { paper: [0.001], lr: [0.001, 0.01, 0.05] } as const;

/** The cut-off of Table 1's metrics. */
const K = 10;
const RECALL = `Recall@${K}`;
const MRR = `MRR@${K}`;
/** §5.3: early stopping on the validation users' Recall@10 with this patience. */
const PATIENCE = 3;
/** The multi-task models (eq. 1 and eq. 2), whose α weighs the ranking loss against the rating loss. */
const MULTI_TASK = /^(vanilla|rnr)-/;
/** Significance level of the claims' verdicts (two-sided paired t-test). */
const ALPHA_LEVEL = 0.05;

/** Table 1 (Accuracy@10, MRR@10) on the two datasets the paper used, by model. */
export const RNR_PAPER_TABLE1: Readonly<Partial<Record<RnrData, Readonly<Record<string, readonly [number, number]>>>>> = {
  'ml-1m': {
    'most-popular': [0.0278, 0.0035], svd: [0.0673, 0.0120], cdae: [0.0926, 0.0146], 'vanilla-cdae': [0.1040, 0.0189], 'rnr-cdae': [0.1236, 0.0497],
    bpr: [0.0659, 0.0222], 'vanilla-bpr': [0.0732, 0.0244], 'rnr-bpr': [0.0752, 0.0263],
  },
  yelp: {
    'most-popular': [0.0166, 0.0053], svd: [0.0043, 0.0010], cdae: [0.0305, 0.0107], 'vanilla-cdae': [0.0318, 0.0115], 'rnr-cdae': [0.0400, 0.0137],
    bpr: [0.0196, 0.0071], 'vanilla-bpr': [0.0207, 0.0054], 'rnr-bpr': [0.0238, 0.0077],
  },
};

/** §5.4's claims: `a` ranks better than `b` (model names). */
export const RNR_CLAIMS: readonly { readonly text: string; readonly a: string; readonly b: string }[] = [
  { text: 'CDAE > BPR on ranking ("CDAE outperforms BPR")', a: 'cdae', b: 'bpr' },
  { text: 'BPR > SVD on ranking ("in general BPR achieves better results than SVD")', a: 'bpr', b: 'svd' },
  { text: 'Vanilla(CDAE, SVD) > CDAE ("the vanilla approach always improves over single-task algorithms")', a: 'vanilla-cdae', b: 'cdae' },
  { text: 'Vanilla(BPR, SVD) > BPR (the same claim)', a: 'vanilla-bpr', b: 'bpr' },
  { text: 'RnR(CDAE, SVD) > Vanilla(CDAE, SVD) ("our method significantly improves the vanilla approach")', a: 'rnr-cdae', b: 'vanilla-cdae' },
  { text: 'RnR(BPR, SVD) > Vanilla(BPR, SVD) (the same claim)', a: 'rnr-bpr', b: 'vanilla-bpr' },
];

/** The model and tuning a method id names: `most-popular`, `<model>.paper`, `<model>.lr`, `<model>.long`. */
function parseMethodId(id: string): { model: string; tuning?: RnrTuning } {
  const m = METHOD_ID.exec(id);
  return m ? { model: m[1]!, tuning: m[2] as RnrTuning } : { model: id };
}

/**
 * The methods on one dataset, report order: Popularity, then Table 1's seven trained rows
 * with the paper's grid (`<model>.paper`), then the same rows with the learning rate
 * searched too (`<model>.lr`), then the paper's grid again without early stopping
 * (`<model>.long`: every candidate trains to `--epochs`, the best validation epoch kept).
 * @example
 * ```ts
 * rnrMethods().map((m) => m.id).slice(0, 3); // ['most-popular', 'svd.paper', 'cdae.paper']
 * ```
 */
export function rnrMethods(): ReproductionMethod[] {
  const out: ReproductionMethod[] = [{ id: 'most-popular', name: 'Popularity', group: RNR_TUNINGS.paper.group, config: { model: 'most-popular' } }];
  for (const tuning of RNR_TUNING_ORDER) {
    const { group, suffix } = RNR_TUNINGS[tuning];
    for (const m of RNR_MODELS) {
      const config = m.train ? { model: m.train.model, alpha: m.train.alpha } : { model: m.model };
      out.push({ id: `${m.model}.${tuning}`, name: `${m.name}${suffix}`, group, config: { ...config, learningRate: RNR_LEARNING_RATES.paper[0] } });
    }
  }
  return out;
}

/** Training order within a tuning: single-task first, then vanilla, then RnR; BPR's (cheaper) before CDAE's. */
const COST_ORDER = ['most-popular', 'svd', 'bpr', 'vanilla-bpr', 'rnr-bpr', 'cdae', 'vanilla-cdae', 'rnr-cdae'];

/** What the RnR protocol prepares. */
export interface RnrProtocol extends PreparedProtocol {
  readonly train: Interactions;
  /** One held-out rating for each of ⌊n/2⌋ users: validation (tuning and early stopping). */
  readonly valid: Interactions;
  /** One held-out rating for each of ⌈n/2⌉ other users: test. */
  readonly test: Interactions;
  /** Each user's training items: masked in ranking. */
  readonly trainMask: UserItemCSR;
  readonly testItems: UserItemCSR;
  /** The canonical split spec (`rnr:943`) and what it did. */
  readonly spec: string;
  readonly description: string;
}

/**
 * n for `resolveSplit`'s `rnr:<n>`: the dataset key's n, or every eligible user for
 * 'all', at most the eligible users (a user's own dataset may have fewer). Eligibility
 * (≥ 4 ratings and a held-out row beside another item) does not depend on the seed, nor on
 * 'last' vs 'random'; only a published `last` split changes it.
 */
function heldOutUsers(dataset: Dataset, wanted: number | 'all'): number {
  const log = dataset.interactions;
  const last = Object.hasOwn(dataset.splits, 'last') ? dataset.splits.last : undefined;
  const { eligibleUsers } = allButLastOne(log, { users: 'all', heldOut: last ? { published: last } : 'random' }).counts;
  return wanted === 'all' ? eligibleUsers : Math.min(wanted, eligibleUsers);
}

function rnrProtocol(dataset: Dataset, settings: ReproductionSettings): RnrProtocol {
  if (!dataset.interactions.ratings) throw new Error(`reproduce rnr: ${settings.dataset.dataset} has no ratings; RnR's rating task (and its protocol) needs them`);
  const wanted = RNR_HELD_OUT[settings.data as RnrData] ?? 'all';
  const n = heldOutUsers(dataset, wanted);
  const split = resolveSplit(dataset, `rnr:${n}`, { seed: settings.seed });
  const { train, test } = split;
  const valid = split.valid;
  if (!valid) throw new Error(`reproduce rnr: split ${split.spec} gave no validation part`);
  const ruleData = trainingDataOf(dataset, train);
  const fitData = trainingDataOf(dataset, train, valid);
  const summary = [
    `${settings.dataset.label}: ${train.numUsers.toLocaleString('en-US')} users, ${train.numItems.toLocaleString('en-US')} items`,
    `split ${split.spec}${wanted !== 'all' && n < wanted ? ` (n = ${wanted} asked, ${n} eligible)` : ''}: ${split.description}`,
    `train ${train.length.toLocaleString('en-US')} rows, validation ${valid.length.toLocaleString('en-US')}, test ${test.length.toLocaleString('en-US')}`,
  ].join('\n');
  return {
    train, valid, test, spec: split.spec, description: split.description, summary,
    trainMask: UserItemCSR.fromInteractions(train),
    testItems: UserItemCSR.fromInteractions(test),
    // Popularity counts the training rows too; nothing ever trains on a held-out row.
    trainingData: (_method, rule): TrainingData => (rule ? ruleData : fitData),
  };
}

/** The rates the `.lr` rows search: `--tune`'s, else {@link RNR_LEARNING_RATES}.lr. */
function searchedRates(settings: ReproductionSettings): readonly number[] {
  return settings.tuneLearningRates?.length ? settings.tuneLearningRates : RNR_LEARNING_RATES.lr;
}

/**
 * The grid of one method: `.paper` and `.long` search α × λ at 0.001, `.lr` α × λ × the
 * learning rates (`--tune` replaces them); fields a model lacks (α for single-task models)
 * drop out.
 */
function rnrTuning(method: ReproductionMethod, base: { readonly model: string }, settings: ReproductionSettings): TuningCandidate[] {
  const { tuning } = parseMethodId(method.id);
  if (!tuning) return [];
  const rates = tuning !== 'lr' ? RNR_LEARNING_RATES.paper : searchedRates(settings);
  const fields = configFieldsOf(base.model, { ...RNR_GRID, learningRate: rates }) as Record<string, readonly unknown[]>;
  // A row that fixes α (BPR = vanilla-bpr at α = 1) keeps it out of the grid.
  if (RNR_MODELS.find((m) => m.model === parseMethodId(method.id).model)?.train) delete fields.alpha;
  let grid: Record<string, unknown>[] = [{}];
  for (const [field, values] of Object.entries(fields)) grid = grid.flatMap((c) => values.map((v) => ({ ...c, [field]: v })));
  return grid;
}

const FIELD_NAMES: Readonly<Record<string, string>> = { alpha: 'α', l2: 'λ', learningRate: 'lr' };

function describeRnrCandidate(candidate: TuningCandidate): string {
  return Object.entries(candidate).map(([k, v]) => `${FIELD_NAMES[k] ?? k} ${String(v)}`).join(', ');
}

async function evaluateRnr(trained: TrainedModel, protocol: RnrProtocol): Promise<MethodEvaluation> {
  requireOutput(trained.model, 'items', trained.name, trained.definition.outputs);
  const ranking = await evaluateFullRanking({
    numItems: protocol.train.numItems, testItems: protocol.testItems, trainMask: protocol.trainMask, ks: [K], metrics: ['Recall', 'MRR'], perUser: true,
    ...rankingOf(trained.model, protocol.trainMask),
  });
  const metrics: Record<string, number> = { [RECALL]: ranking.metrics[RECALL]!, [MRR]: ranking.metrics[MRR]!, users: ranking.numUsers };
  const { test } = protocol;
  // A model whose rating loss had weight 1 − α = 0 (the BPR row, or a multi-task model tuned
  // to α = 1) never fitted ratings: its "RMSE" would be of an untrained head, so it is not rated.
  if (trained.definition.outputs.includes('ratings') && trained.config.alpha !== 1) {
    requireOutput(trained.model, 'ratings', trained.name, trained.definition.outputs);
    const predicted = await trained.model.predictRatings!(test.users, test.items);
    metrics.RMSE = rmse(predicted, test.ratings!);
    metrics.MAE = mae(predicted, test.ratings!);
  }
  const per = ranking.perUser!;
  return { metrics, perUser: { users: [...per.users], [RECALL]: [...per.metrics[RECALL]!], [MRR]: [...per.metrics[MRR]!] } };
}

const fmtP = (p: number): string => (p === 0 ? '< 1e-300' : p.toExponential(2));

/** `a` vs `b` on one per-user metric, over the test users both evaluated. */
function pairedOn(a: MethodResult, b: MethodResult, metric: string): { a: number; b: number; diff: number; t: number; p: number; n: number } {
  const { xs, ys } = pairPerUser(a.perUser!, b.perUser!, metric);
  const test = pairedTTest(xs, ys);
  return { a: a.metrics[metric]!, b: b.metrics[metric]!, diff: test.meanDifference, t: test.t, p: test.p, n: xs.length };
}

/** The config fields a tuned row chose, as a note (`α 0.95, λ 0.001, lr 0.01`). */
function chosenFields(r: MethodResult): string {
  return ['alpha', 'l2', 'learningRate'].filter((k) => r.config[k] !== undefined).map((k) => `${FIELD_NAMES[k]} ${String(r.config[k])}`).join(', ');
}

function rnrReport(results: readonly MethodResult[], protocol: RnrProtocol, settings: ReproductionSettings): ReproductionReport {
  const paper = RNR_PAPER_TABLE1[settings.data as RnrData];
  const paperColumns = paper ? ['paper Accuracy@10', 'paper MRR@10'] : [];
  const columns = [RECALL, MRR, 'RMSE', 'MAE', ...paperColumns];
  const rows: ReportRow[] = results.map((r) => {
    const { model } = parseMethodId(r.id);
    const ours = Object.fromEntries([RECALL, MRR, 'RMSE', 'MAE'].map((c) => [c, r.metrics[c]]).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)));
    const theirs = paper?.[model];
    const note = r.bestEpoch === undefined
      ? 'no training'
      : `${chosenFields(r)}; best epoch ${r.bestEpoch + 1} of ≤ ${String(r.config.epochs)}, validation ${RECALL} ${fmt(bestValidation(r))}; ${r.trainSeconds.toFixed(0)} s`;
    return { method: r.name, group: r.group, values: { ...ours, ...(theirs ? { 'paper Accuracy@10': theirs[0], 'paper MRR@10': theirs[1] } : {}) }, note };
  });

  // Results by tuning, then by model.
  const byTuning = (tuning: RnrTuning): Map<string, MethodResult> => {
    const found = new Map<string, MethodResult>();
    for (const r of results) {
      const id = parseMethodId(r.id);
      if (id.tuning === tuning || (id.tuning === undefined && id.model === 'most-popular')) found.set(id.model, r);
    }
    return found;
  };
  const tunings = RNR_TUNING_ORDER.filter((t) => results.some((r) => parseMethodId(r.id).tuning === t));

  const sections: string[] = [];
  const claimLines: string[] = [];
  const significance: string[] = [];
  for (const tuning of tunings) {
    const done = byTuning(tuning);
    claimLines.push(`### ${RNR_TUNINGS[tuning].group}`, '');
    for (const claim of RNR_CLAIMS) {
      const A = done.get(claim.a);
      const B = done.get(claim.b);
      if (!A || !B) {
        const missing = [claim.a, claim.b].filter((m) => !done.has(m)).map((m) => RNR_MODELS.find((x) => x.model === m)?.name ?? m);
        claimLines.push(`- ${claim.text}: not run (${missing.join(', ')} missing).`);
        continue;
      }
      const tests = [RECALL, MRR].map((metric) => [metric, pairedOn(A, B, metric)] as const);
      for (const [metric, t] of tests) {
        significance.push(`| ${A.name} vs ${B.name} | ${metric} | ${fmt(t.a)} | ${fmt(t.b)} | ${t.diff >= 0 ? '+' : ''}${t.diff.toFixed(4)} | ${t.t.toFixed(2)} | ${fmtP(t.p)} | ${t.n} |`);
      }
      const worse = tests.filter(([, t]) => !(t.diff > 0));
      const unsure = tests.filter(([, t]) => t.diff > 0 && !(t.p < ALPHA_LEVEL));
      // A multi-task model tuned to α = 1 has no rating loss: it is its single-task model, so a
      // claim about what the multi-task coupling does is not tested by it.
      const uncoupled = (r: MethodResult, model: string): boolean => MULTI_TASK.test(model) && r.config.alpha === 1;
      const verdict = uncoupled(A, claim.a)
        ? `not tested: validation chose α = 1 for ${A.name.split(' · ')[0]}, so it trained without its rating loss, as the single-task model`
        : worse.length
          ? `does not hold${worse.length < tests.length ? ` on ${worse.map(([m]) => m).join(', ')}` : ''}`
          : unsure.length ? `holds in direction only (not significant at p < ${ALPHA_LEVEL} on ${unsure.map(([m]) => m).join(', ')})` : 'holds';
      const caveat = !uncoupled(A, claim.a) && uncoupled(B, claim.b) ? ` (validation chose α = 1 for ${B.name.split(' · ')[0]}: it is the single-task model here)` : '';
      const numbers = tests.map(([metric, t]) => `${metric} ${fmt(t.a)} vs ${fmt(t.b)} (paired t p = ${fmtP(t.p)})`).join('; ');
      const pa = paper?.[claim.a];
      const pb = paper?.[claim.b];
      const theirs = pa && pb ? `; paper: Accuracy@10 ${fmt(pa[0])} vs ${fmt(pb[0])}, MRR@10 ${fmt(pa[1])} vs ${fmt(pb[1])}` : '';
      claimLines.push(`- ${claim.text}: **${verdict}**${caveat} — ${numbers}${theirs}.`);
    }
    claimLines.push('');
  }
  if (claimLines.length) sections.push(`## Claims of §5.4 (${settings.dataset.label})\n\n${claimLines.join('\n').trimEnd()}`);
  if (significance.length) {
    sections.push([
      '## Paired significance per test user (two-sided paired t-test; per-user Recall@10 and reciprocal rank within 10)', '',
      '| comparison | metric | first | second | mean difference | t | p | users |', '|---|---|---|---|---|---|---|---|', ...significance,
    ].join('\n'));
  }

  // What searching the learning rate changes (each model's `.lr` row against its `.paper`
  // row), and what early stopping changes at the paper's rate (`.long` against `.paper`).
  const paperRows = byTuning('paper');
  const epochs = (r: MethodResult): string => (r.bestEpoch === undefined ? '–' : String(r.bestEpoch + 1));
  const against = (tuning: 'lr' | 'long', title: string, label: string): void => {
    const rowsOf = byTuning(tuning);
    const lines: string[] = [];
    for (const m of RNR_MODELS) {
      const p = paperRows.get(m.model);
      const l = rowsOf.get(m.model);
      if (!p || !l) continue;
      const t = pairedOn(l, p, RECALL);
      lines.push(`| ${m.name} | ${fmt(p.metrics[RECALL])} | ${fmt(p.metrics[MRR])} | ${epochs(p)} | ${fmt(l.metrics[RECALL])} | ${fmt(l.metrics[MRR])} | ${String(l.config.learningRate)} | ${epochs(l)} | ${t.diff >= 0 ? '+' : ''}${t.diff.toFixed(4)} (p ${fmtP(t.p)}) |`);
    }
    if (!lines.length) return;
    sections.push([
      `## ${title} (test; each row's config chosen on validation)`, '',
      `| model | ${RECALL} at 0.001 | ${MRR} at 0.001 | best epoch | ${RECALL} ${label} | ${MRR} ${label} | lr | best epoch | ${RECALL} difference (paired t) |`,
      '|---|---|---|---|---|---|---|---|---|', ...lines,
    ].join('\n'));
  };
  against('lr', 'What the learning-rate grid changes', 'lr searched');
  against('long', `What early stopping changes at the paper's rate (patience ${PATIENCE} against training to the cap of ${settings.epochs} epochs)`, 'no early stop');

  const tuned = results.filter((r) => r.tuning);
  if (tuned.length) {
    const lines = tuned.map((r) => `- ${r.name}: ${r.tuning!.map((c) => {
      return `${describeRnrCandidate(candidateFields(c))} → ${fmt(c.validation)}`;
    }).join('; ')} ⇒ ${chosenFields(r)}`);
    sections.push(`## Tuning on the validation users (${RECALL}; the test users are not looked at)\n\n${lines.join('\n')}`);
  }

  const curves: TrainingCurve[] = results.filter((r) => r.validation.length > 1).map((r) => ({ method: r.name, metric: `validation ${RECALL}`, x: r.validation.map((v) => v.epoch), y: r.validation.map((v) => v.value) }));
  const report = createReport({
    title: `RnR Table 1 on ${settings.dataset.label}`,
    dataset: `${settings.dataset.label}; split ${protocol.spec}`,
    protocol: `full ranking over all ${protocol.train.numItems.toLocaleString('en-US')} items, the user's training items masked, one held-out rating per test user (${protocol.test.length.toLocaleString('en-US')} test users); RMSE and MAE of the predicted ratings of those rows (unclipped), for the methods that rate; d = ${settings.dim}, ≤ ${settings.epochs} epochs, early stopping on validation ${RECALL} (patience ${PATIENCE}; the no-early-stop rows train every candidate to the cap and keep its best validation epoch), seed ${settings.seed}`,
    columns,
    rows,
    lowerIsBetter: ['RMSE', 'MAE'],
    unranked: paperColumns,
    trainingCurves: curves,
    notes: [
      `Split: ${protocol.description}`,
      'Recall@10 is what the paper calls Accuracy@10 (one held-out item per user, so it equals HR@10).',
      `Tuning: the paper's grid α ∈ {${RNR_GRID.alpha.join(', ')}} (multi-task models) × λ ∈ {${RNR_GRID.l2.join(', ')}} at learning rate 0.001 (Adagrad for every model; the BPR row is BPR-MF, vanilla-bpr at α = 1), and again with the learning rate in {${searchedRates(settings).join(', ')}}; each candidate early-stopped on the validation users' ${RECALL} (the no-early-stop rows: the paper's grid again, every candidate trained to the cap), the best kept at its best epoch.`,
      ...(paper ? ['Paper columns: Table 1 (Accuracy@10 = Recall@10, MRR@10) on this dataset as the paper had it (other dump, other preprocessing).'] : []),
    ],
  });
  return { report, sections };
}

/**
 * The RnR reproduction (register it with `defineReproduction`; the `reproductions/`
 * barrel does).
 * @example
 * ```ts
 * await runReproduction(getReproduction('rnr'), { data: 'ml-100k', out: 'runs/reproduce/rnr-ml-100k', methods: ['most-popular', 'svd.paper', 'rnr-bpr.*'], epochs: 20 });
 * ```
 */
export const rnr: Reproduction<RnrProtocol> = {
  id: 'rnr',
  title: 'RnR Table 1 (Recall@10 = "Accuracy@10", MRR@10) with RMSE/MAE, paired significance and §5.4\'s claims, tuned at the paper\'s rate, with the rate searched, and at the paper\'s rate without early stopping',
  citation: 'Hadash, Sar Shalom & Osadchy, Rank and Rate: Multi-task Learning for Recommender Systems, RecSys 2018',
  datasets: RNR_DATASETS,
  defaults: { epochs: 50, dim: 50, seed: 1 },
  methods: (data) => {
    if (!Object.hasOwn(RNR_DATASETS, data)) throw new Error(`reproduce rnr: data must be one of ${Object.keys(RNR_DATASETS).join(', ')}, got '${data}'`);
    return rnrMethods();
  },
  // The paper's rows, then the learning-rate rows, then the no-early-stop rows; within each,
  // the cheaper models first (Popularity, untuned, with the paper's rows).
  cost: (method) => {
    const { model, tuning } = parseMethodId(method.id);
    return RNR_TUNING_ORDER.indexOf(tuning ?? 'paper') * COST_ORDER.length + COST_ORDER.indexOf(model);
  },
  protocol: rnrProtocol,
  validationMetric: RECALL,
  // §5.3's early-stopping and tuning score: Recall@10 of every validation user. The `.long`
  // rows never stop early (a patience of the whole budget) but still keep the best epoch.
  validation: (model, data, method, settings) => rankingValidation(model, data, 'Recall', K, parseMethodId(method.id).tuning === 'long' ? settings.epochs : PATIENCE),
  headline: [RECALL, MRR, 'RMSE'],
  tuning: rnrTuning,
  describeCandidate: describeRnrCandidate,
  evaluate: (trained, protocol) => evaluateRnr(trained, protocol),
  report: rnrReport,
};
