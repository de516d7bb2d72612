/**
 * Names for the front end's stable diagnostic codes (`DSL.UnknownName` is DSL0101). The codes and
 * their meanings live in compiler/core/diagnostic-codes/dsl.ts (00xx syntax, 01xx names,
 * 02xx declarations, 03xx calls and values, 04xx shapes, 05xx samplers); every name here must map
 * to a code of that table. IR type-rule errors keep their IR codes but are reported at the DSL
 * span of the expression that built the node.
 */
import { DSL_CODES } from '../compiler/core/diagnostic-codes/dsl.ts';
import type { Diagnostic } from '../compiler/core/diagnostics.ts';
import type { Span } from '../compiler/core/ir/span.ts';

export const DSL = {
  Note: 'DSL0000',
  UnexpectedChar: 'DSL0001',
  UnexpectedToken: 'DSL0002',
  MissingToken: 'DSL0003',
  BadLiteral: 'DSL0004',
  EmptyIndex: 'DSL0005',
  TooDeep: 'DSL0006',
  SourceTooLarge: 'DSL0007',
  RangeTooLong: 'DSL0008',
  ParamsTooLarge: 'DSL0009',
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
  NonFiniteTable: 'DSL0506',
} as const satisfies Readonly<Record<string, DslCode>>;

export type DslCode = keyof typeof DSL_CODES;

/** One line per code, for docs and `denoc explain`. */
export const DSL_CODE_DESCRIPTIONS: Readonly<Record<DslCode, string>> = DSL_CODES;

export function dslError(code: DslCode, message: string, span?: Span, hint?: string): Diagnostic {
  return { code, severity: 'error', message, span, hint };
}

export function dslNote(message: string, span?: Span): Diagnostic {
  return { code: DSL.Note, severity: 'note', message, span };
}
