/**
 * The page: wires the controls to the worker (`worker.ts`), which holds the data, the
 * models and the backend. The page imports no @rec package, so it loads at once and
 * stays responsive while the worker trains.
 *
 * Elements a test reads: `#backend-status[data-backend]`, `#log-status[data-rows]`,
 * `#train-status[data-state]` (`running`, `done`, `stopped`, `nothing-trained`,
 * `error`), `#progress[data-epochs-done]`, `#metrics tr[data-method][data-hr][data-ndcg]`, the top-K tables' rows
 * `tr[data-item][data-score]`, `#loss-chart polyline[data-points]`.
 */
import { type LossPoint, renderLossChart } from './loss-chart.js';
import {
  type BackendChoice, type BackendInfo, type LogSummary, type Metrics, type ModelChoice, type Request, type Requests, SAVED_FOLDER_FILES,
  type StopMessage, type TopKResult, type WorkerMessage,
} from './protocol.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node as T;
};

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
let nextId = 1;
let onProgress: ((m: Extract<WorkerMessage, { kind: 'progress' | 'epoch' }>) => void) | undefined;

worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
  const message = event.data;
  if (message.kind === 'progress' || message.kind === 'epoch') return onProgress?.(message);
  const waiting = pending.get(message.id);
  pending.delete(message.id);
  if (message.kind === 'result') waiting?.resolve(message.result);
  else waiting?.reject(Object.assign(new Error(message.message), { name: message.name }));
};
worker.onerror = (event) => {
  $('backend-status').textContent = `the worker failed: ${event.message}`;
};

/** Sends a request to the worker; resolves with its answer. */
function call<M extends keyof Requests>(method: M, params: Requests[M]['params'], transfer: Transferable[] = []): Promise<Requests[M]['result']> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    worker.postMessage({ id, method, params } as Request, transfer);
  });
}

const formatNumber = (n: number, digits = 4): string => n.toFixed(digits);
const describeBackend = (b: BackendInfo): string =>
  b.name === 'webgpu' ? `webgpu on ${b.adapter ?? 'an unnamed adapter'}` : `js${b.fallback ? ` (WebGPU unavailable: ${b.fallback})` : ''}`;

function showError(id: string, err: unknown): void {
  const node = $(id);
  node.textContent = err instanceof Error ? err.message : String(err);
  node.hidden = false;
}

// ---- backend -------------------------------------------------------------------------

const backendChoice = $<HTMLSelectElement>('backend-choice');
async function applyBackend(): Promise<void> {
  const status = $('backend-status');
  status.textContent = 'loading…';
  try {
    const info = await call('backend', { choice: backendChoice.value as BackendChoice });
    status.textContent = describeBackend(info);
    status.dataset.backend = info.name;
  } catch (err) {
    status.textContent = (err as Error).message;
    status.dataset.backend = 'none';
  }
}
backendChoice.addEventListener('change', () => void applyBackend());

// ---- the log -------------------------------------------------------------------------

let haveLog = false;
let busy = false;

function showLog(summary: LogSummary, baseline: Metrics): void {
  const status = $('log-status');
  const columns = `${summary.columns.join(', ')}${summary.header ? ' (from its header)' : ' (no header)'}`;
  status.textContent =
    `${summary.name}: ${summary.rows.toLocaleString('en-US')} rows, ${summary.users.toLocaleString('en-US')} users, ` +
    `${summary.items.toLocaleString('en-US')} items; columns ${columns}` +
    `${summary.duplicates > 0 ? `; ${summary.duplicates.toLocaleString('en-US')} repeated pairs merged` : ''}. ` +
    `${summary.heldOut.toLocaleString('en-US')} users keep their latest item for testing` +
    `${summary.timed ? '' : ' (no timestamp column: their last line)'}. Most-popular: HR@10 ${formatNumber(baseline.hr)}. ` +
    `Users to try: ${summary.exampleUsers.join(', ')}.`;
  status.dataset.rows = String(summary.rows);
  $('log-error').hidden = true;
  haveLog = true;
  $<HTMLInputElement>('user').value ||= summary.exampleUsers[0] ?? '';
  $('metrics').hidden = true;
  $<HTMLButtonElement>('recommend-button').disabled = true;
  updateButtons();
}

async function readLog(params: Requests['log']['params']): Promise<void> {
  $('log-status').textContent = 'reading…';
  $('log-error').hidden = true;
  try {
    const { summary, baseline } = await call('log', params);
    showLog(summary, baseline);
  } catch (err) {
    $('log-status').textContent = '';
    showError('log-error', err);
  }
}

async function readFile(file: File): Promise<void> {
  await readLog({ kind: 'text', name: file.name, text: await file.text() });
}

