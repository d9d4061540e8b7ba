import autocannon from 'autocannon';
const url = process.argv[2];
const MALFORMED = ['{"user":', '{"user": true}', '{"user": "no such user"}', '{"user": 1, "k": 100000}', '{"users": []}', 'null', '{"kk": 1}'];
for (const body of MALFORMED) {
  const r = await autocannon({ url: `${url}/v1/models/tmall-bpr/recommend`, method: 'POST', headers: { 'content-type': 'application/json' }, connections: 16, amount: 10000, body });
  console.log(`${body}: ${r.requests.average} req/s; p50 ${r.latency.p50} p99 ${r.latency.p99} max ${r.latency.max} ${JSON.stringify(r.statusCodeStats)}`);
}
