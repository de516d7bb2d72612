/**
 * The values the front end computes with while lowering. Compile-time values (numbers, lists,
 * schedule records, modules) are evaluated in TypeScript; tensors are IR nodes. A `stepwise` value
 * holds one compile-time value per step of a sampling loop and becomes `gather(table, iter)` when a
 * tensor needs it. `poison` stands for the result of an expression that already reported an error,
 * so one mistake produces one diagnostic.
 */
import { DenocError } from '../../compiler/core/diagnostics.ts';
import type { Node } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import { formatType, type TensorType } from '../../compiler/core/ir/types.ts';
import type { InitSpec } from '../../compiler/core/artifact.ts';
import type { NoiseLevels, VpSchedule } from '../../compiler/schedules/index.ts';
import { DSL, type DslCode } from '../diagnostic-codes.ts';
import type { BlockDecl, SamplerDecl } from '../syntax/ast.ts';
import type { PrimitiveDef } from './primitive.ts';

export type Value =
  | { readonly kind: 'num'; readonly value: number; readonly int: boolean }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'sym'; readonly name: string }
  | { readonly kind: 'list'; readonly items: readonly Value[] }
  | { readonly kind: 'record'; readonly name: string; readonly fields: ReadonlyMap<string, Value>; readonly host?: RecordHost }
  | { readonly kind: 'tensor'; readonly node: Node }
  | { readonly kind: 'tuple'; readonly items: readonly Value[] }
  | { readonly kind: 'init'; readonly spec: InitSpec }
  | { readonly kind: 'weight'; readonly path: string; readonly type: TensorType; readonly span: Span }
  | { readonly kind: 'module'; readonly inst: ModuleInstance }
  | { readonly kind: 'ctor'; readonly ctor: Constructor }
  | { readonly kind: 'sampler'; readonly decl: SamplerDecl; readonly scope: Scope }
  | { readonly kind: 'builtin'; readonly name: string }
  | { readonly kind: 'model'; readonly inst: ModuleInstance; readonly denoiser?: DenoiserConfig }
  | { readonly kind: 'stepwise'; readonly values: readonly Value[] }
  | { readonly kind: 'poison' };

/**
 * What a builtin keeps behind a record it returns, so that the record can be passed back to
 * builtins: the schedule math object whose tables the record shows, or a sampling plan's map from
 * VE sigma to model time.
 */
export type RecordHost =
  | { readonly kind: 'schedule'; readonly schedule: VpSchedule }
  | { readonly kind: 'levels'; readonly levels: NoiseLevels }
  | { readonly kind: 'plan'; readonly timeOf: (sigma: number) => number };

/** A model's parameterization and classifier-free guidance, as the `denoiser` builtin attaches them. */
export interface DenoiserConfig {
  readonly prediction: 'eps' | 'x0' | 'v';
  readonly guidance: number;
  readonly rescale: number;
  readonly nullClass: number;
}

/** Something that instantiates a module: a DSL block (with the scope of its file) or a TS primitive. */
export type Constructor =
  | { readonly kind: 'block'; readonly decl: BlockDecl; readonly scope: Scope }
  | { readonly kind: 'primitive'; readonly def: PrimitiveDef };

/** An instantiated block: its compile-time arguments, members and dotted parameter path. */
export interface ModuleInstance {
  readonly name: string;
  /** Dotted path of the instance ('' for a model's root). */
  readonly path: string;
  readonly ctor: Constructor;
  readonly args: ReadonlyMap<string, Value>;
  /** Args, members and parameters (as `weight` values); the forward fn runs in a child of it. */
  readonly scope: Scope;
  /** Where it was declared (the member), for notes. */
  readonly span: Span;
}

export const POISON: Value = Object.freeze({ kind: 'poison' });

export const num = (value: number, int = Number.isInteger(value)): Value => ({ kind: 'num', value, int });
export const int = (value: number): Value => ({ kind: 'num', value, int: true });
export const bool = (value: boolean): Value => ({ kind: 'bool', value });
export const list = (items: readonly Value[]): Value => ({ kind: 'list', items });
export const tensor = (node: Node): Value => ({ kind: 'tensor', node });

