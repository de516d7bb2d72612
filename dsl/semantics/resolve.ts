/**
 * Loads a program (the main file and everything it imports, std modules included), builds one
 * scope per file, and checks statically that every name used anywhere is declared, with
 * "did you mean" hints. Values are not computed here; dsl/lower/ does that.
 *
 * Imports: `import "std/nn"` reads <stdlibDir>/nn.dn (plus the TS primitives of that module);
 * `import "./x.dn"` is resolved relative to the importing file. An import brings the imported
 * file's own declarations into scope (not what that file imports); a local declaration shadows an
 * imported one; a name exported by two imports is ambiguous where it is used.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerSource, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import { DSL, dslError } from '../diagnostic-codes.ts';
import type { ImportDecl, SourceFile } from '../syntax/ast.ts';
import { parseSource } from '../syntax/cst-to-ast.ts';
import { BUILTIN_NAMES } from './builtin-names.ts';
import type { StdPrimitives } from './primitive.ts';
import { checkNamesInFile } from './resolve-names.ts';
import { readSourceFile } from './source-file.ts';
import { Scope, type Value } from './values.ts';

export const DEFAULT_STDLIB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'stdlib');

export interface LoadOptions {
  readonly stdlibDir?: string;
  /** Reads an imported file; defaults to the file system. Tests pass in-memory files. */
  readonly readFile?: (path: string) => string | undefined;
}

export interface LoadedModule {
  readonly file: string;
  readonly ast: SourceFile;
  /** Own declarations and imports; its parent holds the builtins. */
  readonly scope: Scope;
  /** What importing this module brings into scope. */
  readonly exports: ReadonlyMap<string, Value>;
  /** Names that two imports both export, with the files that export them. */
  readonly ambiguous: ReadonlyMap<string, readonly string[]>;
}

export interface LoadedProgram {
  readonly main?: LoadedModule;
  readonly modules: readonly LoadedModule[];
  readonly diagnostics: readonly Diagnostic[];
}

/** The parent of every file's scope; never changed after it is built. */
const BUILTIN_SCOPE = new Scope();
for (const name of BUILTIN_NAMES) BUILTIN_SCOPE.define(name, { kind: 'builtin', name });

class Loader {
  readonly modules = new Map<string, LoadedModule | 'loading'>();
  readonly diagnostics: Diagnostic[] = [];
  private readonly stdlibDir: string;

  constructor(
    private readonly opts: LoadOptions,
    private readonly primitives: StdPrimitives,
  ) {
    this.stdlibDir = opts.stdlibDir ?? DEFAULT_STDLIB_DIR;
  }

  read(path: string): string | Diagnostic | undefined {
    if (this.opts.readFile) {
      const text = this.opts.readFile(path);
      if (text !== undefined) return text;
    }
    return readSourceFile(path);
  }

  /** Parses and scopes one file; undefined when it has syntax errors (already reported). */
  load(text: string, file: string, primitives: readonly Value[] = []): LoadedModule | undefined {
    registerSource(file, text);
    this.modules.set(file, 'loading');
    const parsed = parseSource(text, file);
    this.diagnostics.push(...parsed.diagnostics);
    if (!parsed.ast) {
      this.modules.delete(file);
      return undefined;
    }
    const ast = parsed.ast;
    const scope = new Scope(BUILTIN_SCOPE);
    const ambiguous = this.importInto(ast, file, scope);
    const exports = new Map<string, Value>();
    for (const p of primitives) if (p.kind === 'ctor' && p.ctor.kind === 'primitive') exports.set(p.ctor.def.name, p);
    const seen = new Map<string, Span>();
    for (const decl of ast.decls) {
      const prev = seen.get(decl.name) ?? (exports.has(decl.name) ? decl.nameSpan : undefined);
      if (prev) this.diagnostics.push(dslError(DSL.Duplicate, `'${decl.name}' is declared twice in this file`, decl.nameSpan));
      seen.set(decl.name, decl.nameSpan);
      exports.set(decl.name, decl.kind === 'block' ? { kind: 'ctor', ctor: { kind: 'block', decl, scope } } : { kind: 'sampler', decl, scope });
    }
    for (const [name, v] of exports) {
      scope.define(name, v);
      ambiguous.delete(name);
    }
    const mod: LoadedModule = { file, ast, scope, exports, ambiguous };
    this.modules.set(file, mod);
    return mod;
  }

