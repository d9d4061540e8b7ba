/**
 * The registry: every model folder that calls defineModel is imported by src/models.ts,
 * each registration says what it implements, and configs are checked by each model's
 * own schema.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInteractions } from '@rec/data';
import { describe, expect, it } from 'vitest';
import { checkNeeds, findModel, listModels, parseModelConfig } from '../src/index.js';

const src = fileURLToPath(new URL('../src', import.meta.url));

describe('the model registry', () => {
  it('src/models.ts imports every folder that registers a model', () => {
    const barrel = readFileSync(join(src, 'models.ts'), 'utf8');
    const folders = readdirSync(src, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'plugin');
    for (const folder of folders) {
      let registers = false;
      try {
        registers = /defineModel\(/.test(readFileSync(join(src, folder.name, 'index.ts'), 'utf8'));
      } catch {
        // a folder without index.ts registers nothing
      }
      if (registers) expect(barrel, `src/models.ts must import './${folder.name}/index.js'`).toContain(`import './${folder.name}/index.js';`);
    }
  });

  it('every model names its paper and section, its outputs, and a schema with defaults', () => {
    const names = listModels().map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['most-popular', 'weaker-behavior', 'bpr', 'mc-bpr', 'gmf', 'mlp', 'neumf', 'cmf', 'nmtr-gmf', 'seq-nmtr-neumf']));
    for (const m of listModels()) {
      expect(m.paper.cite.length, m.name).toBeGreaterThan(5);
      expect(m.paper.section.length, m.name).toBeGreaterThan(0);
      expect(m.outputs.length, m.name).toBeGreaterThan(0);
      expect(parseModelConfig({ model: m.name }).model).toBe(m.name);
    }
    expect(findModel('bpr-mf')?.name).toBe('bpr');
    expect(parseModelConfig({ model: 'popularity' }).model).toBe('most-popular');
  });

  it('a config field another model has is refused by this one, naming the fields it has', () => {
    expect(() => parseModelConfig({ model: 'gmf', weights: [0.5, 0.5] })).toThrow(/config: unknown field 'weights'; the fields are model, dim, epochs/);
    expect(parseModelConfig({ model: 'nmtr-gmf', weights: [0.5, 0.5] }).weights).toEqual([0.5, 0.5]);
    expect(() => parseModelConfig({ model: 'most-popular', epochs: 3 }, 'x.yaml')).toThrow(/^x\.yaml: unknown field 'epochs'; the fields are model, target$/);
    expect(() => parseModelConfig({ model: 'bpr', optimizer: 'adam' })).toThrow(/config: optimizer: expected one of sgd/);
  });

  it('needs: a missing required input is one line; optional inputs present are reported', () => {
    const train = createInteractions({ users: Int32Array.of(0, 1), items: Int32Array.of(0, 1), timestamps: Float64Array.of(1, 2), numUsers: 2, numItems: 2 });
    expect(() => checkNeeds('nmtr-gmf', { behaviors: 'required', categories: 'required' }, { train }, 'ml-100k')).toThrow(
      'nmtr-gmf needs several behaviour types and item categories, which ml-100k lacks',
    );
    expect(checkNeeds('x', { timestamps: 'optional', ratings: 'optional' }, { train })).toEqual(['timestamps']);
  });
});
