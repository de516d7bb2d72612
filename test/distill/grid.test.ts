// The DDIM grids of progressive distillation (runtime/distill/grid.ts): with trailing spacing the N/2-step
// grid is every other point of the N-step grid for every halving from 64 to 1 at T = 1000 (linspace and
// leading do not nest), the levels are the linear schedule's, and bad step counts or schedules are refused.
import { describe, expect, it } from 'vitest';
import { linear, spacingLeading, spacingLinspace, spacingTrailing } from '../../compiler/schedules/index.ts';
import { ddimGrid, nests, roundGrids } from '../../runtime/distill/grid.ts';
import { specOfFile } from '../train/spec-of-file.ts';
import type { TrainingSpec } from '../../runtime/train/training-spec.ts';

const spec = specOfFile('examples/mlp2d.dn', 'MLP2D');
const everyOther = (fine: number[], coarse: number[]) => coarse.every((t, k) => t === fine[2 * k]);

describe('distillation grids', () => {
  it('nest exactly with trailing spacing, T = 1000, from 64 steps down to 1', () => {
    for (let n = 64; n >= 2; n /= 2) {
      expect(everyOther(spacingTrailing(1000, n), spacingTrailing(1000, n / 2)), `${n} -> ${n / 2}`).toBe(true);
      expect(nests(ddimGrid(spec, n), ddimGrid(spec, n / 2)), `${n} -> ${n / 2}`).toBe(true);
    }
    expect([...ddimGrid(spec, 4).t]).toEqual([999, 749, 499, 249, 0]);
  });

  it('would not nest with linspace or leading spacing (why trailing is used)', () => {
    expect(everyOther(spacingLinspace(1000, 64), spacingLinspace(1000, 32))).toBe(false);
    expect(everyOther(spacingLeading(1000, 64), spacingLeading(1000, 32))).toBe(false);
  });

  it("uses the schedule's levels and ends at the clean level", () => {
    const g = ddimGrid(spec, 8);
    const table = linear(1e-4, 0.02, 1000);
    spacingTrailing(1000, 8).forEach((t, i) => {
      expect(g.alpha[i]).toBeCloseTo(table.alpha[t], 12);
      expect(g.sigma[i]).toBeCloseTo(table.sigma[t], 12);
    });
    expect([g.alpha[8], g.sigma[8]]).toEqual([1, 0]);
    expect(roundGrids(spec, 8).student.steps).toBe(4);
  });

  it('refuses step counts that are not powers of two, and continuous-time schedules', () => {
    expect(() => ddimGrid(spec, 12)).toThrow(/DST0102.*power-of-two.*12/);
    const continuous: TrainingSpec = { ...spec, schedule: 'cosine_continuous' };
    expect(() => ddimGrid(continuous, 8)).toThrow(/DST0101.*discrete schedule/);
  });
});
