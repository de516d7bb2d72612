/**
 * Depth limits of the front end, checked without recursion so that no input can overflow the JS
 * stack, in one linear pass over the laid-out tokens before the recursive-descent parser runs:
 * - each open bracket or brace and each right-recursive operator (prefix - + not, **, if/then/else)
 *   costs the parser a few stack frames: their running count is held to LIMITS.nestingDepth;
 * - a flat chain of binary operators and suffixes (a + b + ..., a.b.c, f(x)(y)) parses in a loop but
 *   becomes a left-nested tree that the checks and the lowering walk recursively: the running count
 *   of chained operators is held to LIMITS.expressionDepth.
 * Counts are per open bracket and reset at `,`, `;` and statement-ending newlines.
 */
import type { IToken, TokenType } from 'chevrotain';
import { LIMITS, limitMessage } from '../../compiler/core/limits.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import * as T from './tokens.ts';

/** Where a limit was exceeded, for a positioned diagnostic. */
export interface DepthExcess {
  readonly message: string;
  readonly span: Span;
}

const OPENS = new Set<TokenType>([T.LParen, T.LBracket, T.LBrace]);
const CLOSES = new Set<TokenType>([T.RParen, T.RBracket, T.RBrace]);
/** Tokens after which `-` or `+` is binary: the ends of operands. */
const OPERAND_ENDS = new Set<TokenType>([
  T.Identifier,
  T.Name,
  T.Integer,
  T.Float,
  T.StringLit,
  T.True,
  T.False,
  T.None,
  T.RParen,
  T.RBracket,
  T.RBrace,
]);
const RIGHT_RECURSIVE = new Set<TokenType>([T.Not, T.StarStar, T.If, T.Then, T.Else]);

function isRecursive(tok: IToken, prev: IToken | undefined): boolean {
  const type = tok.tokenType;
  if (RIGHT_RECURSIVE.has(type)) return true;
  return (type === T.Minus || type === T.Plus) && (prev === undefined || !OPERAND_ENDS.has(prev.tokenType));
}

/** Binary operators and postfix suffixes: each nests the expression tree one level deeper. */
const CHAINING = new Set<TokenType>([
  T.Plus,
  T.Minus,
  T.Star,
  T.Slash,
  T.SlashSlash,
  T.Percent,
  T.At,
  T.EqEq,
  T.NotEq,
  T.Less,
  T.Greater,
  T.LessEq,
  T.GreaterEq,
  T.And,
  T.Or,
  T.Dot,
  T.LParen,
  T.LBracket,
]);

function isChaining(tok: IToken, prev: IToken | undefined): boolean {
  return CHAINING.has(tok.tokenType) && prev !== undefined && OPERAND_ENDS.has(prev.tokenType);
}

/** Per open bracket: the recursive operators and chained operators of its current item. */
interface Frame {
  recursive: number;
  chained: number;
}

function tokenSpan(tok: IToken, file: string): Span {
  return { file, line: tok.startLine ?? 1, col: tok.startColumn ?? 1, endLine: tok.endLine, endCol: (tok.endColumn ?? 0) + 1 };
}

/** The first token at which the parser's or the expression tree's nesting passes its limit. */
export function tokenNesting(tokens: readonly IToken[], file: string): DepthExcess | undefined {
  const frames: Frame[] = [{ recursive: 0, chained: 0 }];
  let depth = 0;
  let chain = 0;
  const reset = (f: Frame): void => {
    depth -= f.recursive;
    chain -= f.chained;
    f.recursive = 0;
    f.chained = 0;
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const prev = tokens[i - 1];
    const type = tok.tokenType;
    const top = frames[frames.length - 1];
    // A call or index suffix chains in the enclosing item, then opens its own bracket.
    if (isChaining(tok, prev)) {
      top.chained++;
      chain++;
    } else if (isRecursive(tok, prev)) {
      top.recursive++;
      depth++;
    }
    if (OPENS.has(type)) {
      frames.push({ recursive: 0, chained: 0 });
      depth++;
    } else if (CLOSES.has(type) && frames.length > 1) {
      reset(top);
      frames.pop();
      depth--;
    } else if (type === T.Newline || type === T.Semicolon || type === T.Comma) reset(top);
    if (depth > LIMITS.nestingDepth.max) {
      return { message: `nesting too deep: ${limitMessage('nestingDepth', depth)}`, span: tokenSpan(tok, file) };
    }
    if (chain > LIMITS.expressionDepth.max) {
      return { message: `expression too deep: ${limitMessage('expressionDepth', chain)}`, span: tokenSpan(tok, file) };
    }
  }
  return undefined;
}
