/**
 * The malformed flood of bench/load.ts, in its own process so that the good requests' client
 * does not share an event loop with it (their latency is then the server's, not the harness's):
 * `flood.ts <url> <seconds> <connections>` sends broken JSON, wrong types, unknown users, `k`
 * too large, … and prints `{ "total": n, "2xx": n }` on stdout.
 */
import autocannon from 'autocannon';

export const MALFORMED = ['{"user":', '{"user": true}', '{"user": "no such user"}', '{"user": 1, "k": 100000}', '{"users": []}', 'null', '{"kk": 1}'];

const [url, seconds, connections] = process.argv.slice(2);
if (!url || !seconds || !connections) throw new Error('usage: flood.ts <url> <seconds> <connections>');
let sent = 0;
const result = await autocannon({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  connections: Number(connections),
  duration: Number(seconds),
  requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: MALFORMED[sent++ % MALFORMED.length] }) }],
});
process.stdout.write(`${JSON.stringify({ total: result.requests.total, '2xx': result['2xx'] })}\n`);
