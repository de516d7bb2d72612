// compiler/core/output-file.ts: outputs are written through a temporary file renamed into place, and every
// way a write can fail (a regular file where a folder should be, a read-only folder, a folder in the
// way, a full device) is a coded error naming the path; `denoc` reports it instead of a stack trace.
// A full device is /dev/full, whose writes fail with ENOSPC: written to directly as `--out`, and as
// the temporary file of an ordinary path through a symbolic link planted where the temporary goes
// (the write phase of the real code path fails; the link is removed like any failed temporary).
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { ensureFolder, temporaryPathFor, writeFileAtomic } from '../../compiler/core/output-file.ts';
import { writeOnnxArtifacts } from '../../targets/onnx/compile.ts';
import { compileFile } from '../../dsl/index.ts';
import { initWeights } from '../../runtime/weights/init.ts';
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

const hasDevFull = existsSync('/dev/full') && statSync('/dev/full').isCharacterDevice();

/** A folder holding `name` with `old` contents, whose next temporary file is a link to /dev/full. */
function folderWithFullTemporary(name: string, old: string): { folder: string; path: string } {
  const folder = mkdtempSync(join(root, 'full-'));
  const path = join(folder, name);
  writeFileSync(path, old);
  symlinkSync('/dev/full', temporaryPathFor(path));
  return { folder, path };
}

describe.skipIf(!hasDevFull)('a full device', () => {
  it('writes a device in place: /dev/full gives OUT0002 (ENOSPC) and stays a device, /dev/null takes the bytes', () => {
    expect(() => writeFileAtomic('/dev/full', new Uint8Array(64))).toThrow(
      /OUT0002: cannot write '\/dev\/full': no space left on the device \(ENOSPC\)/,
    );
    expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
    writeFileAtomic('/dev/null', 'discarded');
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('leaves the old file whole and no temporary when the temporary file cannot be written (ENOSPC)', () => {
    const { folder, path } = folderWithFullTemporary('out.bin', 'old contents');
    expect(() => writeFileAtomic(path, new Uint8Array(1 << 16))).toThrow(/OUT0002: .*out\.bin': no space left on the device \(ENOSPC\)/);
    expect(readFileSync(path, 'utf8')).toBe('old contents');
    expect(readdirSync(folder)).toEqual(['out.bin']);
  });

  it("leaves no partial file of a target's artifacts (onnx) when the device is full", () => {
    const model = compileFile('examples/mlp2d.dn').models.find((m) => m.name === 'MLP2D')!;
    const weights = initWeights(model.parameters, 0);
    const { folder, path } = folderWithFullTemporary('model.onnx', 'previous model');
    expect(() => writeOnnxArtifacts(model.graph, weights, folder, { dims: { B: 2 } })).toThrow(/OUT0002: .*model\.onnx': no space left/);
    expect(readFileSync(path, 'utf8')).toBe('previous model');
    expect(readdirSync(folder)).toEqual(['model.onnx']);
  });

  it('denoc run --out /dev/full exits 1 with OUT0002 and no stack trace', async () => {
    const { code, err } = await denocInProcess(
      'run',
      'examples/mlp2d.dn',
      '--batch',
      '4',
      '--sampler',
      'ddim4',
      '--no-progress',
      '--out',
      '/dev/full',
    );
    expect(code).toBe(1);
    expect(err).toMatch(/error OUT0002: cannot write '\/dev\/full': no space left on the device \(ENOSPC\)/);
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe('every product write goes through writeFileAtomic', () => {
  it('finds no other call that writes a file in compiler/, dsl/, targets/, runtime/, api/ or cli/', () => {
    const ROOT = join(import.meta.dirname, '../..');
    const filesUnder = (dir: string): string[] =>
      readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const writers = ['compiler', 'dsl', 'targets', 'runtime', 'api', 'cli']
      .flatMap(filesUnder)
      .filter((f) => f !== join('compiler', 'core', 'output-file.ts'))
      .filter((f) => /\b(writeFileSync|writeFile|appendFileSync|createWriteStream|renameSync)\(/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(writers).toEqual([]);
  });
});
