// runtime/output-file.ts: outputs are written through a temporary file renamed into place, and every
// way a write can fail (a regular file where a folder should be, a read-only folder, a folder in the
// way) is a coded error naming the path; `denoc run` reports it instead of a stack trace.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { ensureFolder, writeFileAtomic } from '../../runtime/output-file.ts';
import { denocInProcess } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'denoc-output-'));
const aFile = join(root, 'a-file');
writeFileSync(aFile, 'not a folder');

/** root ignores folder permissions, so the read-only case cannot fail for it */
const isRoot = process.getuid?.() === 0;

function codeOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DenocError);
    return (e as DenocError).diagnostics[0].code;
  }
  return undefined;
}

describe('writeFileAtomic', () => {
  it('creates the folders and writes the bytes, leaving no temporary file', () => {
    const path = join(root, 'deep', 'er', 'out.bin');
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    expect(readdirSync(join(root, 'deep', 'er'))).toEqual(['out.bin']);
  });

  it('replaces an existing file whole', () => {
    const path = join(root, 'replace.txt');
    writeFileAtomic(path, 'old contents');
    writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
  });

  it('refuses a folder under a regular file with OUT0001 naming the path', () => {
    expect(() => ensureFolder(join(aFile, 'sub'))).toThrow(/OUT0001: cannot create the folder '.*a-file\/sub': .*\(ENOTDIR\)/);
    expect(codeOf(() => writeFileAtomic(join(aFile, 'sub', 'x.png'), 'x'))).toBe('OUT0001');
  });

  it('refuses a folder in the way of the file with OUT0002 and removes the temporary file', () => {
    const folder = join(root, 'in-the-way');
    mkdirSync(join(folder, 'x.png'), { recursive: true });
    expect(() => writeFileAtomic(join(folder, 'x.png'), 'x')).toThrow(/OUT0002: cannot write '.*x.png'/);
    expect(readdirSync(folder)).toEqual(['x.png']);
  });

  it.skipIf(isRoot)('refuses a read-only folder with OUT0002 (EACCES)', () => {
    const folder = join(root, 'read-only');
    mkdirSync(folder);
    chmodSync(folder, 0o555);
    try {
      expect(() => writeFileAtomic(join(folder, 'x.png'), 'x')).toThrow(/OUT0002: .*permission denied \(EACCES\)/);
      expect(existsSync(join(folder, 'x.png'))).toBe(false);
    } finally {
      chmodSync(folder, 0o755);
    }
  });
});

describe('denoc output paths', () => {
  it('reports an impossible --out folder with OUT0001 and exit 1, no stack trace', async () => {
    const { code, err } = await denocInProcess('run', 'examples/mlp2d.dn', '--batch', '4', '--sampler', 'ddim4', '--out', join(aFile, 'x.png'));
    expect(code).toBe(1);
    expect(err).toMatch(/error OUT0001: cannot create the folder '.*a-file'/);
    expect(err).not.toMatch(/\n\s+at /);
  });
});