$('use-synthetic').addEventListener('click', () => void readLog({ kind: 'synthetic' }));
$<HTMLInputElement>('log-file').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) void readFile(file);
});
const dropZone = $('drop-zone');
dropZone.addEventListener('dragover', (event) => {
  event.preventDefault();
  dropZone.classList.add('over');
});
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('over'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  dropZone.classList.remove('over');
  const files = event.dataTransfer?.files;
  if (!files || files.length !== 1) return showError('log-error', new Error(`drop one file (${files?.length ?? 0} dropped)`));
  void readFile(files[0]!);
});
$('download-synthetic').addEventListener('click', async (event) => {
  const link = event.currentTarget as HTMLAnchorElement;
  if (link.dataset.ready) return;
  event.preventDefault();
  const { name, text } = await call('synthetic', {});
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  link.download = name;
  link.dataset.ready = '1';
  link.click();
});

// ---- training ------------------------------------------------------------------------

const modelSelect = $<HTMLSelectElement>('model');
let modelChoices: ModelChoice[] = [];

function applyModelDefaults(): void {
  const choice = modelChoices.find((m) => m.name === modelSelect.value);
  if (!choice) return;
  $<HTMLInputElement>('epochs').value = String(choice.defaults.epochs);
  $<HTMLInputElement>('dim').value = String(choice.defaults.dim);
  $<HTMLInputElement>('learning-rate').value = String(choice.defaults.learningRate);
  $('model-summary').textContent = `${choice.title}: ${choice.summary}.`;
}
modelSelect.addEventListener('change', applyModelDefaults);

function updateButtons(): void {
  $<HTMLButtonElement>('train-button').disabled = !haveLog || busy || modelChoices.length === 0;
  $<HTMLButtonElement>('stop-button').disabled = !busy;
  $<HTMLButtonElement>('use-synthetic').disabled = busy;
  $<HTMLInputElement>('log-file').disabled = busy;
}

function showMetrics(rows: { method: string; label: string; metrics: Metrics }[]): void {
  const body = $('metrics').querySelector('tbody')!;
  body.replaceChildren(
    ...rows.map(({ method, label, metrics }) => {
      const tr = document.createElement('tr');
      tr.dataset.method = method;
      tr.dataset.hr = String(metrics.hr);
      tr.dataset.ndcg = String(metrics.ndcg);
      for (const [text, number] of [[label, false], [formatNumber(metrics.hr), true], [formatNumber(metrics.ndcg), true]] as const) {
        const td = document.createElement('td');
        td.textContent = text;
        if (number) td.className = 'number';
        tr.append(td);
      }
      return tr;
    }),
  );
  $('metrics').hidden = false;
}

$('train-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (busy) return;
  const settings = {
    epochs: Number($<HTMLInputElement>('epochs').value),
    dim: Number($<HTMLInputElement>('dim').value),
    learningRate: Number($<HTMLInputElement>('learning-rate').value),
  };
  const status = $('train-status');
  const progress = $<HTMLProgressElement>('progress');
  const progressText = $('progress-text');
  const chart = $('loss-chart') as unknown as SVGSVGElement;
  const done: LossPoint[] = [];
  renderLossChart(chart, done, settings.epochs);
  progress.value = 0;
  progress.dataset.epochsDone = '0';
  $('metrics').hidden = true;
  $<HTMLButtonElement>('recommend-button').disabled = true;
  busy = true;
  updateButtons();
  status.dataset.state = 'running';
  status.textContent = `training ${modelSelect.value}…`;
  onProgress = (m) => {
    if (m.kind === 'epoch') {
      done.push({ x: m.epoch + 1, loss: m.loss });
      renderLossChart(chart, done, m.epochs);
      progress.value = (m.epoch + 1) / m.epochs;
      progress.dataset.epochsDone = String(done.length);
      progressText.textContent = `epoch ${m.epoch + 1} of ${m.epochs}, loss ${m.loss.toPrecision(4)}`;
    } else {
      const x = m.epoch + m.batch / m.batches;
      renderLossChart(chart, m.batch < m.batches ? [...done, { x, loss: m.loss }] : done, m.epochs);
      progress.value = x / m.epochs;
      progressText.textContent = `epoch ${m.epoch + 1} of ${m.epochs}, batch ${m.batch} of ${m.batches}, ${Math.round(m.samplesPerSecond).toLocaleString('en-US')} samples/s`;
    }
  };
  try {
    const result = await call('train', { model: modelSelect.value, settings });
    status.dataset.state = result.stopped ? 'stopped' : 'done';
    status.dataset.samplesPerSecond = String(result.samplesPerSecond);
    status.dataset.backend = result.backend.name;
    status.dataset.epochs = String(result.epochs);
    status.textContent =
      `${result.title} ${result.stopped ? `stopped: the model holds epoch ${result.epochs}, the last finished one` : `trained for ${result.epochs} epochs`} ` +
      `on ${describeBackend(result.backend)}, ${Math.round(result.samplesPerSecond).toLocaleString('en-US')} samples/s over ${result.seconds.toFixed(2)} s.`;
    showMetrics([
      { method: 'model', label: result.title, metrics: result.metrics },
      { method: 'most-popular', label: 'Most popular', metrics: result.baseline },
    ]);
    $<HTMLButtonElement>('recommend-button').disabled = false;
  } catch (err) {
    const nothing = (err as Error).name === 'AbortError';
    status.dataset.state = nothing ? 'nothing-trained' : 'error';
    status.textContent = nothing ? `stopped before the first epoch finished: nothing was trained (${(err as Error).message})` : `training failed: ${(err as Error).message}`;
  } finally {
    onProgress = undefined;
    busy = false;
    updateButtons();
  }
});

