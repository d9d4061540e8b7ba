/**
 * The page's worker: holds the log, the models and the backend, and does every step that
 * takes time (reading a log, training, ranking, decoding a model folder), so the page stays
 * responsive. A `stop` message aborts the training run between two batches.
 */
/// <reference lib="webworker" />
import { resolveBackend } from '@rec/core';
import { loadBrowserWebGPU, registerBrowserWebGPUBackend } from '@rec/kernels/webgpu';
import { listModels, type StandaloneModel } from '@rec/models';
import { parseInteractionLog } from './log.js';
import type { BackendChoice, BackendInfo, Metrics, Request, Requests, StopMessage, TrainResult, WorkerMessage } from './protocol.js';
import {
  evaluateHeldOut, loadSavedFolder, PAGE_MODELS, pageModel, type PreparedLog, prepareLog, recommendFor, standaloneOf, trainMostPopular, trainPageModel,
} from './session.js';
import { SYNTHETIC_LOG_NAME, syntheticLogCsv } from './synthetic.js';

declare const self: DedicatedWorkerGlobalScope;

registerBrowserWebGPUBackend();

let choice: BackendChoice = 'auto';
let log: { prepared: PreparedLog; baseline: Metrics } | undefined;
/** Each model with the backend its tensors live on (a model is scored where it was built). */
const models: { trained?: { model: StandaloneModel; backend: BackendInfo }; loaded?: { model: StandaloneModel; backend: BackendInfo } } = {};
let running: AbortController | undefined;

const post = (message: WorkerMessage): void => self.postMessage(message);

/** Makes the chosen backend current: WebGPU where it loads (or fails when asked for by name), else js. */
async function useBackend(wanted: BackendChoice): Promise<BackendInfo> {
  const silent = { log: () => undefined };
  if (wanted === 'js') {
    await resolveBackend({ prefer: 'js', ...silent });
    return { name: 'js' };
  }
  const gpu = await loadBrowserWebGPU();
  if (gpu.ok) {
    await resolveBackend({ prefer: 'webgpu', ...silent });
    return { name: 'webgpu', adapter: gpu.backend.adapterName };
  }
  if (wanted === 'webgpu') throw new Error(`WebGPU was asked for but cannot be used here: ${gpu.reason}`);
  await resolveBackend({ prefer: 'js', ...silent });
  return { name: 'js', fallback: gpu.reason };
}

/** Makes current the backend a model lives on. */
async function useBackendOf(backend: BackendInfo): Promise<void> {
  await resolveBackend({ prefer: backend.name, log: () => undefined });
}

async function readLog(params: Requests['log']['params']): Promise<Requests['log']['result']> {
  await useBackend(choice);
  const parsed = params.kind === 'synthetic' ? parseInteractionLog(syntheticLogCsv(), SYNTHETIC_LOG_NAME) : parseInteractionLog(params.text, params.name);
  const prepared = prepareLog(parsed);
  const baseline = await evaluateHeldOut(prepared, (await trainMostPopular(prepared)).model);
  log = { prepared, baseline };
  models.trained = undefined;
  const { interactions, userIds, itemIds } = parsed;
  return {
    summary: {
      name: parsed.name, rows: interactions.length, users: userIds.size, items: itemIds.size, duplicates: prepared.duplicates,
      heldOut: prepared.evalUsers.length, columns: parsed.columns, header: parsed.header, timed: parsed.timed,
      exampleUsers: Array.from(prepared.evalUsers.subarray(0, 3), (u) => String(userIds.idOf(u))),
    },
    baseline,
  };
}

async function train(params: Requests['train']['params']): Promise<TrainResult> {
  if (!log) throw new Error('choose a log first: drop a CSV/TSV file or use the bundled synthetic log');
  const { prepared, baseline } = log;
  // A run replaces the trained model; one stopped before its first epoch leaves none.
  models.trained = undefined;
  const backend = await useBackend(choice);
  const { title } = pageModel(params.model);
  const epochs = params.settings.epochs;
  const controller = new AbortController();
  running = controller;
  const losses: number[] = [];
  let examples = 0;
  let seconds = 0;
  try {
    const trained = await trainPageModel(prepared, params.model, params.settings, {
      signal: controller.signal,
      onBatch: (p) => post({ kind: 'progress', epoch: p.epoch, batch: p.batch, batches: p.batches, epochs, loss: p.loss, samplesPerSecond: p.examplesPerSecond }),
      onEpoch: (r) => {
        losses.push(r.loss);
        examples += r.examples;
        seconds += r.seconds;
        post({ kind: 'epoch', epoch: r.epoch, epochs, loss: r.loss, seconds: r.seconds, examples: r.examples });
      },
    });
    const history = trained.history;
    const metrics = await evaluateHeldOut(prepared, trained.model);
    models.trained = { model: standaloneOf(trained, prepared), backend };
    return {
      model: params.model, title, backend, epochs: history?.epochs.length ?? 0, stopped: history?.stopped === true, losses,
      samplesPerSecond: seconds > 0 ? examples / seconds : 0, seconds, metrics, baseline,
    };
  } finally {
    running = undefined;
  }
}

async function recommend(params: Requests['recommend']['params']): Promise<Requests['recommend']['result']> {
  const held = models[params.source];
  if (!held) throw new Error(params.source === 'trained' ? 'train a model first' : 'load a model folder first');
  await useBackendOf(held.backend);
  return recommendFor(held.model, params.user, params.k);
}

async function load(params: Requests['load']['params']): Promise<Requests['load']['result']> {
  const backend = await useBackend(choice);
  const model = loadSavedFolder(new Map(params.files.map((f) => [f.path, new Uint8Array(f.bytes)])));
  models.loaded = { model, backend };
  return {
    dir: params.files[0]?.path.includes('/') ? params.files[0].path.split('/').slice(0, -1).join('/') : '(picked files)',
    model: model.name, title: model.trained.definition.title, users: model.users.size, items: model.items.size,
    ...(model.data ? { data: model.data.name } : {}),
    exampleUsers: Array.from({ length: Math.min(3, model.users.size) }, (_, u) => String(model.users.idOf(u))),
    backend,
  };
}

async function answer(request: Request): Promise<unknown> {
  switch (request.method) {
    case 'models':
      return {
        choices: PAGE_MODELS.map((m) => {
          const { title, summary } = pageModel(m.name);
          return { name: m.name, title, summary, defaults: m.defaults };
        }),
        // Every registered model, which a loaded folder may be of (the bundle must keep the registrations).
        registered: listModels().map((m) => m.name),
      };
    case 'synthetic':
      return { name: SYNTHETIC_LOG_NAME, text: syntheticLogCsv() };
    case 'backend':
      choice = request.params.choice;
      return useBackend(choice);
    case 'log':
      return readLog(request.params);
    case 'train':
      return train(request.params);
    case 'recommend':
      return recommend(request.params);
    case 'load':
      return load(request.params);
  }
}

/**
 * Requests run one after another (a recommendation asked for during training waits for
 * it: both use the current backend); only `stop` cuts in.
 */
let queue: Promise<unknown> = Promise.resolve();

self.onmessage = (event: MessageEvent<Request | StopMessage>) => {
  const request = event.data;
  if (request.method === 'stop') {
    running?.abort();
    return;
  }
  queue = queue.then(() =>
    answer(request).then(
      (result) => post({ kind: 'result', id: request.id, result }),
      (err: unknown) => post({ kind: 'error', id: request.id, message: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' }),
    ),
  );
};
