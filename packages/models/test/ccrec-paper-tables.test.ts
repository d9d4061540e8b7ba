/**
 * The paper's numbers that `rec reproduce ccrec` prints beside ours are the paper's: Tables
 * 3–8 of `ccrec-category-recommendation.txt` (in `papers/` beside the datasets folder) parsed
 * and compared with the recipe's CCREC_PAPER and CCREC_PAPER_PUBLIC, row by row. Without the
 * paper file the test is skipped with the reason (a failure under REC_REQUIRE_DATA=1, as CI
 * runs it). Also which table sits beside which stand-in.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { skipOrFail } from '@rec/core/testing';
import { dataRoot } from '@rec/data/node';
import { describe, expect, it } from 'vitest';
import { CCREC_PAPER, CCREC_PAPER_BESIDE, CCREC_PAPER_PUBLIC } from '../src/reproductions/ccrec.js';

const ROW_KEYS: Record<string, string> = {
  FMLPRec: 'fmlp-rec', SASRec: 'sasrec', VAERec: 'vae-rec', 'VAERec+': 'vae-rec-plus', MeLU: 'melu', CLRec: 'clrec', TIGER: 'tiger',
  Mamba4Rec: 'mamba4rec', MLE: 'ccrec-mle', 'MLE+VAE': 'ccrec-mle-vae', 'MLE+Cascading': 'ccrec-mle-cascade', CCRec: 'ccrec',
};

/** The rows of the table whose caption starts with `caption` (the text puts a caption under its table). */
function tableAbove(lines: readonly string[], caption: string): Record<string, number[]> {
  const at = lines.findIndex((l) => l.startsWith(caption));
  if (at < 0) throw new Error(`no '${caption}' in the paper`);
  const rows: Record<string, number[]> = {};
  let k = at - 1;
  while (!lines[k]!.trim()) k--;
  for (; lines[k]!.trim() && !lines[k]!.startsWith('\tHR@1'); k--) {
    const [name, ...values] = lines[k]!.split('\t');
    rows[ROW_KEYS[name!] ?? name!] = values.map((v) => Number(v.replace(/<[^>]+>/g, '')));
  }
  return rows;
}

describe("CCRec's paper tables in the recipe", () => {
  it('are the numbers of Tables 3–8, row for row', (ctx) => {
    const file = resolve(join(dataRoot(), '..', 'papers', 'ccrec-category-recommendation.txt'));
    if (!existsSync(file)) return skipOrFail(ctx, 'REC_REQUIRE_DATA', `no ${file} (the papers folder beside the datasets)`);
    const lines = readFileSync(file, 'utf8').split('\n');
    const industry = (a: string, b: string) => ({ ...tableAbove(lines, a), ...tableAbove(lines, b) });
    expect(CCREC_PAPER.warm).toEqual(industry('Table 3:', 'Table 5:'));
    expect(CCREC_PAPER.cold).toEqual(industry('Table 4:', 'Table 6:'));
    expect(CCREC_PAPER_PUBLIC.retailrocket).toEqual(tableAbove(lines, 'Table 7:'));
    expect(CCREC_PAPER_PUBLIC.tmall).toEqual(tableAbove(lines, 'Table 8:'));
  });

  it('puts the industry set beside ml-100k, Tmall beside warm and RetailRocket beside cold users on Toys and Yelp', () => {
    expect(CCREC_PAPER_BESIDE['ml-100k'].warm.rows).toBe(CCREC_PAPER.warm);
    expect(CCREC_PAPER_BESIDE['ml-100k'].cold.rows).toBe(CCREC_PAPER.cold);
    for (const data of ['toys', 'yelp'] as const) {
      expect(CCREC_PAPER_BESIDE[data].warm.rows).toBe(CCREC_PAPER_PUBLIC.tmall);
      expect(CCREC_PAPER_BESIDE[data].cold.rows).toBe(CCREC_PAPER_PUBLIC.retailrocket);
    }
  });
});