$('stop-button').addEventListener('click', () => {
  worker.postMessage({ method: 'stop' } satisfies StopMessage);
  $('train-status').textContent = 'stopping after the current batch…';
});

// ---- recommendations ---------------------------------------------------------------------

function showTopK(tableId: string, statusId: string, result: TopKResult): void {
  const table = $(tableId);
  table.querySelector('tbody')!.replaceChildren(
    ...result.items.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.item = String(r.id);
      tr.dataset.score = String(r.score);
      for (const [text, number] of [[String(r.rank), true], [String(r.id), false], [r.name ?? '', false], [r.score.toPrecision(6), true]] as const) {
        const td = document.createElement('td');
        td.textContent = text;
        if (number) td.className = 'number';
        tr.append(td);
      }
      return tr;
    }),
  );
  table.classList.toggle('no-names', result.items.every((r) => r.name === undefined));
  table.hidden = false;
  const status = $(statusId);
  status.textContent = `top ${result.items.length} for user ${result.user} (${result.excluded} training item${result.excluded === 1 ? '' : 's'} left out)`;
  status.dataset.user = result.user;
  delete status.dataset.error;
}

async function recommend(source: 'trained' | 'loaded', inputId: string, tableId: string, statusId: string): Promise<void> {
  const status = $(statusId);
  status.textContent = busy && source === 'trained' ? 'waiting for training to finish…' : 'ranking…';
  delete status.dataset.user;
  delete status.dataset.error;
  $(tableId).hidden = true;
  $(tableId).querySelector('tbody')!.replaceChildren();
  try {
    showTopK(tableId, statusId, await call('recommend', { source, user: $<HTMLInputElement>(inputId).value, k: 10 }));
  } catch (err) {
    $(tableId).hidden = true;
    status.textContent = (err as Error).message;
    status.dataset.error = '1';
  }
}

$('recommend-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void recommend('trained', 'user', 'top-k', 'recommend-status');
});
$('loaded-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void recommend('loaded', 'loaded-user', 'loaded-top-k', 'loaded-recommend-status');
});

// ---- a saved model folder ---------------------------------------------------------------

async function loadFolder(list: FileList | null): Promise<void> {
  const status = $('loaded-status');
  $('loaded-error').hidden = true;
  const all = [...(list ?? [])];
  // Only the folder's four files are read (a rec train folder also holds checkpoint/).
  const files = all.filter((f) => SAVED_FOLDER_FILES.includes(f.name));
  status.textContent = `reading ${files.length} file${files.length === 1 ? '' : 's'}…`;
  try {
    const read = await Promise.all(files.map(async (f) => ({ path: f.webkitRelativePath || f.name, bytes: await f.arrayBuffer() })));
    const summary = await call('load', { files: read }, read.map((f) => f.bytes));
    status.textContent =
      `${summary.title} (${summary.model}) from ${summary.dir}${summary.data ? `, trained on ${summary.data}` : ''}: ` +
      `${summary.users.toLocaleString('en-US')} users, ${summary.items.toLocaleString('en-US')} items, on ${describeBackend(summary.backend)}. ` +
      `Users to try: ${summary.exampleUsers.join(', ')}.`;
    status.dataset.model = summary.model;
    $<HTMLInputElement>('loaded-user').value ||= summary.exampleUsers[0] ?? '';
    $<HTMLButtonElement>('loaded-recommend').disabled = false;
  } catch (err) {
    status.textContent = '';
    delete status.dataset.model;
    showError('loaded-error', err);
    $<HTMLButtonElement>('loaded-recommend').disabled = true;
  }
}
for (const id of ['model-folder', 'model-files']) {
  $<HTMLInputElement>(id).addEventListener('change', (event) => void loadFolder((event.target as HTMLInputElement).files));
}

// ---- start -------------------------------------------------------------------------------

void (async () => {
  await applyBackend();
  const models = await call('models', {});
  modelChoices = models.choices;
  document.body.dataset.registeredModels = models.registered.join(',');
  modelSelect.replaceChildren(
    ...modelChoices.map((m) => Object.assign(document.createElement('option'), { value: m.name, textContent: `${m.title} (${m.name})` })),
  );
  applyModelDefaults();
  updateButtons();
  document.body.dataset.ready = '1';
})();
