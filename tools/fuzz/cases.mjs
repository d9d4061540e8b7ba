// The fuzz corpus of the `rec` command (see README.md). Plain ESM, no dependencies, so a
// test in any package can build it: buildCorpus(root, { shop, goodModel, goodCheckpointRun }).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * @typedef {{ id: string, args: string[], names: string | RegExp, ok?: boolean }} FuzzCase
 * `names`: what the error line must contain (a file path, a field, an option); `ok`: the
 * input is valid after all and must succeed.
 */

const SHOP_COLUMNS = '{ user: customer, item: sku, behavior: event, time: ts }';

/** A dataset file naming `events` (a path) with optional extra YAML lines. */
function descriptor(events, extra = '', columns = SHOP_COLUMNS) {
  return `interactions:\n  path: ${events}\n  columns: ${columns}\n  behaviors: [view, cart, buy]\n${extra}`;
}

/**
 * Builds every case under `root`.
 * @param {string} root - an empty temporary folder.
 * @param {{ shop: string, model: string, checkpointRun: string }} fixtures - the example
 *   shop folder, a saved model folder to corrupt copies of, and a `rec train --out`
 *   folder with a checkpoint and run.json.
 * @returns {FuzzCase[]}
 */
export function buildCorpus(root, fixtures) {
  /** @type {FuzzCase[]} */
  const cases = [];
  const add = (id, args, names, ok = false) => cases.push({ id, args, names, ok });
  const file = (name, content) => {
    const path = join(root, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
    return path;
  };
  const events = readFileSync(join(fixtures.shop, 'events.csv'));
  const products = readFileSync(join(fixtures.shop, 'products.csv'));
  const good = file('good/events.csv', events);
  file('good/products.csv', products);

  // 1. dataset descriptors (rec data describe <file>)
  const describe = (id, text, names, ext = 'yaml') => {
    const path = file(`descriptors/${id}.${ext}`, text);
    add(`descriptor/${id}`, ['data', 'describe', path], names === 'FILE' ? path : names);
  };
  describe('empty', '', 'FILE');
  describe('yaml-syntax', 'interactions: [path: x', 'FILE');
  describe('list', '- a\n- b\n', 'FILE');
  describe('scalar', '42\n', 'FILE');
  describe('json-syntax', '{"interactions": ', 'FILE', 'json');
  describe('json-list', '[1, 2]', 'FILE', 'json');
  describe('no-interactions', 'name: x\n', 'interactions');
  describe('unknown-top-field', `${descriptor(good)}colour: red\n`, 'colour');
  describe('interactions-not-mapping', 'interactions: 3\n', 'interactions');
  describe('no-path', `interactions:\n  columns: ${SHOP_COLUMNS}\n`, 'path');
  describe('path-number', `interactions:\n  path: 7\n  columns: ${SHOP_COLUMNS}\n`, 'path');
  describe('missing-file', descriptor(join(root, 'nowhere.csv')), 'nowhere.csv');
  describe('no-columns', `interactions:\n  path: ${good}\n`, 'columns');
  describe('columns-no-user', descriptor(good, '', '{ item: sku }'), 'user');
  describe('columns-no-item', descriptor(good, '', '{ user: customer }'), 'item');
  describe('column-absent', descriptor(good, '', '{ user: customer, item: product, behavior: event, time: ts }'), 'product');
  describe('column-unknown-role', descriptor(good, '', '{ user: customer, item: sku, colour: event }'), 'colour');
  describe('behaviour-absent', `interactions:\n  path: ${good}\n  columns: ${SHOP_COLUMNS}\n  behaviors: [view, buy]\n`, 'cart');
  describe('behaviors-empty', `interactions:\n  path: ${good}\n  columns: ${SHOP_COLUMNS}\n  behaviors: []\n`, 'behaviors');
  describe('behaviors-not-list', `interactions:\n  path: ${good}\n  columns: ${SHOP_COLUMNS}\n  behaviors: view\n`, 'behaviors');
  describe('format-unknown', `${descriptor(good)}`.replace('  path:', '  format: xlsx\n  path:'), 'format');
  describe('delimiter-long', `${descriptor(good)}`.replace('  path:', '  delimiter: ";;;;;"\n  path:'), 'delimiter');
  describe('categories-missing-file', descriptor(good, `items:\n  categories: { path: ${join(root, 'none.csv')}, columns: { item: sku, category: category } }\n`), 'none.csv');
  describe('categories-no-columns', descriptor(good, `items:\n  categories: { path: ${join(fixtures.shop, 'products.csv')} }\n`), 'columns');
  describe('categories-column-absent', descriptor(good, `items:\n  categories: { path: ${join(fixtures.shop, 'products.csv')}, columns: { item: sku, category: aisle } }\n`), 'aisle');
  describe('categories-unknown-field', descriptor(good, `items:\n  categories: { path: ${join(fixtures.shop, 'products.csv')}, columns: { item: sku, category: category }, colour: 1 }\n`), 'colour');
  describe('items-unknown-field', descriptor(good, 'items:\n  colours: {}\n'), 'colours');
  describe('features-missing-file', descriptor(good, `items:\n  features:\n    image: { path: ${join(root, 'none.npy')}, ids: ${join(root, 'none.txt')} }\n`), 'none');
  describe('users-features-missing', descriptor(good, `users:\n  features: { path: ${join(root, 'users-none.csv')}, columns: { user: id } }\n`), 'users-none.csv');
  describe('splits-missing-file', descriptor(good, `splits:\n  default: { train: ${join(root, 'tr.csv')}, test: ${good} }\n`), 'tr.csv');
  describe('splits-no-test', descriptor(good, `splits:\n  default: { train: ${good} }\n`), 'test');
  describe('splits-protocol-name', descriptor(good, `splits:\n  random: { train: ${good}, test: ${good} }\n`), 'random');
  describe('name-number', `name: 5\n${descriptor(good)}`, 'name');

  // 2. interaction files, through a valid descriptor
  const log = (id, bytes, names, ext = 'csv', columns = SHOP_COLUMNS) => {
    const data = file(`logs/${id}.${ext}`, bytes);
    const path = file(`logs/${id}.yaml`, descriptor(data, '', columns));
    add(`log/${id}`, ['data', 'describe', path], names === 'FILE' ? data : names);
  };
  const text = events.toString('utf8');
  const lines = text.trimEnd().split('\n');
  log('empty', '', 'FILE');
  log('header-only', `${lines[0]}\n`, 'FILE');
  log('short-line', `${lines.slice(0, 50).join('\n')}\nC9999,P001\n${lines.slice(50, 80).join('\n')}\n`, 'FILE');
  log('long-line', `${lines.slice(0, 50).join('\n')}\nC9999,P001,view,1,extra,fields\n`, 'FILE');
  log('time-not-number', `${lines.slice(0, 20).join('\n')}\nC0001,P001,view,yesterday\n`, 'FILE');
  log('empty-user', `${lines.slice(0, 20).join('\n')}\n,P001,view,1767225600\n`, 'FILE');
  log('empty-item', `${lines.slice(0, 20).join('\n')}\nC0001,,view,1767225600\n`, 'FILE');
  log('unknown-behaviour', `${lines.slice(0, 20).join('\n')}\nC0001,P001,wishlist,1767225600\n`, 'wishlist');
  log('binary', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 151) % 256)), 'FILE');
  log('utf16', Buffer.from(`\ufeff${lines.slice(0, 10).join('\n')}\n`, 'utf16le'), 'FILE');
  const gz = gzipSync(events);
  log('gz-truncated-half', gz.subarray(0, Math.floor(gz.length / 2)), 'FILE', 'csv.gz');
  log('gz-truncated-end', gz.subarray(0, gz.length - 4), 'FILE', 'csv.gz');
  log('gz-garbage', Buffer.concat([gz.subarray(0, 20), Buffer.alloc(200, 7)]), 'FILE', 'csv.gz');
  log('gz-not-gzip', events.subarray(0, 2000), 'FILE', 'csv.gz');
  log('gz-empty', Buffer.alloc(0), 'FILE', 'csv.gz');
  const flipped = Buffer.from(gz);
  flipped[Math.floor(gz.length / 2)] ^= 0xff;
  log('gz-flipped', flipped, 'FILE', 'csv.gz');
  log('parquet-garbage', Buffer.from('PAR1 not really'), 'FILE', 'parquet');
  log('jsonl-garbage', '{"customer": "C1", "sku": \n{{{\n', 'FILE', 'jsonl');
  log('jsonl-missing-key', '{"customer": "C1", "event": "view", "ts": 1}\n', 'sku', 'jsonl');
  log('rating-nan', 'customer,sku,event,ts,stars\nC1,P1,view,1,NaN\nC1,P2,buy,2,4\n', 'FILE', 'csv', '{ user: customer, item: sku, behavior: event, time: ts, rating: stars }');
  log('rating-text', 'customer,sku,event,ts,stars\nC1,P1,view,1,five\n', 'FILE', 'csv', '{ user: customer, item: sku, behavior: event, time: ts, rating: stars }');
  log('quote-unclosed', `${lines[0]}\n"C1,P1,view,1\nC2,P2,buy,2\n`, 'FILE');
  log('nul-bytes', Buffer.from(`${lines.slice(0, 5).join('\n')}\n\0\0\0\0\n`), 'FILE');
  log('only-newlines', '\n\n\n\n', 'FILE');

  // 3. configs and --set (rec train <model> --data <shop> …): one line naming the field
  const shop = join(fixtures.shop, 'shop.yaml');
  const train = (id, model, extra, names) => add(`config/${id}`, ['train', model, '--data', shop, '--out', join(root, 'runs', id), '--quiet', '--backend', 'js', ...extra], names);
  const badValues = {
    dim: ['0', '-3', '1e9', 'x', '2.5', '[1]'],
    epochs: ['0', '-1', 'ten', '100000'],
    learningRate: ['0', '-0.1', '100', 'fast'],
    l2: ['-1', '2', 'none'],
    batchSize: ['0', '-5', '1.5'],
    seed: ['-1', '1.5', 'abc'],
    patience: ['0', '-2'],
    negatives: ['0', '1000'],
    validationK: ['0', '5000'],
    validationUsers: ['0', '-1'],
  };
  for (const [field, values] of Object.entries(badValues)) {
    for (const value of values) train(`${field}=${value}`, 'nmtr-gmf', ['--set', `${field}=${value}`], field);
  }
  for (const [model, field, value] of [
    ['gmf', 'optimizer', 'adamax'], ['bpr', 'optimizer', 'adam'], ['mc-bpr', 'optimizer', 'adagrad'], ['nmtr-gmf', 'weights', '[0.5, 0.5, 2]'],
    ['nmtr-gmf', 'weights', 'heavy'], ['cmf', 'behaviors', '[view, wish, buy]'], ['nmtr-gmf', 'behaviors', '[buy, view]'], ['nmtr-gmf', 'target', 'wishlist'],
    ['mlp', 'layers', '0'], ['neumf', 'layers', '9'], ['gmf', 'layers', '2'], ['mc-gmf', 'viewedRate', '1.5'], ['most-popular', 'epochs', '3'],
    ['most-popular', 'seed', '1'], ['weaker-behavior', 'dim', '8'], ['gmf', 'weights', '[1]'], ['bpr', 'viewedRate', '0.5'], ['nmtr-mlp', 'layers', 'deep'],
  ]) train(`${model}-${field}=${value}`, model, ['--set', `${field}=${value}`], field);
  for (const [id, set, names] of [
    ['set-no-equals', 'dim', '--set'], ['set-empty-key', '=3', '--set'], ['set-unknown', 'colour=red', 'colour'], ['set-typo', 'learning_rate=0.1', 'learning_rate'],
    ['set-empty-value', 'dim=', 'dim'], ['set-nested', 'dim.x=1', 'dim.x'],
  ]) train(id, 'gmf', ['--set', set], names);
  const config = (id, ext, text, names) => {
    const path = file(`configs/${id}.${ext}`, text);
    train(`file-${id}`, 'gmf', ['--config', path], names === 'FILE' ? path : names);
  };
  config('yaml-syntax', 'yaml', 'dim: [4', 'FILE');
  config('json-syntax', 'json', '{"dim": 4', 'FILE');
  config('list', 'yaml', '- dim\n- 4\n', 'FILE');
  config('scalar', 'json', '7', 'FILE');
  config('unknown-field', 'yaml', 'dim: 4\nsize: 9\n', 'size');
  config('bad-value', 'json', '{"epochs": "many"}', 'epochs');
  config('model-inside', 'yaml', 'model: nmtr\n', 'model');
  add('config/missing-file', ['train', 'gmf', '--data', shop, '--config', join(root, 'none.yaml')], 'none.yaml');
  add('config/unknown-model', ['train', 'transformer', '--data', shop], 'transformer');
  add('config/epochs-flag', ['train', 'gmf', '--data', shop, '--epochs', 'many'], 'epochs');
  add('config/split-seed', ['train', 'gmf', '--data', shop, '--split-seed', '-4'], '--split-seed');
  add('config/split-seed-unused', ['train', 'most-popular', '--data', shop, '--split', 'temporal:0.8', '--split-seed', '3'], '--split-seed');

  // 4. splits and protocols (rec train / rec eval)
  for (const spec of ['loo', 'random:0.8', 'random:a,b,c', 'random:0,0,1', 'random:-1,1,1', 'kfold:0/5', 'kfold:6/5', 'kfold:1/1', 'kfold:x', 'temporal:', 'temporal:2', 'temporal:abc',
    'temporal:1999-13-40', 'rnr:-5', 'rnr:0', 'nmtr:foo', 'default', 'u1', 'fold1', 'leave-last-out:3', '']) {
    add(`split/${spec || 'empty'}`, ['train', 'most-popular', '--data', shop, '--split', spec, '--out', join(root, 'runs', `split-${spec.replace(/[^a-z0-9]/gi, '_')}`), '--quiet'], 'split');
  }
  const model = fixtures.model;
  for (const protocol of ['loo', 'sampled:', 'sampled:0', 'sampled:-1', 'sampled:x', 'full:3']) add(`eval/protocol-${protocol}`, ['eval', model, '--protocol', protocol], '--protocol');
  for (const k of ['0', '-1', 'x', '1,,2', '10,a', '1000000000', '1.5', '']) add(`eval/k-${k || 'empty'}`, ['eval', model, '-k', k], '-k');
  add('eval/no-folder', ['eval', join(root, 'no-such-model')], 'no-such-model');
  add('eval/split-unknown', ['eval', model, '--split', 'u9'], 'u9');
  add('eval/data-unknown', ['eval', model, '--data', 'no-such-dataset'], 'no-such-dataset');
  add('eval/out-is-file', ['eval', model, '-k', '10', '--out', file('a-file', 'x')], '--out');
  add('eval/backend', ['eval', model, '--backend', 'cuda'], 'cuda');

  // 5. rec recommend
  for (const [id, extra, names] of [
    ['unknown-user', ['--user', 'nobody'], 'nobody'], ['k-zero', ['--user', 'C0001', '-k', '0'], '-k'], ['k-text', ['--user', 'C0001', '-k', 'ten'], '-k'],
    ['output', ['--user', 'C0001', '--output', 'ratings'], '--output'], ['categories', ['--user', 'C0001', '--output', 'categories'], 'categories'],
    ['no-user', [], '--user'], ['empty-user', ['--user', ''], "''"], ['second-unknown', ['--user', 'C0001', '--user', 'C9999'], 'C9999'],
  ]) add(`recommend/${id}`, ['recommend', model, ...extra], names);

  // 6. model folders: a copy of a good one with one file broken
  const files = ['config.json', 'model.safetensors', 'seen.safetensors', 'ids.json'];
  const broken = (id, mutate, names) => {
    const dir = join(root, 'models', id);
    mkdirSync(dir, { recursive: true });
    for (const f of files) copyFileSync(join(model, f), join(dir, f));
    mutate(dir);
    add(`model/${id}`, ['recommend', dir, '--user', 'C0001'], names === 'DIR' ? dir : names);
  };
  const json = (dir, f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const write = (dir, f, value) => writeFileSync(join(dir, f), typeof value === 'string' || value instanceof Uint8Array ? value : JSON.stringify(value));
  for (const f of files) broken(`empty-${f}`, (dir) => writeFileSync(join(dir, f), ''), f);
  for (const f of files) broken(`deleted-${f}`, (dir) => rmSync(join(dir, f)), f);
  broken('config-garbage', (dir) => write(dir, 'config.json', '{"format": '), 'config.json');
  broken('config-list', (dir) => write(dir, 'config.json', '[]'), 'config.json');
  broken('format-other', (dir) => write(dir, 'config.json', { ...json(dir, 'config.json'), format: 'tfjs' }), 'config.json');
  broken('version-1', (dir) => write(dir, 'config.json', { ...json(dir, 'config.json'), version: 1 }), 'version 1');
  broken('version-99', (dir) => write(dir, 'config.json', { ...json(dir, 'config.json'), version: 99 }), 'version 99');
  broken('model-unknown', (dir) => { const c = json(dir, 'config.json'); write(dir, 'config.json', { ...c, model: 'not-a-model', config: { ...c.config, model: 'not-a-model' } }); }, 'not-a-model');
  broken('model-mismatch', (dir) => write(dir, 'config.json', { ...json(dir, 'config.json'), model: 'gmf' }), 'config.json');
  broken('config-field', (dir) => { const c = json(dir, 'config.json'); write(dir, 'config.json', { ...c, config: { ...c.config, dim: -1 } }); }, 'dim');
  broken('config-digest', (dir) => { const c = json(dir, 'config.json'); write(dir, 'config.json', { ...c, config: { ...c.config, dim: c.config.dim + 1 } }); }, 'config.json');
  broken('shape-missing', (dir) => { const c = json(dir, 'config.json'); delete c.shape; write(dir, 'config.json', c); }, 'shape');
  broken('shape-negative', (dir) => { const c = json(dir, 'config.json'); write(dir, 'config.json', { ...c, shape: { ...c.shape, numItems: -1 } }); }, 'shape');
  broken('behaviors-empty', (dir) => { const c = json(dir, 'config.json'); write(dir, 'config.json', { ...c, shape: { ...c.shape, behaviors: [] } }); }, 'behaviors');
  broken('ids-garbage', (dir) => write(dir, 'ids.json', 'users: ['), 'ids.json');
  broken('ids-short', (dir) => { const ids = json(dir, 'ids.json'); write(dir, 'ids.json', { ...ids, users: ids.users.slice(1) }); }, 'ids.json');
  broken('ids-objects', (dir) => { const ids = json(dir, 'ids.json'); write(dir, 'ids.json', { ...ids, items: ids.items.map((i) => ({ i })) }); }, 'ids.json');
  broken('ids-duplicate-user', (dir) => { const ids = json(dir, 'ids.json'); ids.users[1] = ids.users[0]; write(dir, 'ids.json', ids); }, 'ids.json');
  broken('params-truncated', (dir) => write(dir, 'model.safetensors', readFileSync(join(dir, 'model.safetensors')).subarray(0, 40)), 'model.safetensors');
  broken('params-header-flip', (dir) => { const b = readFileSync(join(dir, 'model.safetensors')); b[12] = 0x7b; write(dir, 'model.safetensors', b); }, 'model.safetensors');
  broken('params-huge-header', (dir) => { const b = readFileSync(join(dir, 'model.safetensors')); b.writeUInt32LE(0xfffffff0, 0); write(dir, 'model.safetensors', b); }, 'model.safetensors');
  broken('params-garbage', (dir) => write(dir, 'model.safetensors', Buffer.alloc(100, 3)), 'model.safetensors');
  broken('params-tail-cut', (dir) => { const b = readFileSync(join(dir, 'model.safetensors')); write(dir, 'model.safetensors', b.subarray(0, b.length - 8)); }, 'model.safetensors');
  broken('seen-garbage', (dir) => write(dir, 'seen.safetensors', Buffer.alloc(64, 1)), 'seen.safetensors');
  broken('seen-truncated', (dir) => { const b = readFileSync(join(dir, 'seen.safetensors')); write(dir, 'seen.safetensors', b.subarray(0, b.length - 16)); }, 'seen.safetensors');
  add('model/folder-is-file', ['recommend', file('model-file', 'x'), '--user', 'C0001'], 'model-file');

  // 7. checkpoints and run records of a resumable run
  const run = fixtures.checkpointRun;
  const resumable = (id, mutate, names) => {
    const dir = join(root, 'checkpoints', id);
    mkdirSync(join(dir, 'checkpoint'), { recursive: true });
    for (const f of ['run.json']) copyFileSync(join(run, f), join(dir, f));
    for (const f of ['config.json', 'model.safetensors']) copyFileSync(join(run, 'checkpoint', f), join(dir, 'checkpoint', f));
    mutate(dir);
    add(`checkpoint/${id}`, ['train', 'gmf', '--data', shop, '--out', dir, '--quiet', '--backend', 'js', '--set', 'dim=4', '--epochs', '3'], names);
  };
  const state = (dir) => JSON.parse(readFileSync(join(dir, 'checkpoint', 'config.json'), 'utf8'));
  const setState = (dir, value) => writeFileSync(join(dir, 'checkpoint', 'config.json'), typeof value === 'string' ? value : JSON.stringify(value));
  resumable('run-garbage', (dir) => writeFileSync(join(dir, 'run.json'), '{"dataset'), 'run.json');
  resumable('run-list', (dir) => writeFileSync(join(dir, 'run.json'), '[1]'), 'run.json');
  resumable('run-other-config', (dir) => writeFileSync(join(dir, 'run.json'), JSON.stringify({ dataset: 'example-shop', config: { model: 'gmf', dim: 99 } })), 'dim');
  resumable('state-garbage', (dir) => setState(dir, '{"nextEpoch": '), 'config.json');
  resumable('next-epoch-huge', (dir) => setState(dir, { ...state(dir), nextEpoch: 1000 }), 'checkpoint');
  resumable('next-epoch-text', (dir) => setState(dir, { ...state(dir), nextEpoch: 'one' }), 'nextEpoch');
  resumable('epochs-missing', (dir) => setState(dir, { ...state(dir), epochs: undefined }), 'checkpoint');
  resumable('best-outside', (dir) => setState(dir, { ...state(dir), best: { epoch: 50, value: 0.5 } }), 'best epoch');
  resumable('params-garbage', (dir) => writeFileSync(join(dir, 'checkpoint', 'model.safetensors'), Buffer.alloc(80, 9)), 'model.safetensors');
  resumable('params-cut', (dir) => { const b = readFileSync(join(dir, 'checkpoint', 'model.safetensors')); writeFileSync(join(dir, 'checkpoint', 'model.safetensors'), b.subarray(0, b.length - 10)); }, 'model.safetensors');

  // 8. command lines
  for (const [id, args, names] of [
    ['no-command', ['frobnicate'], 'frobnicate'], ['train-no-model', ['train'], 'required'], ['train-no-data', ['train', 'gmf'], '--data'],
    ['train-unknown-option', ['train', 'gmf', '--data', shop, '--colour', 'red'], '--colour'], ['train-backend', ['train', 'gmf', '--data', shop, '--backend', 'tpu'], 'tpu'],
    ['train-data-unknown', ['train', 'gmf', '--data', 'no-such/dataset'], 'no-such/dataset'], ['train-data-missing-file', ['train', 'gmf', '--data', join(root, 'none.yaml')], 'none.yaml'],
    ['eval-no-dir', ['eval'], 'modelDir'], ['recommend-no-dir', ['recommend'], 'modelDir'], ['data-no-sub', ['data', 'frob'], 'frob'],
    ['stats-unknown', ['data', 'stats', 'no-such'], 'no-such'], ['describe-missing', ['data', 'describe', join(root, 'nothing.yaml')], 'nothing.yaml'],
    ['describe-csv', ['data', 'describe', good], 'events.csv'], ['download-unknown', ['data', 'download', 'no-such'], 'no-such'],
    ['reproduce-unknown', ['reproduce', 'sasrec'], 'sasrec'], ['reproduce-no-data', ['reproduce', 'nmtr'], '--data'],
    ['reproduce-bad-data', ['reproduce', 'nmtr', '--data', 'amazon'], '--data'], ['reproduce-method', ['reproduce', 'nmtr', '--data', 'tmall', '--methods', 'nmtr-x'], 'nmtr-x'],
    ['reproduce-tune', ['reproduce', 'nmtr', '--data', 'tmall', '--tune', '0.1,-1'], '--tune'], ['reproduce-tune-weights', ['reproduce', 'nmtr', '--data', 'tmall', '--tune-weights', '0.9,0.9'], '--tune-weights'],
    ['reproduce-epochs', ['reproduce', 'nmtr', '--data', 'tmall', '--epochs', '0'], '--epochs'], ['reproduce-dim', ['reproduce', 'nmtr', '--data', 'tmall', '--dim', 'big'], '--dim'],
    ['reproduce-data-file-missing', ['reproduce', 'nmtr', '--data', 'tmall', '--data-file', join(root, 'none.yaml'), '--methods', 'most-popular', '--out', join(root, 'runs', 'rep')], 'none.yaml'],
    ['models-extra', ['models', 'extra'], 'too many arguments'],
  ]) add(`argv/${id}`, args, names);

  return cases;
}
