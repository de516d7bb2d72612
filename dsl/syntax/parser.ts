/**
 * The concrete-syntax parser (chevrotain CstParser with error recovery). The grammar, in brief:
 *
 *   file      := (import | block | model | sampler | sep)*
 *   block     := ('block' | 'model') Name params? '{' (member | fn | sep)* '}'
 *   sampler   := 'sampler' Name (params '{' stmt* '}' | '=' expr)
 *   stmt      := 'return' exprs | 'for' Name 'in' expr ('..' expr)? body
 *              | 'if' expr body ('else' (if | body))? | Name (',' Name)* '=' expr
 *   expr      := 'if' expr 'then' expr 'else' expr | or-expr   (precedence in the rules below)
 *
 * Recovery lets one run report several syntax errors; cst-to-ast only runs on error-free input.
 */
import { CstParser, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens.ts';

/** What each rule expects, in words, for "expected X but found Y" messages. */
const RULE_WORDS: Readonly<Record<string, string>> = {
  file: 'a declaration (import, block, model or sampler)',
  blockDecl: 'a member (name = ...) or fn',
  samplerDecl: "a parameter list or '='",
  typeExpr: 'a type (int, float, bool, Model, f32[...])',
  statement: 'a statement (assignment, return, for or if)',
  stmtBlock: 'a statement (assignment, return, for or if)',
  ifStmt: "'{' or 'if' after else",
  indexItem: "an index, a slice or '...'",
};

function expectedWords(ruleName: string): string {
  return RULE_WORDS[ruleName] ?? 'an expression';
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }: { expected: TokenType; actual: IToken }): string {
    if (expected.name === 'EOF') return `unexpected ${T.describeToken(actual)}; expected ${RULE_WORDS.file}`;
    return `expected ${T.describeTokenType(expected)} but found ${T.describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }: { firstRedundant: IToken }): string {
    return `unexpected ${T.describeToken(firstRedundant)}; expected a declaration (import, block, model or sampler)`;
  },
  buildNoViableAltMessage({ actual, ruleName }: { actual: IToken[]; ruleName: string }): string {
    return `expected ${expectedWords(ruleName)} but found ${T.describeToken(actual[0])}`;
  },
  buildEarlyExitMessage({ actual, ruleName }: { actual: IToken[]; ruleName: string }): string {
    return `expected ${expectedWords(ruleName)} but found ${T.describeToken(actual[0])}`;
  },
};

class DnParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: 'full', errorMessageProvider: messages });
    this.performSelfAnalysis();
  }

  file = this.RULE('file', () => {
    this.MANY(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.blockDecl) },
        { ALT: () => this.SUBRULE(this.samplerDecl) },
        { ALT: () => this.SUBRULE(this.sep) },
      ]),
    );
  });

  sep = this.RULE('sep', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Newline) }, { ALT: () => this.CONSUME(T.Semicolon) }]);
  });

  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLit, { LABEL: 'path' });
  });

  blockDecl = this.RULE('blockDecl', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Block, { LABEL: 'keyword' }) }, { ALT: () => this.CONSUME(T.Model, { LABEL: 'keyword' }) }]);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.paramList));
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR1([{ ALT: () => this.SUBRULE(this.fnDecl) }, { ALT: () => this.SUBRULE(this.member) }, { ALT: () => this.SUBRULE(this.sep) }]),
    );
    this.CONSUME(T.RBrace);
  });

  member = this.RULE('member', () => {
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  fnDecl = this.RULE('fnDecl', () => {
    this.CONSUME(T.Fn);
    this.SUBRULE(this.paramList);
    this.OPTION(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.typeExpr, { LABEL: 'result' });
    });
    this.SUBRULE(this.stmtBlock, { LABEL: 'body' });
  });

  samplerDecl = this.RULE('samplerDecl', () => {
    this.CONSUME(T.Sampler);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.OR([
      {
        ALT: () => {
          this.SUBRULE(this.paramList);
          this.SUBRULE(this.stmtBlock, { LABEL: 'body' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Equals);
          this.SUBRULE(this.expression, { LABEL: 'call' });
        },
      },
    ]);
  });

  paramList = this.RULE('paramList', () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
    this.CONSUME(T.RParen);
  });

  param = this.RULE('param', () => {
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeExpr, { LABEL: 'type' });
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression, { LABEL: 'default' });
    });
  });

  typeExpr = this.RULE('typeExpr', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen, { LABEL: 'tuple' });
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.typeExpr, { LABEL: 'elements' }) });
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Name, { LABEL: 'name' });
          this.OPTION(() => {
            this.CONSUME(T.LBracket, { LABEL: 'shape' });
            this.MANY_SEP1({ SEP: T.Comma, DEF: () => this.SUBRULE(this.dim) });
            this.CONSUME(T.RBracket);
          });
        },
      },
    ]);
  });

  dim = this.RULE('dim', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Ellipsis) }, { ALT: () => this.SUBRULE(this.expression) }]);
  });

  stmtBlock = this.RULE('stmtBlock', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR([{ ALT: () => this.SUBRULE(this.statement) }, { ALT: () => this.SUBRULE(this.sep) }]));
    this.CONSUME(T.RBrace);
  });

  statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.returnStmt) },
      { ALT: () => this.SUBRULE(this.forStmt) },
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.assignStmt) },
    ]);
  });

  returnStmt = this.RULE('returnStmt', () => {
    this.CONSUME(T.Return);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'values' }) });
  });

  forStmt = this.RULE('forStmt', () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Name, { LABEL: 'variable' });
    this.CONSUME(T.In);
    this.SUBRULE(this.expression, { LABEL: 'start' });
    this.OPTION(() => {
      this.CONSUME(T.DotDot);
      this.SUBRULE1(this.expression, { LABEL: 'end' });
    });
    this.SUBRULE(this.stmtBlock, { LABEL: 'body' });
  });

  ifStmt = this.RULE('ifStmt', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression, { LABEL: 'cond' });
    this.SUBRULE(this.stmtBlock, { LABEL: 'then' });
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([{ ALT: () => this.SUBRULE(this.ifStmt, { LABEL: 'elseIf' }) }, { ALT: () => this.SUBRULE1(this.stmtBlock, { LABEL: 'else' }) }]);
    });
  });

  assignStmt = this.RULE('assignStmt', () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Name, { LABEL: 'targets' }) });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  expression = this.RULE('expression', () => {
    this.OR([{ ALT: () => this.SUBRULE(this.ifExpr) }, { ALT: () => this.SUBRULE(this.orExpr) }]);
  });

  ifExpr = this.RULE('ifExpr', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression, { LABEL: 'cond' });
    this.CONSUME(T.Then);
    this.SUBRULE1(this.expression, { LABEL: 'then' });
    this.CONSUME(T.Else);
    this.SUBRULE2(this.expression, { LABEL: 'else' });
  });

  orExpr = this.RULE('orExpr', () => {
    this.SUBRULE(this.andExpr, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(T.Or, { LABEL: 'ops' });
      this.SUBRULE1(this.andExpr, { LABEL: 'operands' });
    });
  });

  andExpr = this.RULE('andExpr', () => {
    this.SUBRULE(this.notExpr, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(T.And, { LABEL: 'ops' });
      this.SUBRULE1(this.notExpr, { LABEL: 'operands' });
    });
  });

  notExpr = this.RULE('notExpr', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not, { LABEL: 'op' });
          this.SUBRULE(this.notExpr, { LABEL: 'operand' });
        },
      },
      { ALT: () => this.SUBRULE(this.comparison, { LABEL: 'comparison' }) },
    ]);
  });

  comparison = this.RULE('comparison', () => {
    this.SUBRULE(this.additive, { LABEL: 'operands' });
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.EqEq, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.NotEq, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.LessEq, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.GreaterEq, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.Less, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.Greater, { LABEL: 'ops' }) },
      ]);
      this.SUBRULE1(this.additive, { LABEL: 'operands' });
    });
  });

  additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative, { LABEL: 'operands' });
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus, { LABEL: 'ops' }) }, { ALT: () => this.CONSUME(T.Minus, { LABEL: 'ops' }) }]);
      this.SUBRULE1(this.multiplicative, { LABEL: 'operands' });
    });
  });

  multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary, { LABEL: 'operands' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.SlashSlash, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.Percent, { LABEL: 'ops' }) },
        { ALT: () => this.CONSUME(T.At, { LABEL: 'ops' }) },
      ]);
      this.SUBRULE1(this.unary, { LABEL: 'operands' });
    });
  });

  unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.OR1([{ ALT: () => this.CONSUME(T.Minus, { LABEL: 'op' }) }, { ALT: () => this.CONSUME(T.Plus, { LABEL: 'op' }) }]);
          this.SUBRULE(this.unary, { LABEL: 'operand' });
        },
      },
      { ALT: () => this.SUBRULE(this.power, { LABEL: 'power' }) },
    ]);
  });

  power = this.RULE('power', () => {
    this.SUBRULE(this.postfix, { LABEL: 'base' });
    this.OPTION(() => {
      this.CONSUME(T.StarStar);
      this.SUBRULE(this.unary, { LABEL: 'exponent' });
    });
  });

  postfix = this.RULE('postfix', () => {
    this.SUBRULE(this.primary);
    this.MANY(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.callSuffix, { LABEL: 'suffixes' }) },
        { ALT: () => this.SUBRULE(this.indexSuffix, { LABEL: 'suffixes' }) },
        { ALT: () => this.SUBRULE(this.memberSuffix, { LABEL: 'suffixes' }) },
      ]),
    );
  });

  callSuffix = this.RULE('callSuffix', () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.arg) });
    this.CONSUME(T.RParen);
  });

  arg = this.RULE('arg', () => {
    this.OPTION(() => {
      this.CONSUME(T.Name, { LABEL: 'name' });
      this.CONSUME(T.Colon);
    });
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  indexSuffix = this.RULE('indexSuffix', () => {
    this.CONSUME(T.LBracket);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.indexItem) });
    this.CONSUME(T.RBracket);
  });

  indexItem = this.RULE('indexItem', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Ellipsis) },
      {
        ALT: () => {
          this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'start' }));
          this.OPTION1(() => {
            this.CONSUME(T.Colon, { LABEL: 'colon' });
            this.OPTION2(() => this.SUBRULE1(this.expression, { LABEL: 'stop' }));
            this.OPTION3(() => {
              this.CONSUME1(T.Colon, { LABEL: 'colon' });
              this.OPTION4(() => this.SUBRULE2(this.expression, { LABEL: 'step' }));
            });
          });
        },
      },
    ]);
  });

  memberSuffix = this.RULE('memberSuffix', () => {
    this.CONSUME(T.Dot);
    this.CONSUME(T.Name, { LABEL: 'name' });
  });

  primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Float, { LABEL: 'literal' }) },
      { ALT: () => this.CONSUME(T.Integer, { LABEL: 'literal' }) },
      { ALT: () => this.CONSUME(T.StringLit, { LABEL: 'literal' }) },
      { ALT: () => this.CONSUME(T.True, { LABEL: 'literal' }) },
      { ALT: () => this.CONSUME(T.False, { LABEL: 'literal' }) },
      { ALT: () => this.CONSUME(T.None, { LABEL: 'literal' }) },
      { ALT: () => this.CONSUME(T.Name, { LABEL: 'name' }) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression, { LABEL: 'paren' });
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.listExpr, { LABEL: 'list' }) },
    ]);
  });

  listExpr = this.RULE('listExpr', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression, { LABEL: 'elements' });
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.For);
            this.CONSUME(T.Name, { LABEL: 'variable' });
            this.CONSUME(T.In);
            this.SUBRULE1(this.expression, { LABEL: 'start' });
            this.OPTION1(() => {
              this.CONSUME(T.DotDot);
              this.SUBRULE2(this.expression, { LABEL: 'end' });
            });
          },
        },
        {
          ALT: () => {
            this.MANY(() => {
              this.CONSUME(T.Comma);
              this.SUBRULE3(this.expression, { LABEL: 'elements' });
            });
          },
        },
      ]);
    });
    this.CONSUME(T.RBracket);
  });
}

/** One parser instance serves every file: chevrotain parsers are reusable and costly to build. */
let shared: DnParser | undefined;

export function getParser(): DnParser {
  shared ??= new DnParser();
  return shared;
}
