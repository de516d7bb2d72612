/**
 * Operators on values. Compile-time operands are computed in TypeScript (float64, ints stay ints
 * where the result is integral by construction); as soon as a tensor is involved the operator
 * becomes an IR op and compile-time operands become scalar constants of the tensor's dtype.
 *
 *   int + int → int;  int / int → float unless exact (so `cin / groups` stays an int);  // floors
 *   list + list concatenates, list * int repeats;  tensor @ tensor → matmul;  x ** 2 → square(x)
 */
import type { Node } from '../../compiler/core/ir/node.ts';
import { tensorOf } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import { DSL } from '../diagnostic-codes.ts';
import { bool, describe, isPoison, list, num, POISON, raise, type Value } from '../semantics/values.ts';
import type { BinaryOp } from '../syntax/ast.ts';
import type { Lowerer } from './context.ts';

const TENSOR_OPS: Partial<Record<BinaryOp, string>> = {
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'div',
  '**': 'pow',
  '@': 'matmul',
  '<': 'less',
  '>': 'greater',
  '==': 'equal',
};

const isTensorish = (v: Value): boolean => v.kind === 'tensor';

export function binary(lw: Lowerer, op: BinaryOp, a: Value, b: Value, span: Span): Value {
  if (isPoison(a, b)) return POISON;
  if (isTensorish(a) || isTensorish(b)) return tensorBinary(lw, op, a, b, span);
  if (a.kind === 'stepwise' || b.kind === 'stepwise') {
    const n = a.kind === 'stepwise' ? a.values.length : b.kind === 'stepwise' ? b.values.length : 0;
    const at = (v: Value, k: number): Value => (v.kind === 'stepwise' ? v.values[k] : v);
    return { kind: 'stepwise', values: Array.from({ length: n }, (_, k) => binary(lw, op, at(a, k), at(b, k), span)) };
  }
  return comptimeBinary(op, a, b, span);
}

function comptimeBinary(op: BinaryOp, a: Value, b: Value, span: Span): Value {
  if (a.kind === 'num' && b.kind === 'num') return numBinary(op, a.value, a.int, b.value, b.int, span);
  if (op === 'and' || op === 'or') {
    if (a.kind !== 'bool' || b.kind !== 'bool') raise(DSL.BadOperands, `'${op}' needs two bools, got ${describe(a)} and ${describe(b)}`, span);
    return bool(op === 'and' ? a.value && b.value : a.value || b.value);
  }
  if (op === '==' || op === '!=') {
    const eq = comptimeEquals(a, b, span);
    return bool(op === '==' ? eq : !eq);
  }
  if (a.kind === 'list' && b.kind === 'list' && op === '+') return list([...a.items, ...b.items]);
  if (a.kind === 'list' && b.kind === 'num' && op === '*' && b.int) {
    return list(Array.from({ length: Math.max(0, b.value) }, () => a.items).flat());
  }
  if (a.kind === 'str' && b.kind === 'str' && op === '+') return { kind: 'str', value: a.value + b.value };
  if (a.kind === 'sym' || b.kind === 'sym') {
    const sym = a.kind === 'sym' ? a.name : (b as { name: string }).name;
    raise(
      DSL.SymbolicDim,
      `dimension ${sym} is symbolic (bound only at run time), so '${op}' cannot be computed at compile time`,
      span,
      'use -1 in reshape to let the compiler infer a dimension',
    );
  }
  return raise(DSL.BadOperands, `operator '${op}' does not apply to ${describe(a)} and ${describe(b)}`, span);
}

function comptimeEquals(a: Value, b: Value, span: Span): boolean {
  if (a.kind === 'num' && b.kind === 'num') return a.value === b.value;
  if ((a.kind === 'bool' || a.kind === 'str') && a.kind === b.kind) return a.value === (b as typeof a).value;
  if (a.kind === 'sym' && b.kind === 'sym') return a.name === b.name;
  if (a.kind === 'none' || b.kind === 'none') return a.kind === b.kind;
  if (a.kind === 'list' && b.kind === 'list') {
    return a.items.length === b.items.length && a.items.every((x, i) => comptimeEquals(x, b.items[i], span));
  }
  if ((a.kind === 'sym' && b.kind === 'num') || (a.kind === 'num' && b.kind === 'sym')) return false;
  return raise(DSL.BadOperands, `cannot compare ${describe(a)} with ${describe(b)}`, span);
}

function numBinary(op: BinaryOp, x: number, xi: boolean, y: number, yi: boolean, span: Span): Value {
  const ints = xi && yi;
  const zero = (): never => raise(DSL.DivByZero, `division by zero in ${x} ${op} ${y}`, span);
  switch (op) {
    case '+':
      return num(x + y, ints);
    case '-':
      return num(x - y, ints);
    case '*':
      return num(x * y, ints);
    case '/':
      if (y === 0) zero();
      return num(x / y, ints && x % y === 0);
    case '//':
      if (y === 0) zero();
      return num(Math.floor(x / y), ints);
    case '%':
      if (y === 0) zero();
      return num(((x % y) + y) % y, ints);
    case '**':
      return num(x ** y, ints && y >= 0);
    case '==':
      return bool(x === y);
    case '!=':
      return bool(x !== y);
    case '<':
      return bool(x < y);
    case '>':
      return bool(x > y);
    case '<=':
      return bool(x <= y);
    case '>=':
      return bool(x >= y);
    default:
      return raise(DSL.BadOperands, `operator '${op}' does not apply to numbers`, span);
  }
}

function tensorBinary(lw: Lowerer, op: BinaryOp, a: Value, b: Value, span: Span): Value {
  const name = TENSOR_OPS[op];
  if (!name) {
    const hint = op === '<=' || op === '>=' || op === '!=' ? 'tensors support <, > and ==' : undefined;
    raise(DSL.BadOperands, `operator '${op}' does not apply to tensors (${describe(a)}, ${describe(b)})`, span, hint);
  }
  const like = a.kind === 'tensor' ? a.node : (b as { node: Node }).node;
  if (op === '**' && b.kind === 'num' && a.kind === 'tensor') {
    if (b.value === 1) return a;
    if (b.value === 2) return lw.tensorOp('square', [a.node], {}, span);
    if (b.value === 0.5) return lw.tensorOp('sqrt', [a.node], {}, span);
  }
  const dtype = tensorOf(like).dtype;
  const x = lw.toTensor(a, span, dtype);
  const y = lw.toTensor(b, span, dtype);
  return lw.tensorOp(name, [x, y], {}, span);
}

export function unary(lw: Lowerer, op: '-' | '+' | 'not', v: Value, span: Span): Value {
  if (v.kind === 'poison') return v;
  if (v.kind === 'stepwise') return { kind: 'stepwise', values: v.values.map((x) => unary(lw, op, x, span)) };
  if (op === 'not') {
    if (v.kind !== 'bool') raise(DSL.BadOperands, `'not' needs a compile-time bool, got ${describe(v)}`, span);
    return bool(!v.value);
  }
  if (v.kind === 'num') return op === '-' ? num(-v.value, v.int) : v;
  if (v.kind === 'tensor') return op === '-' ? lw.tensorOp('neg', [v.node], {}, span) : v;
  return raise(DSL.BadOperands, `unary '${op}' does not apply to ${describe(v)}`, span);
}
