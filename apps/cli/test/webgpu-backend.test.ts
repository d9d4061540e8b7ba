/**
 * `rec train`, `rec eval` and `rec recommend` with `--backend webgpu` (issue 11), on the
 * generated funnel dataset (see funnel-dataset.ts), against the same commands on the js
 * backend. Here the adapter is lavapipe (Mesa's Vulkan on the CPU) through dawn-node; no
 * adapter is a skip with its reason, and a failure when REC_REQUIRE_WEBGPU=1 (CI).
 *
 * Both backends draw the same negatives (counter-based Philox) and run the same steps, so
 * they differ only by f32 rounding (accumulation order in matmul and reductions, the GPU's
 * exp/log): after 2 epochs every loss, validation score, metric and recommended score
 * agrees within 1e-4 + 1e-4·|js value| (lavapipe differs by about 1e-7; the margin is for
 * GPUs with faster, less exact exp), the epochs see the same rows, and the recommended
 * items are the same. A second webgpu run repeats the first exactly (the trainer stays
 * deterministic while it awaits its reads).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveBackend, setBackend } from '@rec/core';
import { skipOrFail } from '@rec/core/testing';
import type { Dataset } from '@rec/data';
import { registerFastBackends } from '@rec/kernels';
import { describe, expect, it } from 'vitest';
import { runRec } from '../src/rec.js';
import { collectingIO, FUNNEL_NAME, funnelDataset, type RecRun } from './funnel-dataset.js';

const dataset = funnelDataset();
/** The same rows with timestamps, for the sequential model (Mamba4Rec: its fused selective scan). */
const timed = funnelDataset({ timed: true });
const SEQUENTIAL = new Set(['mamba4rec']);
/**
 * Per-model settings beside `tiny`: Mamba4Rec's defaults (batches of 64 windows, Adam at 0.001)
 * take one step an epoch here, too few for a wrong gradient to show, so it runs 8 steps an
 * epoch at a larger rate: a sign flipped in the WGSL scan's dB then moves epoch 2's loss by
 * 2·10⁻³, five times the tolerance (checked; at the defaults it moved it by less than that).
 */
const EXTRA: Record<string, string[]> = { mamba4rec: ['--set', 'batchSize=8', '--set', 'learningRate=0.05'] };

/** Whether the webgpu backend loads here (an adapter was found), and why not. */
async function probeWebGPU(): Promise<{ ok: true } | { ok: false; reason: string }> {
  registerFastBackends();
  try {
    await resolveBackend({ prefer: 'webgpu', log: () => undefined });
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  } finally {
    setBackend('js');
  }
}
const gpu = await probeWebGPU();

async function rec(args: string[], data: Dataset<number, string>): Promise<RecRun> {
  const { io, stdout, stderr } = collectingIO();
  const code = await runRec(args, io, { readDataset: async () => data });
  return { code, stdout: stdout(), stderr: stderr() };
}

/** The stated tolerance between the js and webgpu runs: |webgpu − js| ≤ ATOL + RTOL·|js|. */
const ATOL = 1e-4;
const RTOL = 1e-4;

function expectNear(got: number, want: number, what: string): void {
  if (!(Math.abs(got - want) <= ATOL + RTOL * Math.abs(want))) throw new Error(`${what}: webgpu gave ${got}, js ${want} (tolerance ${ATOL} + ${RTOL}·|js|)`);
}

/** Runs a command and parses its --json output, failing with its stderr when it fails. */
async function json(args: string[], data: Dataset<number, string>): Promise<Record<string, unknown>> {
  const run = await rec([...args, '--json', ...(args[0] === 'train' ? ['--quiet'] : [])], data);
  if (run.code !== 0) throw new Error(`rec ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

interface Trained {
  history: { epochs: { loss: number; examples: number; validation?: number }[] };
}
interface Evaluated {
  metrics: Record<string, number>;
}
interface Recommended {
  recommendations: { id: string; score: number }[];
}

const tiny = ['--set', 'dim=8', '--set', 'validationUsers=40'];
const scratch = (name: string): string => join(mkdtempSync(join(tmpdir(), `rec-webgpu-${name}-`)), 'model');

describe('--backend webgpu', () => {
  for (const model of ['gmf', 'nmtr-gmf', 'bpr', 'mamba4rec']) {
    it(`rec train ${model}, rec eval and rec recommend run on webgpu and agree with js`, { timeout: 120_000 }, async (ctx) => {
      if (!gpu.ok) return skipOrFail(ctx, 'REC_REQUIRE_WEBGPU', `no WebGPU adapter: ${gpu.reason}`);
      const data = SEQUENTIAL.has(model) ? timed : dataset;
      const settings = [...tiny, ...(EXTRA[model] ?? [])];
      const runs: Record<'js' | 'webgpu', { trained: Trained; evaluated: Evaluated; recommended: Recommended }> = {} as never;
      for (const backend of ['js', 'webgpu'] as const) {
        const out = scratch(`${model}-${backend}`);
        const trained = (await json(['train', model, '--data', FUNNEL_NAME, '--epochs', '2', '--out', out, '--backend', backend, ...settings], data)) as unknown as Trained;
        expect((trained as unknown as { backend: string }).backend).toBe(backend);
        const evaluated = (await json(['eval', out, '-k', '10', '--backend', backend], data)) as unknown as Evaluated;
        const recommended = (await json(['recommend', out, '--user', '1004', '-k', '5', '--backend', backend], data)) as unknown as Recommended;
        runs[backend] = { trained, evaluated, recommended };
      }
      const { js, webgpu } = runs;
      expect(webgpu.trained.history.epochs).toHaveLength(2);
      // The trainer awaits each batch's reads in order, so a second webgpu run repeats the first exactly.
      const again = (await json(['train', model, '--data', FUNNEL_NAME, '--epochs', '2', '--out', scratch(`${model}-again`), '--backend', 'webgpu', ...settings], data)) as unknown as Trained;
      expect(again.history.epochs.map((e) => [e.loss, e.validation])).toEqual(webgpu.trained.history.epochs.map((e) => [e.loss, e.validation]));
      js.trained.history.epochs.forEach((e, k) => {
        expect(webgpu.trained.history.epochs[k].examples).toBe(e.examples);
        expectNear(webgpu.trained.history.epochs[k].loss, e.loss, `${model} epoch ${k + 1} loss`);
        if (e.validation !== undefined) expectNear(webgpu.trained.history.epochs[k].validation!, e.validation, `${model} epoch ${k + 1} validation`);
      });
      expect(Object.keys(webgpu.evaluated.metrics).sort()).toEqual(Object.keys(js.evaluated.metrics).sort());
      for (const [name, value] of Object.entries(js.evaluated.metrics)) expectNear(webgpu.evaluated.metrics[name], value, `${model} ${name}`);
      expect(js.recommended.recommendations).toHaveLength(5);
      expect(webgpu.recommended.recommendations.map((r) => r.id)).toEqual(js.recommended.recommendations.map((r) => r.id));
      js.recommended.recommendations.forEach((r, k) => expectNear(webgpu.recommended.recommendations[k].score, r.score, `${model} recommendation ${k + 1}'s score`));
    });
  }
});
