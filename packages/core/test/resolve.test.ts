import { afterEach, describe, expect, it } from 'vitest';
import { currentBackend, jsBackend, registerBackendLoader, resolveBackend, setBackend } from '../src/index.js';

describe('resolveBackend', () => {
  afterEach(() => {
    setBackend('js');
  });

  it('skips a backend that cannot load with one line naming it and why, and falls back to js', async () => {
    registerBackendLoader('fake-missing', 50, () => ({ ok: false, reason: 'addon not built (REC_SKIP_NATIVE_BUILD=1)' }));
    const lines: string[] = [];
    const b = await resolveBackend({ log: (l) => lines.push(l) });
    expect(b.name).toBe('js');
    expect(lines).toContain('backend fake-missing skipped: addon not built (REC_SKIP_NATIVE_BUILD=1)');
    expect(lines.filter((l) => l.includes('fake-missing'))).toHaveLength(1);
  });

  it('prefers the highest-priority backend that loads', async () => {
    registerBackendLoader('fake-fast', 60, () => ({ ok: true, backend: { ...jsBackend, name: 'fake-fast', fallback: 'js' } }));
    const b = await resolveBackend({ log: () => {} });
    expect(b.name).toBe('fake-fast');
    expect(currentBackend().name).toBe('fake-fast');
  });

  it('never picks an explicit-only backend (negative priority) automatically, but loads it by name', async () => {
    registerBackendLoader('fake-partial', -1, () => ({ ok: true, backend: { ...jsBackend, name: 'fake-partial', fallback: 'js' } }));
    const lines: string[] = [];
    expect((await resolveBackend({ log: (l) => lines.push(l) })).name).not.toBe('fake-partial');
    expect(lines.some((l) => l.includes('fake-partial'))).toBe(false);
    expect((await resolveBackend({ prefer: 'fake-partial' })).name).toBe('fake-partial');
  });

  it('fails when the backend asked for cannot load, and names unknown ones', async () => {
    await expect(resolveBackend({ prefer: 'fake-missing' })).rejects.toThrow(/asked for but cannot load: addon not built/);
    await expect(resolveBackend({ prefer: 'cuda' })).rejects.toThrow(/backend 'cuda' is unknown; known: js/);
    expect((await resolveBackend({ prefer: 'js' })).name).toBe('js');
  });
});
