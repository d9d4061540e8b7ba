/**
 * Same seed, same data, same threads → the same model, byte for byte, on the native
 * backend by default (issue 11: three identical `rec train bpr` runs gave three models);
 * Hogwild is an explicit setting, recorded and said when on.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipOrFail } from '@rec/core/testing';
import { loadNative, setNativeThreads } from '@rec/kernels';
import { describe, expect, it } from 'vitest';
import { runRec } from '../src/rec.js';
import { collectingIO } from './funnel-dataset.js';

const shop = new URL('../../../examples/shop/shop.yaml', import.meta.url).pathname;

async function rec(args: string[]) {
  const { io, stdout, stderr } = collectingIO();
  const code = await runRec(args, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('reproducible training', () => {
  it('two native runs of bpr with one seed write identical parameters; hogwild is said and recorded', { timeout: 120_000 }, async (ctx) => {
    const native = loadNative();
    if (!native.ok) return skipOrFail(ctx, 'REC_REQUIRE_NATIVE', `native addon: ${native.reason}`);
    const root = mkdtempSync(join(tmpdir(), 'rec-reproducible-'));
    const train = (out: string, extra: string[] = []) =>
      rec(['train', 'bpr', '--data', shop, '--backend', 'native', '--epochs', '4', '--set', 'dim=16', '--set', 'learningRate=0.05', '--out', join(root, out), '--json', ...extra]);
    for (const out of ['a', 'b']) expect((await train(out)).code).toBe(0);
    const bytes = (out: string) => readFileSync(join(root, out, 'model.safetensors'));
    expect(bytes('a').equals(bytes('b'))).toBe(true);
    const hogwild = await train('h', ['--set', 'hogwild=true']);
    expect(hogwild.code).toBe(0);
    expect(hogwild.stderr).toMatch(/hogwild: on — threads update rows without ordering/);
    expect(JSON.parse(hogwild.stdout).config.hogwild).toBe(true);
  });

  it('two native runs of mrlr with categories on 2 threads write identical parameters (the kernels\' parts)', { timeout: 120_000 }, async (ctx) => {
    const native = loadNative();
    if (!native.ok) return skipOrFail(ctx, 'REC_REQUIRE_NATIVE', `native addon: ${native.reason}`);
    const root = mkdtempSync(join(tmpdir(), 'rec-reproducible-'));
    const before = setNativeThreads(2);
    try {
      const train = (out: string) =>
        rec(['train', 'mrlr', '--data', shop, '--backend', 'native', '--epochs', '3', '--set', 'dim=8', '--out', join(root, out), '--json']);
      for (const out of ['a', 'b']) {
        const run = await train(out);
        expect(run.code, run.stderr).toBe(0);
      }
      const bytes = (out: string) => readFileSync(join(root, out, 'model.safetensors'));
      expect(bytes('a').equals(bytes('b'))).toBe(true);
    } finally {
      setNativeThreads(before);
    }
  });
});
