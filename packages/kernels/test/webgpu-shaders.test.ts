import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WGSL_SOURCES } from '../src/webgpu/shaders.generated.js';
import { composeShader, loadShaderSources } from '../src/webgpu/shaders.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));

describe('WGSL sources', () => {
  it('shaders.generated.ts is up to date with kernels/wgsl/ (else run node scripts/embed-wgsl.mjs)', () => {
    expect(() => execFileSync(process.execPath, ['scripts/embed-wgsl.mjs', '--check'], { cwd: pkg, stdio: 'pipe' })).not.toThrow();
  });

  it('Node reads the same sources from kernels/wgsl/', async () => {
    expect(await loadShaderSources()).toEqual(WGSL_SOURCES);
  });

  it('every file opens with its header comment naming its stem', () => {
    for (const [stem, text] of Object.entries(WGSL_SOURCES)) {
      const firstComment = text.split('\n').find((l) => l.startsWith('// '));
      expect(firstComment, stem).toContain(`${stem}.wgsl`);
    }
  });

  it('prepends required helpers once, before the kernel', () => {
    const code = composeShader(WGSL_SOURCES, 'sampling/neg_sample_exclude');
    expect(code.indexOf('fn philox4x32_10')).toBeGreaterThanOrEqual(0);
    expect(code.indexOf('fn philox4x32_10')).toBeLessThan(code.indexOf('fn neg_sample_exclude'));
    expect(code.split('fn mulhi32').length).toBe(2);
    expect(() => composeShader({ a: '//! requires b.wgsl\n' }, 'a')).toThrow(/requires 'b.wgsl'/);
  });

  it('instantiates a template helper once per array it names', () => {
    const sources = {
      'common/t': '// common/t.wgsl\nfn has_SORTED() -> bool { return SORTED[0] == 0; }\n',
      k: '//! requires common/t.wgsl(a)\n//! requires common/t.wgsl(b)\n//! requires common/t.wgsl(a)\nfn k() {}\n',
    };
    const code = composeShader(sources, 'k');
    expect(code.split('fn has_a()').length).toBe(2);
    expect(code.split('fn has_b()').length).toBe(2);
    expect(code).toContain('return b[0] == 0;');
    expect(code).not.toContain('SORTED');
    const exclude = composeShader(WGSL_SOURCES, 'sampling/neg_sample_exclude');
    expect(exclude.indexOf('fn sorted_has_indices')).toBeLessThan(exclude.indexOf('fn neg_sample_exclude'));
  });
});
