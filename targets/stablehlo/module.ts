/**
 * Assembles the module: the public `@main` plus private helper functions that lowerings request once
 * and call many times (the Philox generator, one per counter shape), so the text stays readable.
 */
import { formatTType, type TType } from './types.ts';
import { FnWriter, NameGen, type Value } from './writer.ts';

interface FuncText {
  readonly lines: readonly string[];
}

export interface FuncSpec {
  readonly visibility: 'public' | 'private';
  readonly params: readonly TType[];
  readonly results: readonly TType[];
  /** Attribute dictionaries of the arguments and results (e.g. shardings); none when absent or empty. */
  readonly argAttrs?: readonly string[];
  readonly resultAttrs?: readonly string[];
}

const withAttr = (text: string, attr: string | undefined): string => (attr ? `${text} ${attr}` : text);

/** Writes a whole function: header, body from `build(writer, args)`, return. */
export function writeFunction(name: string, spec: FuncSpec, build: (w: FnWriter, args: Value[]) => Value[]): string[] {
  const w = new FnWriter(new NameGen(), '    ');
  const args = spec.params.map((type, i) => ({ ref: `%arg${i}`, type }));
  const results = build(w, args);
  const params = args.map((a, i) => withAttr(`${a.ref}: ${formatTType(a.type)}`, spec.argAttrs?.[i])).join(', ');
  const resultTypes = spec.results.map(formatTType).join(', ');
  const resultDecls = spec.results.map((t, i) => withAttr(formatTType(t), spec.resultAttrs?.[i])).join(', ');
  return [
    `  func.func ${spec.visibility} @${name}(${params}) -> (${resultDecls}) {`,
    ...w.lines,
    `    return ${results.map((r) => r.ref).join(', ')} : ${resultTypes}`,
    '  }',
  ];
}

export class ModuleWriter {
  private readonly funcs = new Map<string, FuncText>();

  /** Defines a private function once; later requests with the same name reuse it. */
  ensureFunc(name: string, spec: Omit<FuncSpec, 'visibility'>, build: (w: FnWriter, args: Value[]) => Value[]): string {
    if (!this.funcs.has(name)) {
      this.funcs.set(name, { lines: writeFunction(name, { ...spec, visibility: 'private' }, build) });
    }
    return name;
  }

  /** The module text: `preamble` (a device mesh), `@main`, then helpers in the order they were requested. */
  render(moduleName: string, main: readonly string[], partitions = 1, preamble: readonly string[] = []): string {
    const lines = [
      `module @${moduleName} attributes {mhlo.num_partitions = ${partitions} : i32, mhlo.num_replicas = 1 : i32} {`,
      ...preamble,
      ...main,
      ...[...this.funcs.values()].flatMap((f) => f.lines),
      '}',
      '',
    ];
    return lines.join('\n');
  }
}
