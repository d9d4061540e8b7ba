import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE, loadParameters, PARAMETERS_FILE, saveParameters } from './params.js';
import { encodeSafetensors, SafetensorsError, type NamedArray } from './safetensors.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'rec-params-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const tensors: Record<string, NamedArray> = {
  'user.embedding': { dtype: 'f32', shape: [3, 2], data: new Float32Array([0.5, -1, 2, 3, 4, 5]) },
  'item.ids': { dtype: 'i32', shape: [2], data: new Int32Array([-3, 7]) },
  'step': { dtype: 'u32', shape: [], data: new Uint32Array([1200]) },
  'empty': { dtype: 'f32', shape: [0, 8], data: new Float32Array(0) },
};
const config = { model: 'mf', dim: 2, layers: [16, 8], dropout: 0.1, tied: false, note: null };

describe('saveParameters / loadParameters', () => {
  it('round-trips tensors, config and metadata through a directory it creates', async () => {
    const dir = join(root, 'runs', 'mf');
    await saveParameters(dir, tensors, config, { metadata: { epoch: '10' } });

    expect((await readdir(dir)).sort()).toEqual([CONFIG_FILE, PARAMETERS_FILE]);
    expect(new Uint8Array(await readFile(join(dir, PARAMETERS_FILE)))).toEqual(encodeSafetensors(tensors, { epoch: '10' }));
    const configText = await readFile(join(dir, CONFIG_FILE), 'utf8');
    expect(configText).toBe(`${JSON.stringify(config, null, 2)}\n`);

    const loaded = await loadParameters(dir);
    expect(loaded.config).toEqual(config);
    expect(loaded.metadata).toEqual({ epoch: '10' });
    expect(loaded.tensors).toEqual(tensors);
  });

  it('loads empty metadata when none was saved, and replaces a previous save', async () => {
    await saveParameters(root, tensors, { v: 1 }, { metadata: { old: 'yes' } });
    await saveParameters(root, { w: { dtype: 'f32', shape: [1], data: new Float32Array([9]) } }, { v: 2 });
    const loaded = await loadParameters(root);
    expect(loaded).toEqual({ tensors: { w: { dtype: 'f32', shape: [1], data: new Float32Array([9]) } }, config: { v: 2 }, metadata: {} });
    expect((await readdir(root)).sort()).toEqual([CONFIG_FILE, PARAMETERS_FILE]);
  });

  it('writes nothing when the tensors are invalid', async () => {
    const dir = join(root, 'never');
    const bad = { w: { dtype: 'f32', shape: [2, 2], data: new Float32Array(3) } } as const;
    await expect(saveParameters(dir, bad, config)).rejects.toThrow(SafetensorsError);
    await expect(saveParameters(dir, bad, config)).rejects.toThrow(/tensor "w" has shape \[2, 2\], which holds 4 elements, but its data has 3/);
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('leaves a previous save untouched when a new save fails validation', async () => {
    await saveParameters(root, tensors, config);
    const before = await readFile(join(root, PARAMETERS_FILE));
    await expect(saveParameters(root, { '': tensors['step']! }, { v: 2 })).rejects.toThrow(/tensor names must not be empty/);
    await expect(saveParameters(root, tensors, { big: 1n })).rejects.toThrow(/config is not JSON-serializable/);
    await expect(saveParameters(root, tensors, undefined)).rejects.toThrow(/config \(undefined\) has no JSON representation/);
    expect(await readFile(join(root, PARAMETERS_FILE))).toEqual(before);
    expect((await loadParameters(root)).config).toEqual(config);
    expect((await readdir(root)).sort()).toEqual([CONFIG_FILE, PARAMETERS_FILE]);
  });

  it('removes its temporary files when a write fails part way', async () => {
    // A directory where config.json should go makes the final rename fail.
    await mkdir(join(root, CONFIG_FILE));
    await expect(saveParameters(root, tensors, config)).rejects.toThrow();
    const left = await readdir(root);
    expect(left.filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('names the missing file', async () => {
    await expect(loadParameters(root)).rejects.toThrow(`missing parameter file: ${join(root, PARAMETERS_FILE)} does not exist`);
    await writeFile(join(root, PARAMETERS_FILE), encodeSafetensors(tensors));
    await expect(loadParameters(root)).rejects.toThrow(`missing config file: ${join(root, CONFIG_FILE)} does not exist`);
    await expect(loadParameters(join(root, 'nowhere'))).rejects.toThrow(/missing (parameter|config) file: .*nowhere/);
  });

  it('names the malformed file and keeps the safetensors detail', async () => {
    await saveParameters(root, tensors, config);
    await writeFile(join(root, PARAMETERS_FILE), Uint8Array.from([1, 2, 3]));
    const error = await loadParameters(root).then(
      () => {
        throw new Error('loadParameters did not throw');
      },
      (err: unknown) => err as Error,
    );
    expect(error.message).toBe(
      `malformed parameter file ${join(root, PARAMETERS_FILE)}: safetensors: file is 3 bytes long, shorter than the 8-byte header size prefix`,
    );
    expect(error.cause).toBeInstanceOf(SafetensorsError);

    await saveParameters(root, tensors, config);
    await writeFile(join(root, CONFIG_FILE), '{"model": ');
    await expect(loadParameters(root)).rejects.toThrow(new RegExp(`malformed config file ${join(root, CONFIG_FILE)}: not valid JSON`));
  });
});