  private importInto(ast: SourceFile, file: string, scope: Scope): Map<string, string[]> {
    const from = new Map<string, string[]>();
    for (const imp of ast.imports) {
      const mod = this.resolveImport(imp, file);
      if (!mod) continue;
      for (const [name, v] of mod.exports) {
        const files = from.get(name) ?? [];
        if (!files.includes(mod.file)) files.push(mod.file);
        from.set(name, files);
        if (files.length === 1) scope.define(name, v);
      }
    }
    return new Map([...from].filter(([, files]) => files.length > 1));
  }

  private resolveImport(imp: ImportDecl, importer: string): LoadedModule | undefined {
    const target = this.importPath(imp, importer);
    if (!target) return undefined;
    const cached = this.modules.get(target.file);
    if (cached === 'loading') {
      this.diagnostics.push(dslError(DSL.ImportCycle, `import cycle: '${target.file}' is already being imported`, imp.span));
      return undefined;
    }
    if (cached) return cached;
    const text = this.read(target.path);
    if (typeof text === 'object') {
      this.diagnostics.push({ ...text, span: imp.span });
      return undefined;
    }
    if (text === undefined) {
      const hint = imp.path.startsWith('std/') ? `the standard modules are: ${this.stdModules().join(', ')}` : undefined;
      this.diagnostics.push(dslError(DSL.ModuleNotFound, `cannot find module '${imp.path}' (looked for ${target.path})`, imp.span, hint));
      return undefined;
    }
    return this.load(text, target.file, target.primitives);
  }

  private importPath(imp: ImportDecl, importer: string): { path: string; file: string; primitives: Value[] } | undefined {
    if (imp.path.startsWith('std/')) {
      const name = imp.path.slice(4).replace(/\.dn$/, '');
      const primitives = (this.primitives[name] ?? []).map((def): Value => ({ kind: 'ctor', ctor: { kind: 'primitive', def } }));
      return { path: join(this.stdlibDir, `${name}.dn`), file: `std/${name}.dn`, primitives };
    }
    if (imp.path.startsWith('./') || imp.path.startsWith('../')) {
      const path = normalize(join(dirname(importer), imp.path));
      return { path, file: path, primitives: [] };
    }
    this.diagnostics.push(dslError(DSL.ModuleNotFound, `import path '${imp.path}' must start with ./, ../ or std/`, imp.span));
    return undefined;
  }

  private stdModules(): string[] {
    const files = existsSync(this.stdlibDir) ? readdirSync(this.stdlibDir).filter((f) => f.endsWith('.dn')) : [];
    return [...new Set([...Object.keys(this.primitives), ...files.map((f) => f.slice(0, -3))])].sort().map((n) => `std/${n}`);
  }
}

/**
 * Loads the main file and its imports and checks every name; never throws for bad input.
 * `primitives` are the TypeScript modules each std module exports besides its .dn declarations
 * (dsl/index.ts passes std/nn's); without them those names are unknown.
 */
export function loadProgram(text: string, file: string, opts: LoadOptions = {}, primitives: StdPrimitives = {}): LoadedProgram {
  const loader = new Loader(opts, primitives);
  const main = loader.load(text, file);
  const modules = [...loader.modules.values()].filter((m): m is LoadedModule => m !== 'loading');
  const diagnostics = [...loader.diagnostics];
  for (const mod of modules) diagnostics.push(...checkNamesInFile(mod));
  return { main, modules, diagnostics };
}
