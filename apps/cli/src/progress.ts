import cliProgress from 'cli-progress';

/** Progress of long work: a bar on a terminal, a line now and then elsewhere (logs, CI). */
export interface ProgressReporter {
  update(task: string, done: number, total: number, fields?: Record<string, string>): void;
  stop(): void;
}

/**
 * A progress reporter. On a terminal (or when `enabled`), a cli-progress bar
 * with the task, ETA and the given fields; otherwise one log line per 10 % so
 * logs stay short.
 */
export function createProgress(options: { enabled?: boolean; log: (line: string) => void }): ProgressReporter {
  const enabled = options.enabled ?? Boolean(process.stdout.isTTY);
  if (!enabled) {
    let lastDecile = -1;
    return {
      update(task, done, total, fields = {}) {
        const decile = Math.floor((done / total) * 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        const extra = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join(', ');
        options.log(`${task}: ${Math.round((done / total) * 100)} %${extra ? ` (${extra})` : ''}`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: '{task} [{bar}] {percentage}% | ETA {eta_formatted} | loss {loss} | {rate}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(task, done, total, fields = {}) {
      if (!started) {
        bar.start(total, 0, { task, loss: '-', rate: '-' });
        started = true;
      }
      bar.update(done, { task, ...fields });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
