/**
 * The IR verifier: re-checks what the builder guarantees, for graphs that passes (or hand-written
 * tests) may have assembled some other way. Every problem becomes a diagnostic IR01xx naming the
 * node (`op#id` and its place: `@graph > loop#7 body`) and carrying the node's DSL span.
 *
 *   IR0101 unknown op            IR0106 region / loop body signature
 *   IR0102 wrong input count     IR0107 loop body yields do not match the carried types
 *   IR0103 tuple where a tensor  IR0108 region uses a value from an enclosing graph
 *   IR0104 bad attributes        IR0109 missing or tuple-typed graph output
 *   IR0105 type differs from the op's type rule (or the rule rejects the inputs)
 *   IR0110 graph params: not a `param` node, duplicate name, or a param not declared by its graph
 */
import { DenocError, type Diagnostic, type DiagnosticCode } from '../diagnostics.ts';
import { getOp, hasOp, normalizeAttrs, type OpDef } from '../ops/registry.ts';
import { topoOrder, type Graph, type Node, type Attrs } from './node.ts';
import { DTYPES, formatType, sameType, type TensorType, type Type } from './types.ts';

/** One local problem of a node, before it is placed in a graph. */
export interface NodeProblem {
  readonly code: DiagnosticCode;
  readonly message: string;
}

/** Leaves are context-free values, so a body may share them with its enclosing graph. */
const SHARED_LEAVES = new Set(['weight', 'constant']);

export function describeNode(node: Node): string {
  return `${node.op}#${node.id}`;
}

/** Checks the graph and every region; throws one DenocError holding all problems found. */
export function verifyGraph(graph: Graph): void {
  const diags = graphDiagnostics(graph);
  if (diags.length) throw new DenocError(diags);
}

/** All verifier problems of a graph (empty when valid); never throws on malformed graphs. */
export function graphDiagnostics(graph: Graph): Diagnostic[] {
  const diags: Diagnostic[] = [];
  verifyLevel(graph, [], `@${graph.name}`, true, diags);
  return diags;
}

function verifyLevel(graph: Graph, outer: readonly Set<Node>[], where: string, topLevel: boolean, diags: Diagnostic[]): void {
  const report = (code: DiagnosticCode, message: string, node?: Node): void => {
    diags.push({ code, severity: 'error', message: `${where}: ${message}`, span: node?.span });
  };
  const outputs = graph.outputs.filter((o, i) => {
    if (o && typeof o === 'object' && 'op' in o) return true;
    report('IR0109', `output ${i} is not a node`);
    return false;
  });
  if (topLevel && outputs.length === 0) report('IR0109', 'graph has no outputs');
  checkParams(graph, report);
  const isOuter = (n: Node): boolean => outer.some((s) => s.has(n)) && !SHARED_LEAVES.has(n.op);
  const nodes = topoOrder({ ...graph, outputs });
  const own = nodes.filter((n) => !isOuter(n));
  const declared = new Set(graph.params);
  for (const node of own) {
    const outerInput = node.inputs.find(isOuter);
    if (outerInput) {
      report(
        'IR0108',
        `${describeNode(node)} uses ${describeNode(outerInput)} of an enclosing graph; regions are isolated from above (pass it as a capture)`,
        node,
      );
    }
    if (node.op === 'param' && !declared.has(node)) {
      report('IR0110', `param '${String(node.attrs.name)}' (${describeNode(node)}) is not declared by this graph`, node);
      continue;
    }
    for (const p of checkNode(node)) report(p.code, `${describeNode(node)}: ${p.message}`, node);
  }
  outputs.forEach((o, i) => {
    if (isOuter(o)) report('IR0108', `output ${i} is ${describeNode(o)} of an enclosing graph`, o);
    else if (topLevel && o.type.kind !== 'tensor')
      report('IR0109', `output ${i} (${describeNode(o)}) is a tuple; select its elements with tuple_get`, o);
  });
  const inner = [...outer, new Set(own)];
  for (const node of own) {
    node.regions.forEach((r, i) => verifyLevel(r, inner, `${where} > ${describeNode(node)} ${regionLabel(node, i)}`, false, diags));
  }
}

function regionLabel(node: Node, i: number): string {
  return node.regions.length === 1 ? 'body' : `region ${i}`;
}

function checkParams(graph: Graph, report: (code: DiagnosticCode, message: string, node?: Node) => void): void {
  const names = new Set<string>();
  graph.params.forEach((p, i) => {
    if (p.op !== 'param') {
      report('IR0110', `params[${i}] is ${describeNode(p)}, not a param node`, p);
      return;
    }
    const name = String(p.attrs.name);
    if (names.has(name)) report('IR0110', `duplicate param name '${name}'`, p);
    names.add(name);
  });
}

