/**
 * The server the load bench measures, in a process of its own (autocannon runs in the
 * parent): serves the folders named on the command line on the fastest backend that
 * loads, on a free port, and prints `listening <url>` once ready. REC_BENCH_ANN_MIN_ITEMS
 * (set by `--ann`) serves top-K through the approximate index.
 */
import { dirname } from 'node:path';
import { resolveBackend } from '@rec/core';
import { registerFastBackends } from '@rec/kernels';
import { serve } from '../src/index.js';

const dirs = process.argv.slice(2);
registerFastBackends();
const backend = await resolveBackend({});
const models = Object.fromEntries(dirs.map((dir) => [dir.split('/').pop()!, dir]));
const annMinItems = process.env.REC_BENCH_ANN_MIN_ITEMS;
const server = await serve({ root: dirname(dirs[0]!), models, port: 0, logger: false, ...(annMinItems !== undefined ? { ann: { minItems: Number(annMinItems) } } : {}) });
process.stdout.write(`listening ${server.url} backend ${backend.name}\n`);