/** Lexical scope: a chain of name → value maps. */
export class Scope {
  private readonly vars = new Map<string, Value>();
  constructor(readonly parent?: Scope) {}

  lookup(name: string): Value | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }

  has(name: string): boolean {
    return this.vars.has(name) || (this.parent?.has(name) ?? false);
  }

  hasOwn(name: string): boolean {
    return this.vars.has(name);
  }

  define(name: string, value: Value): void {
    this.vars.set(name, value);
  }

  /** Assigns where the name lives, or defines it here. */
  assign(name: string, value: Value): void {
    let s: Scope | undefined = this;
    while (s && !s.vars.has(name)) s = s.parent;
    (s ?? this).vars.set(name, value);
  }

  ownNames(): string[] {
    return [...this.vars.keys()];
  }

  allNames(): string[] {
    return [...new Set([...this.vars.keys(), ...(this.parent?.allNames() ?? [])])];
  }
}

/** Throws the DSL diagnostic; statements catch it, record it and bind their targets to poison. */
export function raise(code: DslCode, message: string, span?: Span, hint?: string): never {
  throw new DenocError({ code, severity: 'error', message, span, hint });
}

/** How a value reads in an error message. */
export function describe(v: Value): string {
  switch (v.kind) {
    case 'num':
      return v.int ? `int ${v.value}` : `float ${v.value}`;
    case 'bool':
      return `bool ${v.value}`;
    case 'str':
      return `string ${JSON.stringify(v.value)}`;
    case 'none':
      return 'None';
    case 'sym':
      return `symbolic dim ${v.name}`;
    case 'list':
      return `list of ${v.items.length}`;
    case 'record':
      return `${v.name} record`;
    case 'tensor':
      return `tensor ${formatType(v.node.type)}`;
    case 'tuple':
      return `${v.items.length} values`;
    case 'init':
      return `init ${v.spec.kind}`;
    case 'weight':
      return `parameter ${formatType(v.type)}`;
    case 'module':
      return `module ${v.inst.name}`;
    case 'ctor':
      return `block ${v.ctor.kind === 'block' ? v.ctor.decl.name : v.ctor.def.name}`;
    case 'sampler':
      return `sampler ${v.decl.name}`;
    case 'builtin':
      return `builtin ${v.name}`;
    case 'model':
      return `model ${v.inst.name}`;
    case 'stepwise':
      return 'per-step value';
    case 'poison':
      return 'error';
  }
}

/** The error for a value of the wrong kind; tensors get DSL0307 (they exist only at run time). */
export function wrongKind(v: Value, what: string, expected: string, span: Span): never {
  if (v.kind === 'tensor' || v.kind === 'stepwise') {
    raise(DSL.NotComptime, `${what} must be known at compile time, but it is a ${v.kind === 'tensor' ? 'tensor' : 'per-step value'}`, span);
  }
  return raise(DSL.ArgType, `${what} must be ${expected}, got ${describe(v)}`, span);
}

export function expectInt(v: Value, what: string, span: Span): number {
  if (v.kind === 'num' && Number.isInteger(v.value)) return v.value;
  return wrongKind(v, what, 'an int', span);
}

export function expectNum(v: Value, what: string, span: Span): number {
  if (v.kind === 'num') return v.value;
  return wrongKind(v, what, 'a number', span);
}

export function expectBool(v: Value, what: string, span: Span): boolean {
  if (v.kind === 'bool') return v.value;
  return wrongKind(v, what, 'a bool', span);
}

export function isPoison(...vs: readonly Value[]): boolean {
  return vs.some((v) => v.kind === 'poison');
}

/** Structural equality of compile-time values (used to collapse uniform per-step values). */
export function sameValue(a: Value, b: Value): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'num':
    case 'bool':
    case 'str':
      return Object.is(a.value, (b as typeof a).value);
    case 'none':
      return true;
    case 'sym':
      return a.name === (b as typeof a).name;
    case 'list': {
      const items = (b as typeof a).items;
      return a.items.length === items.length && a.items.every((x, i) => sameValue(x, items[i]));
    }
    default:
      return a === b;
  }
}
