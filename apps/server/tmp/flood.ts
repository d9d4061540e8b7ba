import autocannon from 'autocannon';
const url = process.argv[2];
const MALFORMED = ['{"user":', '{"user": true}', '{"user": "no such user"}', '{"user": 1, "k": 100000}', '{"users": []}', 'null', '{"kk": 1}'];
let i = 0;
const r = await autocannon({ url: `${url}/v1/models/tmall-bpr/recommend`, method: 'POST', headers: { 'content-type': 'application/json' }, connections: 16, duration: 6,
  requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: MALFORMED[i++ % MALFORMED.length] }) }] });
console.log(`${r.requests.average} req/s; p99 ${r.latency.p99}`);
