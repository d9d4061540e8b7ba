/**
 * The messages between the page and its training worker: requests carry an id and are
 * answered once (`result` or `error`); training also sends `progress` and `epoch` events.
 */
import type { Recommendation } from '@rec/models';
import type { PageSettings } from './session.js';

/** Which backend the page asks for: WebGPU where an adapter loads, else js (`auto`), or one by name. */
export type BackendChoice = 'auto' | 'webgpu' | 'js';

/** The backend a step ran on, as the page shows it. */
export interface BackendInfo {
  readonly name: 'webgpu' | 'js';
  /** The adapter (`swiftshader (google)`), on webgpu. */
  readonly adapter?: string;
  /** Why WebGPU is not in use, when `auto` fell back to js. */
  readonly fallback?: string;
}

/** A log as the page describes it after reading it. */
export interface LogSummary {
  readonly name: string;
  readonly rows: number;
  readonly users: number;
  readonly items: number;
  readonly duplicates: number;
  /** Users with a held-out item. */
  readonly heldOut: number;
  readonly columns: readonly string[];
  readonly header: boolean;
  readonly timed: boolean;
  /** A few user ids to try. */
  readonly exampleUsers: readonly string[];
}

/** HR@10 / NDCG@10 on the held-out items. */
export interface Metrics {
  readonly hr: number;
  readonly ndcg: number;
  readonly users: number;
}

/** What a finished (or stopped) training run reports. */
export interface TrainResult {
  readonly model: string;
  readonly title: string;
  readonly backend: BackendInfo;
  readonly epochs: number;
  /** True when the stop button ended the run; the model holds its last finished epoch. */
  readonly stopped: boolean;
  readonly losses: readonly number[];
  /** Training examples (scored rows) per second over the finished epochs. */
  readonly samplesPerSecond: number;
  readonly seconds: number;
  readonly metrics: Metrics;
  readonly baseline: Metrics;
}

/** A model folder loaded from disk, as the page describes it. */
export interface LoadedSummary {
  readonly dir: string;
  readonly model: string;
  readonly title: string;
  readonly users: number;
  readonly items: number;
  readonly data?: string;
  readonly exampleUsers: readonly string[];
  readonly backend: BackendInfo;
}

/** A user's top K. */
export interface TopKResult {
  readonly user: string;
  /** Training items left out. */
  readonly excluded: number;
  readonly items: readonly Recommendation[];
}

/** A model the page offers, as the registry describes it, with the page's settings for it. */
export interface ModelChoice {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  readonly defaults: PageSettings;
}

/**
 * The files of a saved model folder (`SAVED_MODEL_FILES` of `@rec/models`, which the page
 * does not import: the registry stays in the worker; a test keeps the two equal). Only
 * these are read from a picked folder.
 */
export const SAVED_FOLDER_FILES: readonly string[] = ['model.safetensors', 'seen.safetensors', 'ids.json', 'config.json'];

/** The requests the worker answers, with their parameters and results. */
export interface Requests {
  models: { params: Record<string, never>; result: { choices: ModelChoice[]; registered: readonly string[] } };
  synthetic: { params: Record<string, never>; result: { name: string; text: string } };
  backend: { params: { choice: BackendChoice }; result: BackendInfo };
  log: { params: { kind: 'synthetic' } | { kind: 'text'; name: string; text: string }; result: { summary: LogSummary; baseline: Metrics } };
  train: { params: { model: string; settings: PageSettings }; result: TrainResult };
  recommend: { params: { source: 'trained' | 'loaded'; user: string; k: number }; result: TopKResult };
  load: { params: { files: { path: string; bytes: ArrayBuffer }[] }; result: LoadedSummary };
}

/** A request to the worker. */
export type Request = { [M in keyof Requests]: { id: number; method: M; params: Requests[M]['params'] } }[keyof Requests];

/** What the worker posts: one answer per request, and training events. */
export type WorkerMessage =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; message: string; name: string }
  | { kind: 'progress'; epoch: number; batch: number; batches: number; epochs: number; loss: number; samplesPerSecond: number }
  | { kind: 'epoch'; epoch: number; epochs: number; loss: number; seconds: number; examples: number };

/** The page's stop button: not a request (it has no answer), handled as soon as the worker's event loop gets to it. */
export interface StopMessage {
  readonly method: 'stop';
}
