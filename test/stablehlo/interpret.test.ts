// The StableHLO parser and interpreter on hand-written modules with hand-computed results, the
// semantics the StableHLO spec gives each op, and the errors bad modules must raise.
import { describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { makeTensor } from '../../tools/stablehlo-interpreter/interpret-tensor.ts';
import { runStableHLO, type HloTensor } from '../../tools/stablehlo-interpreter/interpret.ts';
import { parseStableHLO } from '../../tools/stablehlo-interpreter/parse.ts';
import { ttype, type ElemType } from '../../targets/stablehlo/types.ts';

const t = (elem: ElemType, shape: number[], values: number[]): HloTensor => makeTensor(ttype(elem, shape), values);

/** A module whose @main has the given signature and body lines. */
function mod(args: string, result: string, body: string): string {
  return `module @m {\n  func.func public @main(${args}) -> (${result}) {\n${body}\n  }\n}\n`;
}

const run1 = (text: string, args: HloTensor[] = []): number[] => Array.from(runStableHLO(text, args)[0].data);

describe('StableHLO interpreter: op semantics on hand-computed cases', () => {
  it('dot_general with a batch dim', () => {
    const text = mod(
      '%a: tensor<2x1x2xf32>, %b: tensor<2x2x1xf32>',
      'tensor<2x1x1xf32>',
      '    %0 = stablehlo.dot_general %a, %b, batching_dims = [0] x [0], contracting_dims = [2] x [1], precision = [HIGHEST, HIGHEST] : (tensor<2x1x2xf32>, tensor<2x2x1xf32>) -> tensor<2x1x1xf32>\n    return %0 : tensor<2x1x1xf32>',
    );
    // [1,2]·[3,4] = 11, [5,6]·[7,8] = 83
    expect(run1(text, [t('f32', [2, 1, 2], [1, 2, 5, 6]), t('f32', [2, 2, 1], [3, 4, 7, 8])])).toEqual([11, 83]);
  });

  it('convolution with padding and stride', () => {
    const text = mod(
      '%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x2x2xf32>',
      'tensor<1x1x2x2xf32>',
      '    %0 = stablehlo.convolution(%x, %w) dim_numbers = [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1], window = {stride = [2, 2], pad = [[1, 1], [1, 1]], rhs_dilate = [1, 1]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64, precision_config = [#stablehlo<precision HIGHEST>, #stablehlo<precision HIGHEST>]} : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>\n    return %0 : tensor<1x1x2x2xf32>',
    );
    // x = 1..9 in a 3x3 grid padded by one zero ring; 2x2 windows of ones at (-1,-1), (-1,1), (1,-1), (1,1).
    expect(run1(text, [t('f32', [1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), t('f32', [1, 1, 2, 2], [1, 1, 1, 1])])).toEqual([
      1,
      2 + 3,
      4 + 7,
      5 + 6 + 8 + 9,
    ]);
  });

  it('pad with negative low, positive high and interior padding', () => {
    const text = mod(
      '%x: tensor<3xi32>',
      'tensor<6xi32>',
      '    %v = stablehlo.constant dense<-1> : tensor<i32>\n    %0 = stablehlo.pad %x, %v, low = [-1], high = [2], interior = [1] : (tensor<3xi32>, tensor<i32>) -> tensor<6xi32>\n    return %0 : tensor<6xi32>',
    );
    // interior: [1, -1, 2, -1, 3]; drop one at the front, add two at the end.
    expect(run1(text, [t('i32', [3], [1, 2, 3])])).toEqual([-1, 2, -1, 3, -1, -1]);
  });

  it('gather picks rows; dynamic_slice clamps its start', () => {
    const text = mod(
      '%d: tensor<3x2xf32>, %i: tensor<2xi32>, %s: tensor<i32>',
      'tensor<2x2xf32>, tensor<2x2xf32>',
      '    %0 = "stablehlo.gather"(%d, %i) {dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, indices_are_sorted = false, slice_sizes = array<i64: 1, 2>} : (tensor<3x2xf32>, tensor<2xi32>) -> tensor<2x2xf32>\n' +
        '    %z = stablehlo.constant dense<0> : tensor<i32>\n' +
        '    %1 = stablehlo.dynamic_slice %d, %s, %z, sizes = [2, 2] : (tensor<3x2xf32>, tensor<i32>, tensor<i32>) -> tensor<2x2xf32>\n' +
        '    return %0, %1 : tensor<2x2xf32>, tensor<2x2xf32>',
    );
    const [g, s] = runStableHLO(text, [t('f32', [3, 2], [1, 2, 3, 4, 5, 6]), t('i32', [2], [2, 0]), t('i32', [], [5])]);
    expect(Array.from(g.data)).toEqual([5, 6, 1, 2]);
    expect(Array.from(s.data)).toEqual([3, 4, 5, 6]);
  });

  it('while counts to ten; reduce sums; compare and select', () => {
    const text = mod(
      '%x: tensor<2x3xf32>',
      'tensor<i32>, tensor<2xf32>, tensor<2xf32>',
      `    %c0 = stablehlo.constant dense<0> : tensor<i32>
    %w = stablehlo.while(%i = %c0) : tensor<i32>
      cond {
        %ten = stablehlo.constant dense<10> : tensor<i32>
        %p = stablehlo.compare LT, %i, %ten, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
        stablehlo.return %p : tensor<i1>
      } do {
        %one = stablehlo.constant dense<1> : tensor<i32>
        %n = stablehlo.add %i, %one : tensor<i32>
        stablehlo.return %n : tensor<i32>
      }
    %zero = stablehlo.constant dense<0.0> : tensor<f32>
    %s = stablehlo.reduce(%x init: %zero) applies stablehlo.add across dimensions = [1] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2xf32>
    %lim = stablehlo.constant dense<[5.0, 5.0]> : tensor<2xf32>
    %gt = stablehlo.compare GT, %s, %lim, FLOAT : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
    %sel = stablehlo.select %gt, %s, %lim : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    return %w, %s, %sel : tensor<i32>, tensor<2xf32>, tensor<2xf32>`,
    );
    const [w, s, sel] = runStableHLO(text, [t('f32', [2, 3], [1, 1, 1, 2, 2, 2])]);
    expect(Array.from(w.data)).toEqual([10]);
    expect(Array.from(s.data)).toEqual([3, 6]);
    expect(Array.from(sel.data)).toEqual([5, 6]);
  });

  it('integer semantics: convert truncates toward zero, shifts by 32 give 0, ui32 adds wrap', () => {
    const text = mod(
      '%f: tensor<3xf32>, %u: tensor<2xui32>',
      'tensor<3xi32>, tensor<2xui32>, tensor<2xui32>',
      `    %0 = stablehlo.convert %f : (tensor<3xf32>) -> tensor<3xi32>
    %s = stablehlo.constant dense<[32, 4]> : tensor<2xui32>
    %1 = stablehlo.shift_right_logical %u, %s : tensor<2xui32>
    %2 = stablehlo.add %u, %u : tensor<2xui32>
    return %0, %1, %2 : tensor<3xi32>, tensor<2xui32>, tensor<2xui32>`,
    );
    const [c, sh, add] = runStableHLO(text, [t('f32', [3], [-2.7, 2.7, 0.5]), t('ui32', [2], [0xffffffff, 0x80])]);
    expect(Array.from(c.data)).toEqual([-2, 2, 0]);
    expect(Array.from(sh.data)).toEqual([0, 8]);
    expect(Array.from(add.data)).toEqual([0xfffffffe, 0x100]);
  });

  it('bf16 values are rounded to nearest even', () => {
    const text = mod(
      '%f: tensor<2xf32>',
      'tensor<2xbf16>',
      '    %0 = stablehlo.convert %f : (tensor<2xf32>) -> tensor<2xbf16>\n    return %0 : tensor<2xbf16>',
    );
    // bf16 keeps 8 significant bits: 1 + 2^-8 is a tie (rounds to even, 1), 1 + 3·2^-9 rounds up to 1 + 2^-7.
    expect(run1(text, [t('f32', [2], [1 + 2 ** -8, 1 + 3 * 2 ** -9])])).toEqual([1, 1 + 2 ** -7]);
  });
});

describe('StableHLO parser and interpreter errors', () => {
  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      if (e instanceof DenocError) return `${e.diagnostics[0].code}: ${e.diagnostics[0].message}`;
      throw e;
    }
    return 'no error';
  };

  it('rejects an op outside the subset with line:col', () => {
    const text = mod('%a: tensor<2xf32>', 'tensor<2xf32>', '    %0 = stablehlo.cbrt %a : tensor<2xf32>\n    return %0 : tensor<2xf32>');
    expect(code(() => parseStableHLO(text))).toMatch(/^HLO0201: 3:\d+: unsupported op 'stablehlo.cbrt'/);
  });

  it('rejects dynamic shapes', () => {
    const text = mod('%a: tensor<?xf32>', 'tensor<2xf32>', '    return %a : tensor<2xf32>');
    expect(code(() => parseStableHLO(text))).toMatch(/HLO0201|HLO0202/);
  });

  it('reports a declared result type that disagrees with the op semantics', () => {
    const text = mod(
      '%a: tensor<2x3xf32>',
      'tensor<2x3xf32>',
      '    %0 = stablehlo.transpose %a, dims = [1, 0] : (tensor<2x3xf32>) -> tensor<2x3xf32>\n    return %0 : tensor<2x3xf32>',
    );
    expect(code(() => runStableHLO(text, [t('f32', [2, 3], [1, 2, 3, 4, 5, 6])]))).toMatch(
      /HLO0304: line 3: result of stablehlo.transpose is tensor<3x2xf32>/,
    );
  });

  it('reports a value read from outside a while region', () => {
    const text = mod(
      '%a: tensor<i32>',
      'tensor<i32>',
      `    %w = stablehlo.while(%i = %a) : tensor<i32>
      cond {
        %p = stablehlo.compare LT, %i, %a, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
        stablehlo.return %p : tensor<i1>
      } do {
        stablehlo.return %i : tensor<i32>
      }
    return %w : tensor<i32>`,
    );
    expect(code(() => runStableHLO(text, [t('i32', [], [0])]))).toMatch(/HLO0301: .*reads %a, which is not defined in this region/);
  });

  it('reports wrong argument types', () => {
    const text = mod('%a: tensor<2xf32>', 'tensor<2xf32>', '    return %a : tensor<2xf32>');
    expect(code(() => runStableHLO(text, [t('f32', [3], [1, 2, 3])]))).toMatch(/HLO0304: argument 0 of @main is tensor<3xf32>/);
  });

  it('rejects a dense literal that does not match its shape', () => {
    const text = mod(
      '',
      'tensor<2x2xf32>',
      '    %0 = stablehlo.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<2x2xf32>\n    return %0 : tensor<2x2xf32>',
    );
    expect(code(() => parseStableHLO(text))).toMatch(/HLO0201: .*nested 1 deep for a rank-2 tensor/);
  });
});
