/**
 * A Python peer of a benchmark (PyTorch, gensim) as a child process that answers one JSON
 * command per line (the protocol of `src/peers/peer_protocol.py`). The bench keeps the
 * process alive between rounds, so its own rounds and the peer's can be interleaved back
 * to back without paying Python's start-up or the peer's data loading in any round; the
 * peer times its rounds itself, around the timed loop only.
 *
 * The peers are optional: {@link startPeer} returns a one-line reason instead of a process
 * when the interpreter or a module is missing, and the bench prints it as a skip.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The interpreter with the peers (Debian's python3-torch and python3-gensim), unless
 * REC_PYTHON names another (the `python3` on PATH may be a pyenv without them).
 * @example
 * ```ts
 * console.log(`peers through ${PEER_PYTHON}`);
 * ```
 */
export const PEER_PYTHON = process.env.REC_PYTHON ?? '/usr/bin/python3';

/** How to get the PyTorch peers, for the line a run prints when torch is missing. */
export const TORCH_INSTALL = `install Debian's python3-torch for ${PEER_PYTHON} (apt-get install python3-torch libopenblas0-pthread: without OpenBLAS it runs on the reference BLAS, several times slower), or point REC_PYTHON at a Python with torch`;

/**
 * Environment of a peer pinned to `threads` threads: OpenMP (PyTorch's intra-op pool),
 * OpenBLAS and MKL read these at load, before the script can call `torch.set_num_threads`;
 * `REC_PEER_THREADS` tells the script itself (torch_common.py, gensim's workers).
 * @example
 * ```ts
 * spawn(PEER_PYTHON, [script], { env: { ...process.env, ...peerThreadEnv(2) } });
 * ```
 */
export function peerThreadEnv(threads: number): Record<string, string> {
  const n = String(threads);
  return { OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n, REC_PEER_THREADS: n };
}

/**
 * A reply of a peer: the JSON object it printed for one command.
 * @example
 * ```ts
 * const reply: PeerReply = await peer.request('round'); // { seconds, count, loss }
 * ```
 */
export type PeerReply = Record<string, unknown>;

/**
 * A running peer script. {@link request} sends one command and resolves with its reply;
 * commands are answered in order, one at a time.
 *
 * @example
 * ```ts
 * const peer = await startPeer('src/peers/torch_bpr.py', { dir, mode: 'kernel' }, 'install python3-torch');
 * if (typeof peer === 'string') console.log(`skipped: ${peer}`);
 * else {
 *   const { seconds } = await peer.request('round');
 *   peer.close();
 * }
 * ```
 */
export class PeerProcess {
  /** What the script reported when ready (its `versions`, e.g. `{ torch: '1.13.1' }`). */
  readonly versions: Record<string, string>;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #replies: AsyncIterator<string>;
  readonly #stderr: string[];

  constructor(child: ChildProcessWithoutNullStreams, replies: AsyncIterator<string>, stderr: string[], versions: Record<string, string>) {
    this.#child = child;
    this.#replies = replies;
    this.#stderr = stderr;
    this.versions = versions;
  }

  /**
   * Sends `{ cmd, ...args }` and waits for the reply.
   * @throws Error with the peer's message when it answers `{ error }` or exits.
   */
  async request(cmd: string, args: Record<string, unknown> = {}): Promise<PeerReply> {
    this.#child.stdin.write(`${JSON.stringify({ cmd, ...args })}\n`);
    const next = await this.#replies.next();
    if (next.done) throw new Error(`peer exited during '${cmd}': ${lastLine(this.#stderr.join(''))}`);
    const reply = JSON.parse(next.value) as PeerReply;
    if (typeof reply.error === 'string') throw new Error(`peer failed in '${cmd}': ${reply.error}`);
    return reply;
  }

  /** Asks the peer to stop and closes its input. */
  close(): void {
    if (this.#child.exitCode === null) {
      this.#child.stdin.write(`${JSON.stringify({ cmd: 'quit' })}\n`);
      this.#child.stdin.end();
    }
  }
}

/**
 * Starts `script` (a path) with `config` as its one JSON argument, pinned to `threads`
 * threads ({@link peerThreadEnv}; default 1), and waits until it reports ready (it has
 * loaded its data).
 *
 * @param installHint - how to install what the script needs, appended to the reason when it
 *   cannot start (e.g. "apt-get install python3-torch").
 * @returns the process, or a one-line reason when the interpreter or a module is missing.
 * @example
 * ```ts
 * const peer = await startPeer(join(import.meta.dirname, 'peers', 'gensim_sg.py'), { corpus }, 'apt-get install python3-gensim');
 * ```
 */
export async function startPeer(script: string, config: Record<string, unknown>, installHint: string, threads = 1): Promise<PeerProcess | string> {
  // PYTHONDONTWRITEBYTECODE: the scripts import their helpers from src/peers/; leave no __pycache__ there.
  const env = { ...process.env, ...peerThreadEnv(threads), PYTHONDONTWRITEBYTECODE: '1' };
  const child = spawn(PEER_PYTHON, [script, JSON.stringify(config)], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const spawnError = new Promise<string>((resolve) => child.on('error', (error) => resolve(error.message)));
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = await Promise.race([replies.next(), spawnError]);
  if (typeof first === 'string' || first.done) {
    const why = typeof first === 'string' ? first : lastLine(stderr.join(''));
    child.kill();
    return `${PEER_PYTHON} could not run ${script.split('/').pop()} (${why}); ${installHint}`;
  }
  const ready = JSON.parse(first.value) as { ready?: boolean; versions?: Record<string, string> };
  if (!ready.ready) throw new Error(`peer ${script}: expected a ready line first, got ${first.value}`);
  return new PeerProcess(child, replies, stderr, ready.versions ?? {});
}

/** The last non-empty line of a peer's stderr (a traceback ends with the error). */
function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? 'no message';
}