/** The checks that need only the node itself: op, arity, attributes, type rule, region signature. */
export function checkNode(node: Node): NodeProblem[] {
  if (!hasOp(node.op)) return [{ code: 'IR0101', message: `unknown op '${node.op}'` }];
  const def = getOp(node.op);
  const problems: NodeProblem[] = [];
  const arity = arityProblem(def, node.inputs.length);
  if (arity) problems.push({ code: 'IR0102', message: arity });
  if (!def.acceptsTuple) {
    node.inputs.forEach((n, i) => {
      if (n.type.kind !== 'tensor')
        problems.push({ code: 'IR0103', message: `input ${i} (${describeNode(n)}) is a tuple; select an element with tuple_get` });
    });
  }
  const attrs = attrProblem(def, node);
  if (attrs) problems.push({ code: 'IR0104', message: attrs });
  if (problems.length) return problems;
  const typeProblem = checkType(def, node);
  if (typeProblem) problems.push({ code: 'IR0105', message: typeProblem });
  if (node.op === 'loop') problems.push(...checkLoop(node));
  return problems;
}

function arityProblem(def: OpDef, n: number): string | undefined {
  if (def.arity === 'variadic') return undefined;
  const [lo, hi] = typeof def.arity === 'number' ? [def.arity, def.arity] : def.arity;
  if (n >= lo && n <= hi) return undefined;
  return `expects ${lo === hi ? lo : `${lo} to ${hi}`} inputs, got ${n}`;
}

function attrProblem(def: OpDef, node: Node): string | undefined {
  let normalized: Attrs;
  try {
    normalized = normalizeAttrs(def, node.attrs);
  } catch (e) {
    return (e as Error).message;
  }
  // The builder stores attributes with defaults filled in, so equal nodes intern to one.
  const missing = Object.keys(normalized).filter((k) => !(k in node.attrs));
  return missing.length
    ? `attribute${missing.length > 1 ? 's' : ''} ${missing.map((k) => `'${k}'`).join(', ')} missing (defaults are stored explicitly)`
    : undefined;
}

function malformedType(t: Type): string | undefined {
  const parts: readonly TensorType[] = t.kind === 'tuple' ? t.elements : [t];
  for (const p of parts) {
    if (!DTYPES.includes(p.dtype)) return `unknown dtype '${String(p.dtype)}'`;
    const bad = p.shape.find((d) => (typeof d === 'number' ? !(Number.isInteger(d) && d >= 0) : !/^[A-Za-z_]\w*$/.test(String(d))));
    if (bad !== undefined) return `bad dim ${JSON.stringify(bad)} in ${formatType(t)}`;
  }
  return undefined;
}

function checkType(def: OpDef, node: Node): string | undefined {
  const malformed = malformedType(node.type);
  if (malformed) return malformed;
  let inferred: Type;
  try {
    inferred = def.inferType(
      node.inputs.map((n) => n.type as TensorType),
      node.attrs,
    );
  } catch (e) {
    return `type rule rejects the inputs: ${(e as Error).message}`;
  }
  return sameType(inferred, node.type) ? undefined : `type is ${formatType(node.type)} but the type rule gives ${formatType(inferred)}`;
}

/** A loop body takes (iter: i32[], ...carried, ...captures) and yields the carried types. */
function checkLoop(node: Node): NodeProblem[] {
  if (node.regions.length !== 1) return [{ code: 'IR0106', message: `a loop has exactly one body region, found ${node.regions.length}` }];
  const body = node.regions[0];
  const carried = node.attrs.carried as number;
  const expected: Type[] = [{ kind: 'tensor', dtype: 'i32', shape: [] }, ...node.inputs.map((n) => n.type)];
  const problems: NodeProblem[] = [];
  if (body.params.length !== expected.length) {
    problems.push({
      code: 'IR0106',
      message: `body takes ${body.params.length} params but needs ${expected.length} (iter, ${carried} carried, ${node.inputs.length - carried} captures)`,
    });
  } else {
    body.params.forEach((p, i) => {
      if (!sameType(p.type, expected[i])) {
        const role = i === 0 ? 'iter' : i <= carried ? `carried ${i - 1}` : `capture ${i - 1 - carried}`;
        problems.push({ code: 'IR0106', message: `body param ${i} (${role}) is ${formatType(p.type)} but should be ${formatType(expected[i])}` });
      }
    });
  }
  if (body.outputs.length !== carried) {
    problems.push({ code: 'IR0107', message: `body yields ${body.outputs.length} values but the loop carries ${carried}` });
  } else {
    body.outputs.forEach((o, i) => {
      if (o && !sameType(o.type, expected[1 + i])) {
        problems.push({
          code: 'IR0107',
          message: `body yield ${i} is ${formatType(o.type)} but carried value ${i} is ${formatType(expected[1 + i])}`,
        });
      }
    });
  }
  return problems;
}
