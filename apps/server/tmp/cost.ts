import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
const [url, pid] = [process.argv[2], process.argv[3]];
const users = JSON.parse(readFileSync('/work/runs/models/tmall-bpr/ids.json', 'utf8')).users;
const MALFORMED = ['{"user":', '{"user": true}', '{"user": "no such user"}', '{"user": 1, "k": 100000}', '{"users": []}', 'null', '{"kk": 1}'];
const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; }; // ms (100 Hz)
let i = 0;
for (const [name, body] of [['good', () => JSON.stringify({ user: users[(i = (i * 1103515245 + 12345) >>> 0) % users.length], k: 10 })], ['bad', () => MALFORMED[i++ % MALFORMED.length]], ['good', () => JSON.stringify({ user: users[(i = (i * 1103515245 + 12345) >>> 0) % users.length], k: 10 })], ['bad', () => MALFORMED[i++ % MALFORMED.length]]] as const) {
  const c0 = cpu();
  const r = await autocannon({ url: `${url}/v1/models/tmall-bpr/recommend`, method: 'POST', headers: { 'content-type': 'application/json' }, connections: 16, amount: 30000,
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: body() }) }] });
  const c1 = cpu();
  console.log(`${name}: ${r.requests.average} req/s; server cpu ${((c1 - c0) / 30000 * 1000).toFixed(0)} us/request, p99 ${r.latency.p99}`);
}
