/**
 * `rec serve` as a person runs it: the wrapper starts the server, its answers equal
 * `rec recommend --json`, SIGHUP reloads the folders, SIGTERM closes it with exit 0, and
 * a folder outside the model root is refused in one line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runRec } from '../src/rec.js';
import { collectingIO } from './funnel-dataset.js';

const bin = fileURLToPath(new URL('../bin/rec.js', import.meta.url));
const shop = fileURLToPath(new URL('../../../examples/shop/shop.yaml', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'rec-serve-cli-'));

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function rec(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, stdout, stderr } = collectingIO();
  const code = await runRec(args, io);
  return { code, out: stdout(), err: stderr() };
}

/** Collects a stream's text and resolves when `pattern` appears in it. */
function waitFor(stream: NodeJS.ReadableStream, seen: { text: string }, pattern: RegExp, ms = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in: ${seen.text}`)), ms);
    const check = (): void => {
      const match = seen.text.match(pattern);
      if (match) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(match);
      }
    };
    const onData = (chunk: Buffer): void => {
      seen.text += chunk.toString();
      check();
    };
    stream.on('data', onData);
    check();
  });
}

describe('rec serve', () => {
  it('serves what rec recommend answers, reloads on SIGHUP and exits 0 on SIGTERM', { timeout: 120_000 }, async () => {
    const dir = join(root, 'shop-bpr');
    expect((await rec(['train', 'bpr', '--data', shop, '--epochs', '3', '--backend', 'js', '--out', dir, '--quiet'])).code).toBe(0);
    const cli = await rec(['recommend', dir, '--user', 'C0001', '-k', '3', '--json', '--backend', 'js']);
    expect(cli.code).toBe(0);
    const expected = JSON.parse(cli.out).recommendations;

    const server = spawn(process.execPath, [bin, 'serve', dir, '--root', root, '--port', '0', '--backend', 'js'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const err = { text: '' };
    const out = { text: '' };
    const [, url] = await waitFor(server.stderr, err, /serving shop-bpr on (http:\/\/127\.0\.0\.1:\d+)/);
    const res = await fetch(`${url}/v1/models/shop-bpr/recommend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'C0001', k: 3 }) });
    expect(res.status).toBe(200);
    const served = ((await res.json()) as { recommendations: { id: unknown }[] }).recommendations;
    expect(served.map((r: { id: unknown }) => r.id)).toEqual(expected.map((r: { id: unknown }) => r.id));

    server.kill('SIGHUP');
    await waitFor(server.stdout, out, /SIGHUP: reloading[\s\S]*model shop-bpr version \w+ loaded/);
    server.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => server.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  });

  it('refuses a folder outside the model root in one line', async () => {
    const res = await rec(['serve', tmpdir(), '--root', root, '--port', '0', '--backend', 'js']);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/^rec serve: model '[^']+': model path '.*' is outside the model root .*\n$/);
  });
});
