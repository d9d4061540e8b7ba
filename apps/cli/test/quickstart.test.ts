/**
 * The quickstart's claim, checked: BPR-MF beats most-popular clearly, on the
 * generated dataset (always) and on ml-100k (when present; required in CI).
 */
import { requireDataset } from '@rec/data/testing';
import { describe, expect, it } from 'vitest';
import { runQuickstart } from '../src/quickstart.js';

describe('quickstart', () => {
  it('on the generated dataset, says so and BPR-MF beats most-popular by at least 2× HR@10', async () => {
    const lines: string[] = [];
    const r = await runQuickstart({ synthetic: true, epochs: 10, log: (l) => lines.push(l), progress: false });
    expect(lines.join('\n')).toContain('GENERATED dataset');
    expect(r.bpr.protocol).toBe('full-ranking');
    expect(r.testUsers).toBe(943);
    expect(r.bpr.metrics['HR@10']).toBeGreaterThan(2 * r.popularity.metrics['HR@10']);
    expect(r.bpr.metrics['NDCG@10']).toBeGreaterThan(2 * r.popularity.metrics['NDCG@10']);
    expect(lines.some((l) => l.startsWith('| BPR-MF'))).toBe(true);
  });

  it('on ml-100k, BPR-MF beats most-popular by at least 30 % HR@10 and NDCG@10', async (ctx) => {
    requireDataset(ctx, 'ml-100k');
    const r = await runQuickstart({ epochs: 10, log: () => {}, progress: false });
    expect(r.dataset).toMatch(/^ml-100k/);
    expect(r.users).toBe(943);
    expect(r.items).toBe(1682);
    expect(r.testUsers).toBe(943);
    expect(r.bpr.metrics['HR@10']).toBeGreaterThan(1.3 * r.popularity.metrics['HR@10']);
    expect(r.bpr.metrics['NDCG@10']).toBeGreaterThan(1.3 * r.popularity.metrics['NDCG@10']);
  });
});
