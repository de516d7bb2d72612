/**
 * The layering of denoc, held by `npm test` (test/layering.test.ts runs this rule set).
 * Each layer imports only the layers before it:
 *   core → semantics → compiler → dsl → targets → runtime → api → (cli, web, bench, scripts)
 * plus: runtimes read artifacts and plans and never drive the compiler; a target never imports
 * another target; the product never imports tools/ (test oracles) or test/.
 * See docs/architecture.md.
 */
const LAYERS = [
  ['core', '^compiler/core/'],
  ['semantics', '^compiler/semantics/'],
  ['compiler', '^compiler/(?!core/|semantics/)'],
  ['dsl', '^dsl/'],
  ['targets', '^targets/'],
  ['runtime', '^runtime/'],
  ['api', '^api/'],
];

/** Layer i may not import layer j > i. */
const upward = LAYERS.flatMap(([name, path], i) => {
  const above = [...LAYERS.slice(i + 1).map(([, p]) => p), '^cli/', '^web/', '^bench/', '^scripts/', '^tools/', '^test/'];
  return [
    {
      name: `${name}-imports-upward`,
      comment: `${name} may import only the layers before it (core → semantics → compiler → dsl → targets → runtime → api)`,
      severity: 'error',
      from: { path },
      to: { path: `(${above.join('|')})` },
    },
  ];
});

/**
 * An import cycle that leaves its folder knots parts together; mutual recursion inside one folder
 * (recursive-descent lowering) is fine, and type-only imports do not count. One rule per folder depth,
 * because the folder is captured by the `from` pattern and must be matched exactly in the cycle.
 */
const cycleRules = ['[a-z]+/', '[a-z]+/[a-z-]+/', '[a-z]+/[a-z-]+/[a-z-]+/'].map((dir, depth) => ({
  name: `no-cycle-across-folders-${depth + 1}`,
  severity: 'error',
  from: { path: `^(${dir})[^/]+$`, pathNot: '^(cli|web|bench|scripts|test|tools)/' },
  to: { circular: true, dependencyTypesNot: ['type-only'], viaSomeNot: '^$1[^/]+$' },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'runtime-drives-compiler',
      comment: 'runtimes read artifacts and plans; compiling (front end, pipelines, passes, target compile steps) belongs to api/',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { path: '^(dsl/|compiler/(pipelines|compile)\\.ts|compiler/passes/|targets/[^/]+/(compile|passes/)|targets/index\\.ts)' },
    },
    {
      name: 'target-imports-another-target',
      comment: "a target's code is its own: share through compiler/ or core/",
      severity: 'error',
      from: { path: '^targets/([^/]+)/' },
      to: { path: '^targets/[^/]+/', pathNot: '^targets/$1/' },
    },
    {
      name: 'product-imports-tools',
      comment: 'tools/ holds test oracles and helpers that are not the product',
      severity: 'error',
      from: { path: '^(compiler|dsl|targets|runtime|api|cli|web)/' },
      to: { path: '^(tools|test|bench|scripts)/' },
    },
    ...cycleRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^node_modules/|\\.venv)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.json'] },
  },
};
