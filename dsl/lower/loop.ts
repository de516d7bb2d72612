/**
 * The sampling loop: a top-level `for` in a sampler becomes one IR `loop` region.
 *
 *   carried   tensors assigned in the body that existed before the loop (x, multistep history);
 *             after the loop they name the loop's results
 *   captures  outer tensors the body reads, plus the seed when the body draws noise and the
 *             conditioning inputs when it calls the model (regions are isolated from above)
 *   step      the loop variable is a per-step compile-time value: `for i in 0 .. steps` or
 *             `for t in ts` (a compile-time list); expressions of it become coefficient tables
 *
 * Names first assigned in the body are local to it. A compile-time value reassigned in the body is
 * a body-local shadow (the loop cannot carry compile-time state from step to step).
 */
import type { Node } from '../../compiler/core/ir/node.ts';
import { tensorOf } from '../../compiler/core/ir/node.ts';
import { formatType, sameType } from '../../compiler/core/ir/types.ts';
import { checkLimit } from '../../compiler/core/limits.ts';
import { DSL } from '../diagnostic-codes.ts';
import { POISON, raise, Scope, tensor, type Value } from '../semantics/values.ts';
import { assignedNames, readNames } from '../syntax/ast-walk.ts';
import type { ForStmt } from '../syntax/ast.ts';
import type { Lowerer } from './context.ts';

interface LoopPlan {
  readonly carried: readonly string[];
  readonly captured: readonly string[];
  readonly seed: boolean;
  readonly cond: boolean;
}

const holdsTensor = (v: Value | undefined): boolean =>
  (v?.kind === 'list' || v?.kind === 'tuple') && v.items.some((x) => x.kind === 'tensor' || holdsTensor(x));

function plan(s: ForStmt, scope: Scope): LoopPlan {
  const isTensor = (n: string): boolean => scope.lookup(n)?.kind === 'tensor';
  const carried = assignedNames(s.body).filter((n) => n !== s.variable.name && isTensor(n));
  const reads = readNames(s.body);
  const inList = [...reads].find((n) => holdsTensor(scope.lookup(n)));
  if (inList) raise(DSL.BadLoop, `'${inList}' is a list holding tensors; a sampling loop captures tensors only by their own names`, s.span);
  const captured = [...reads].filter((n) => !carried.includes(n) && n !== s.variable.name && isTensor(n));
  const seed = [...reads].some((n) => {
    const v = scope.lookup(n);
    return v?.kind === 'builtin' && v.name === 'randn';
  });
  const cond = [...reads].some((n) => scope.lookup(n)?.kind === 'model');
  return { carried, captured, seed, cond };
}

export function lowerLoop(lw: Lowerer, s: ForStmt, scope: Scope): void {
  const steps = lw.iterate(s.start, s.end, scope);
  if (steps.some((v) => v.kind !== 'num')) raise(DSL.BadLoop, 'a sampling loop runs over a range or a list of numbers', s.start.span);
  if (steps.length === 0) return;
  lw.loopSteps += steps.length;
  checkLimit('steps', lw.loopSteps, 'the sampling loops', s.start.span);
  // An earlier error already poisoned a value this loop updates: report nothing more about it.
  if (assignedNames(s.body).some((n) => scope.lookup(n) === POISON)) return;
  const p = plan(s, scope);
  if (p.carried.length === 0) raise(DSL.BadLoop, 'a sampling loop must update a tensor defined before it (such as x)', s.span);
  const sampler = lw.sampler!;
  const init = p.carried.map((n) => (scope.lookup(n) as { node: Node }).node);
  const named = p.captured.map((n) => (scope.lookup(n) as { node: Node }).node);
  const wanted = [...named, ...(p.seed ? [sampler.seed] : []), ...(p.cond ? sampler.cond : [])];
  // One capture per distinct node (a conditioning input may also be read by name).
  const outerCaptures = [...new Set(wanted)];
  const outer = { b: lw.b, seed: sampler.seed, cond: sampler.cond };
  const poisoned = new Set<string>();
  try {
    const results = lw.b.loop(
      steps.length,
      init,
      outerCaptures,
      (bb, args) => {
        lw.b = bb;
        lw.loop = { iter: args.iter, count: steps.length };
        const inner = (node: Node): Node => args.captures[outerCaptures.indexOf(node)];
        const body = new Scope(scope);
        p.carried.forEach((n, i) => body.define(n, tensor(args.carried[i])));
        p.captured.forEach((n, i) => body.define(n, tensor(inner(named[i]))));
        if (p.seed) sampler.seed = inner(outer.seed);
        if (p.cond) sampler.cond = outer.cond.map(inner);
        body.define(s.variable.name, steps.length === 1 ? steps[0] : { kind: 'stepwise', values: steps });
        lw.stmts(s.body, body);
        return p.carried.map((n, i) => yieldValue(lw, body.lookup(n)!, args.carried[i], n, poisoned, s));
      },
      s.span,
    );
    p.carried.forEach((n, i) => scope.assign(n, poisoned.has(n) ? POISON : tensor(results[i])));
  } finally {
    lw.b = outer.b;
    lw.loop = undefined;
    sampler.seed = outer.seed;
    sampler.cond = outer.cond;
  }
}

/** The next value of a carried tensor; poison keeps the old value so the region still builds. */
function yieldValue(lw: Lowerer, v: Value, prev: Node, name: string, poisoned: Set<string>, s: ForStmt): Node {
  if (v.kind === 'poison') {
    poisoned.add(name);
    return prev;
  }
  if (v.kind === 'tensor') {
    if (!sameType(v.node.type, prev.type)) {
      raise(DSL.BadLoop, `loop-carried '${name}' changes type from ${formatType(prev.type)} to ${formatType(v.node.type)} in the loop body`, s.span);
    }
    return v.node;
  }
  if (v.kind === 'num' || v.kind === 'stepwise') {
    const t = tensorOf(prev);
    return lw.b.op('broadcast_to', [lw.toTensor(v, s.span, t.dtype)], { shape: t.shape }, s.span);
  }
  return raise(DSL.BadLoop, `loop-carried '${name}' must stay a tensor`, s.span);
}
