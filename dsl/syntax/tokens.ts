/**
 * Every token of the denoc language, in one place, plus the lexer and the newline filter.
 *
 * Statements end at a newline or `;`. So that long expressions can span lines, `layoutTokens`
 * drops newlines inside () and [], after a token that cannot end a statement (an operator, `,`,
 * `=`, `{`), and before `then` / `else`.
 */
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';

/**
 * Where the grammar wants a name it consumes `Name`: plain identifiers and the declaration keywords
 * `block`, `model`, `sampler`, which only start declarations at the top level (so `model(x, t)`
 * works inside a sampler).
 */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA });
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [Name] });

function keyword(word: string, categories: TokenType[] = []): TokenType {
  return createToken({ name: word[0].toUpperCase() + word.slice(1), pattern: new RegExp(`${word}\\b`), longer_alt: Identifier, categories });
}

export const Import = keyword('import');
export const Block = keyword('block', [Name]);
export const Model = keyword('model', [Name]);
export const Sampler = keyword('sampler', [Name]);
export const Fn = keyword('fn');
export const Return = keyword('return');
export const For = keyword('for');
export const In = keyword('in');
export const If = keyword('if');
export const Then = keyword('then');
export const Else = keyword('else');
export const And = keyword('and');
export const Or = keyword('or');
export const Not = keyword('not');
export const True = keyword('true');
export const False = keyword('false');
export const None = keyword('None');

export const Float = createToken({ name: 'Float', pattern: /\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+/ });
export const Integer = createToken({ name: 'Integer', pattern: /\d+/ });
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\n]|\\.)*"/ });

export const Arrow = createToken({ name: 'Arrow', pattern: /->/ });
export const Ellipsis = createToken({ name: 'Ellipsis', pattern: /\.\.\./ });
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./ });
export const Dot = createToken({ name: 'Dot', pattern: /\./ });
export const StarStar = createToken({ name: 'StarStar', pattern: /\*\*/ });
export const SlashSlash = createToken({ name: 'SlashSlash', pattern: /\/\// });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/ });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/ });
export const LessEq = createToken({ name: 'LessEq', pattern: /<=/ });
export const GreaterEq = createToken({ name: 'GreaterEq', pattern: />=/ });
export const Less = createToken({ name: 'Less', pattern: /</ });
export const Greater = createToken({ name: 'Greater', pattern: />/ });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });
export const Plus = createToken({ name: 'Plus', pattern: /\+/ });
export const Minus = createToken({ name: 'Minus', pattern: /-/ });
export const Star = createToken({ name: 'Star', pattern: /\*/ });
export const Slash = createToken({ name: 'Slash', pattern: /\// });
export const Percent = createToken({ name: 'Percent', pattern: /%/ });
export const At = createToken({ name: 'At', pattern: /@/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n/, line_breaks: true });

const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t]+/, group: Lexer.SKIPPED });
const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: Lexer.SKIPPED });

/** Order matters: longer operators before their prefixes, keywords before Identifier. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Newline,
  Name,
  Import,
  Block,
  Model,
  Sampler,
  Fn,
  Return,
  For,
  In,
  If,
  Then,
  Else,
  And,
  Or,
  Not,
  True,
  False,
  None,
  Identifier,
  Float,
  Integer,
  StringLit,
  Arrow,
  Ellipsis,
  DotDot,
  Dot,
  StarStar,
  SlashSlash,
  EqEq,
  NotEq,
  LessEq,
  GreaterEq,
  Less,
  Greater,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  At,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Semicolon,
];

export const lexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false });

/** Tokens after which a newline cannot end a statement. */
const CONTINUES = new Set<TokenType>([
  Comma,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  SlashSlash,
  Percent,
  At,
  StarStar,
  EqEq,
  NotEq,
  Less,
  Greater,
  LessEq,
  GreaterEq,
  And,
  Or,
  Not,
  Arrow,
  Colon,
  Then,
  Else,
  In,
  DotDot,
  LBrace,
  Dot,
]);
/** Tokens before which a newline cannot end a statement. */
const CONTINUED_BY = new Set<TokenType>([Then, Else]);

/** Drops the newlines that do not separate statements and folds runs of separators into one. */
export function layoutTokens(tokens: readonly IToken[]): IToken[] {
  const out: IToken[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const type = tok.tokenType;
    if (type === LParen || type === LBracket) depth++;
    else if ((type === RParen || type === RBracket) && depth > 0) depth--;
    if (type !== Newline) {
      out.push(tok);
      continue;
    }
    const prev = out[out.length - 1];
    let j = i + 1;
    while (j < tokens.length && tokens[j].tokenType === Newline) j++;
    const next = tokens[j];
    const drop =
      depth > 0 ||
      prev === undefined ||
      prev.tokenType === Newline ||
      prev.tokenType === Semicolon ||
      CONTINUES.has(prev.tokenType) ||
      (next !== undefined && CONTINUED_BY.has(next.tokenType));
    if (!drop) out.push(tok);
    // The rest of this run of newlines would be dropped anyway; skipping it keeps the pass linear.
    i = j - 1;
  }
  return out;
}

const DESCRIBED: ReadonlyMap<TokenType, string> = new Map([
  [Identifier, 'a name'],
  [Name, 'a name'],
  [Integer, 'a number'],
  [Float, 'a number'],
  [StringLit, 'a string'],
  [Newline, 'end of line'],
]);

/** How a token kind reads in an error message: `')'`, `'block'`, `a name`. */
export function describeTokenType(type: TokenType): string {
  const described = DESCRIBED.get(type);
  if (described) return described;
  if (type.name === 'EOF') return 'end of file';
  const pattern = type.PATTERN;
  if (pattern instanceof RegExp) return `'${pattern.source.replace(/\\b$/, '').replace(/\\(.)/g, '$1')}'`;
  return type.name;
}

/** How a concrete token reads in an error message. */
export function describeToken(token: IToken): string {
  if (token.tokenType.name === 'EOF') return 'end of file';
  if (token.tokenType === Newline) return 'end of line';
  return `'${token.image}'`;
}
