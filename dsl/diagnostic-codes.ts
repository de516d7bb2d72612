/**
 * The stable diagnostic codes of the front end, one line each. Codes never change meaning once
 * published; tests and docs/language.md refer to them. 00xx syntax, 01xx names, 02xx declarations,
 * 03xx calls and values, 04xx shapes, 05xx samplers. IR type-rule errors keep their IR codes but
 * are reported at the DSL span of the expression that built the node.
 */
import type { Diagnostic } from '../compiler/core/diagnostics.ts';
import type { Span } from '../compiler/core/ir/span.ts';

export const DSL = {
  Note: 'DSL0000',
  UnexpectedChar: 'DSL0001',
  UnexpectedToken: 'DSL0002',
  MissingToken: 'DSL0003',
  BadLiteral: 'DSL0004',
  EmptyIndex: 'DSL0005',
  UnknownName: 'DSL0101',
  Duplicate: 'DSL0102',
  ModuleNotFound: 'DSL0103',
  ImportCycle: 'DSL0104',
  Ambiguous: 'DSL0105',
  UnknownMember: 'DSL0106',
  UseBeforeAssign: 'DSL0107',
  NoForward: 'DSL0201',
  UnknownType: 'DSL0202',
  BadSignature: 'DSL0203',
  MissingReturn: 'DSL0204',
  UnreachableCode: 'DSL0205',
  ModelParamDefault: 'DSL0206',
  Recursion: 'DSL0207',
  ArgCount: 'DSL0301',
  UnknownArg: 'DSL0302',
  MissingArg: 'DSL0303',
  DuplicateArg: 'DSL0304',
  ArgType: 'DSL0305',
  NotCallable: 'DSL0306',
  NotComptime: 'DSL0307',
  BadOperands: 'DSL0308',
  IndexRange: 'DSL0309',
  BadIndex: 'DSL0310',
  DivByZero: 'DSL0311',
  BadCondition: 'DSL0312',
  ResultCount: 'DSL0313',
  BadInit: 'DSL0315',
  ModuleInExpr: 'DSL0316',
  Internal: 'DSL0999',
  ShapeMismatch: 'DSL0401',
  DtypeMismatch: 'DSL0402',
  ReturnMismatch: 'DSL0403',
  UnboundDim: 'DSL0404',
  SymbolicDim: 'DSL0405',
  BadReshape: 'DSL0406',
  BadAxis: 'DSL0407',
  RandnOutsideSampler: 'DSL0501',
  BadLoop: 'DSL0502',
  StepCondition: 'DSL0503',
  BadSampler: 'DSL0504',
  BadModelCall: 'DSL0505',
} as const;

export type DslCode = (typeof DSL)[keyof typeof DSL];

/** One line per code, for docs and `denoc explain`. */
export const DSL_CODE_DESCRIPTIONS: Readonly<Record<DslCode, string>> = {
  DSL0000: 'a note attached to another diagnostic (e.g. where a signature is declared)',
  DSL0001: 'a character that starts no token',
  DSL0002: 'a token where the grammar does not allow it',
  DSL0003: 'a required token is missing (e.g. a closing bracket)',
  DSL0004: 'a malformed literal (string escape, number)',
  DSL0005: 'an empty index item, as in x[1,,2]',
  DSL0101: 'a name that is not declared in scope (with a "did you mean" hint)',
  DSL0102: 'a name declared twice in the same scope',
  DSL0103: 'an import that names no file',
  DSL0104: 'files that import each other',
  DSL0105: 'a name exported by two imported modules',
  DSL0106: 'a member that the module, record or tensor does not have',
  DSL0107: 'a variable read before it is assigned',
  DSL0201: 'a block or model without exactly one forward fn',
  DSL0202: 'an unknown type name (expected int, float, bool, Model or a dtype)',
  DSL0203: 'a malformed signature (non-tensor fn parameter, misplaced ..., tuple type in a parameter)',
  DSL0204: 'a forward fn or sampler that does not end with return',
  DSL0205: 'statements after return',
  DSL0206: 'a model parameter without a default value',
  DSL0207: 'a block that instantiates itself',
  DSL0301: 'a call with too many positional arguments',
  DSL0302: 'a named argument that the callee does not declare',
  DSL0303: 'a required argument that is not given',
  DSL0304: 'an argument given twice',
  DSL0305: 'an argument of the wrong kind (int, float, bool, list, tensor, module)',
  DSL0306: 'a call of something that is not callable',
  DSL0307: 'a value that must be known at compile time depends on a tensor',
  DSL0308: 'an operator applied to operands it does not support',
  DSL0309: 'an index outside a list or an axis',
  DSL0310: 'an index or slice that cannot be applied',
  DSL0311: 'a compile-time division by zero',
  DSL0312: 'a condition that is not a compile-time bool',
  DSL0313: 'a different number of values than the assignment or signature expects',
  DSL0315: 'a malformed parameter declaration or init spec',
  DSL0316: 'a module created outside a member declaration (declare it as a member, call it in fn)',
  DSL0401: 'a tensor shape that does not match the declared signature',
  DSL0402: 'a tensor dtype that does not match the declared signature',
  DSL0403: 'a returned value that does not match the declared result type',
  DSL0404: 'a result dimension that no parameter binds',
  DSL0405: 'arithmetic on a symbolic dimension',
  DSL0406: 'a reshape whose sizes do not fit',
  DSL0407: 'an axis outside the tensor rank',
  DSL0501: 'randn used outside a sampler',
  DSL0502: 'a sampling loop that cannot be lowered (bad range, non-tensor carried value)',
  DSL0503: 'an if statement whose condition depends on the step index',
  DSL0504: 'a malformed sampler declaration or instantiation',
  DSL0505: 'a model call that does not fit the model signature',
  DSL0999: 'an internal compiler error (a bug in denoc; please report it)',
};

export function dslError(code: DslCode, message: string, span?: Span, hint?: string): Diagnostic {
  return { code, severity: 'error', message, span, hint };
}

export function dslNote(message: string, span?: Span): Diagnostic {
  return { code: DSL.Note, severity: 'note', message, span };
}
