/**
 * Front-end scaling (issue 17): time of parseSource (lex, layout, nesting check, parse, CST → AST)
 * against file size, doubling from 16 KB to 10 MB, for two shapes of input: ordinary code (blocks of
 * statements with comments and blank lines) and only blank and comment lines (the input that was
 * quadratic). Prints µs per KB for each size; linear time shows as a flat column.
 * Run with `npm run bench:frontend-scaling` (`-- --max-mb 2` for a shorter run).
 */
import { parseSource } from '../dsl/syntax/cst-to-ast.ts';

const KB = 1024;
const maxMb = Number(process.argv[process.argv.indexOf('--max-mb') + 1] ?? 10) || 10;

function codeChunk(i: number): string {
  return (
    `# block ${i}: a residual layer\n\nblock B${i}(dim: int) {\n  fc = Linear(dim, dim)\n\n` +
    `  fn (h: f32[B, dim]) -> f32[B, dim] {\n    y = fc(silu(h)) * 0.5 + h\n    return y\n  }\n}\n\n`
  );
}

function build(bytes: number, chunk: (i: number) => string): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const c = chunk(i);
    parts.push(c);
    size += c.length;
  }
  return parts.join('');
}

const shapes: Record<string, (i: number) => string> = {
  code: codeChunk,
  'blank+comments': (i) => `# comment ${i}\n\n\n`,
};

parseSource(codeChunk(0), 'warm.dn');
for (const [shape, chunk] of Object.entries(shapes)) {
  for (let bytes = 16 * KB; bytes <= maxMb * KB * KB * 1.01; bytes = Math.min(bytes * 2, maxMb * KB * KB)) {
    const text = build(bytes, chunk);
    const t0 = performance.now();
    const parsed = parseSource(text, `${shape}.dn`);
    const ms = performance.now() - t0;
    const ok = parsed.diagnostics.length === 0 ? 'ok' : parsed.diagnostics[0].code;
    console.log(
      `${shape.padEnd(15)} ${(text.length / KB).toFixed(0).padStart(6)} KB  ${ms.toFixed(0).padStart(7)} ms  ` +
        `${((ms * 1000) / (text.length / KB)).toFixed(0).padStart(6)} µs/KB  ${ok}`,
    );
    if (bytes >= maxMb * KB * KB) break;
  }
}
