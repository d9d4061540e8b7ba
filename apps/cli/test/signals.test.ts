/**
 * `bin/rec.js` in the checkout starts `rec` as a child process; killing the wrapper, even
 * with SIGKILL, takes the child down (issue 11: `kill -9` left training running), and a
 * reader that stops early ends `rec` quietly.
 */
import { execSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/rec.js', import.meta.url));
const shop = fileURLToPath(new URL('../../../examples/shop/shop.yaml', import.meta.url));

/** Whether a process with this pid is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the rec process', () => {
  it('dies with its wrapper, even when the wrapper is killed with SIGKILL', { timeout: 60_000 }, async () => {
    const wrapper = spawn(process.execPath, [bin, 'train', 'nmtr-gmf', '--data', shop, '--epochs', '500', '--backend', 'js', '--out', fileURLToPath(new URL('../runs-signal-test', import.meta.url))], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Wait until training prints its first line, then find the child.
    await new Promise<void>((resolve) => wrapper.stdout.once('data', () => resolve()));
    const children = execSync(`pgrep -P ${wrapper.pid}`, { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(children.length).toBe(1);
    wrapper.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (alive(children[0]) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive(children[0])).toBe(false);
    execSync(`rm -rf ${fileURLToPath(new URL('../runs-signal-test', import.meta.url))}`);
  });

  it('ends quietly when the reader of its output stops early', { timeout: 60_000 }, () => {
    const out = execSync(`node ${bin} models | head -1; echo "exit \${PIPESTATUS[0]}"`, { encoding: 'utf8', shell: '/bin/bash', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out.trim().split('\n')).toEqual(['Rules', 'exit 0']);
  });
});
