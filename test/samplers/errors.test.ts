/**
 * Bad sampler options stop compilation with a DenocError whose diagnostic has a stable code and
 * points at the user's instantiation (`sampler s = ddim(M, steps: 0)`), not into std/samplers.dn.
 * One program holds every mistake, so the test also checks that each is reported on its own line.
 */
import { describe, expect, it } from 'vitest';
import { DenocError, formatDiagnostic, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import { compileProgram, HEADER, MAIN } from './helpers.ts';

const MODELS = `
model Emb {
  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] { return x * 0.5 + timestep_embedding(t, 2) }
}
model CondNoNull {
  fn (x: f32[B, 2], t: f32[B], y: i32[B]) -> f32[B, 2] { return x * 0.5 }
}
model Misdeclared(prediction: str = "epsilon") {
  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] { return x * 0.5 }
}
model ZeroSnrV(prediction: str = "v", zero_snr: bool = true) {
  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] { return x * 0.5 }
}
`;

/** Each bad instantiation, the code it must give, and words the message must contain. */
const CASES: readonly [string, string, RegExp][] = [
  ['ddim(Emb, steps: 0)', 'SCH0001', /steps must be an integer >= 1, got 0/],
  ['ddim(Emb, schedule: "cosin")', 'SMP0001', /unknown schedule "cosin"/],
  ['ddim(Emb, sigmas: "karas")', 'SMP0001', /unknown sigmas "karas"/],
  ['dpmpp_2m(Emb, final: "end")', 'SMP0001', /unknown final level "end"/],
  ['ddim(Emb, eta: 1.5)', 'SMP0001', /eta must be in \[0, 1\]/],
  ['lms(Emb, order: 5)', 'SCH0001', /order must be an integer in \[1, 4\], got 5/],
  ['dpmpp_3m(Emb, steps: 20, schedule: "cosine", spacing: "uniform")', 'SMP0004', /uniform.*continuous-time/],
  ['ddim(Gaussian2D, prediction: "v")', 'SMP0002', /asks for prediction "v" but model Gaussian2D declares prediction = "eps"/],
  ['ddim(Gaussian2D, schedule: "cosine")', 'SMP0002', /declares schedule = "linear"/],
  ['ddim(Gaussian2D, zero_snr: true)', 'SMP0002', /zero SNR.*eps-prediction/],
  ['ddim(Misdeclared)', 'SMP0001', /unknown prediction declared by model Misdeclared "epsilon"/],
  ['ddim(Gaussian2D, guidance: 2.0)', 'SMP0003', /one class-label input/],
  ['ddim(CondNoNull, guidance: 2.0)', 'SMP0003', /declares no null_class/],
  ['ddim(GMMClass, guidance: 2.0, guidance_rescale: 1.5)', 'SMP0003', /guidance_rescale must be in \[0, 1\]/],
  ['euler(ZeroSnrV)', 'SMP0004', /needs a finite largest sigma/],
  ['euler(ZeroSnrV, sigmas: "timesteps")', 'SMP0001', /euler needs finite sigmas/],
  ['euler_ancestral(ZeroSnrV, sigmas: "timesteps")', 'SCH0003', /finite sigmas/],
];

function diagnosticsOf(body: string): Diagnostic[] {
  try {
    compileProgram(body);
  } catch (e) {
    if (e instanceof DenocError) return e.diagnostics.filter((d) => d.severity === 'error');
    throw e;
  }
  return [];
}

describe('bad sampler options', () => {
  const lines = CASES.map(([call], k) => `sampler bad${k} = ${call}`);
  const firstLine = HEADER.split('\n').length - 1 + MODELS.split('\n').length;
  const diagnostics = diagnosticsOf(MODELS + lines.join('\n') + '\n');

  it('report every bad instantiation on its own line, and nothing elsewhere', () => {
    const badLines = CASES.map((_, k) => firstLine + k);
    expect([...new Set(diagnostics.map((d) => d.span?.line))]).toEqual(badLines);
  });

  CASES.forEach(([call, code, message], k) => {
    it(`${call} → ${code}`, () => {
      const d = diagnostics.find((x) => x.span?.line === firstLine + k);
      expect(d, diagnostics.map(formatDiagnostic).join('\n')).toBeDefined();
      expect(d!.code).toBe(code);
      expect(d!.message).toMatch(message);
      // At the call in the user's file, with a pointer to the std line that raised it.
      expect(d!.span!.file).toBe(MAIN);
      expect(d!.span!.col).toBe(`sampler bad${k} = `.length + 1);
      expect(d!.hint ?? '').toMatch(/std\/samplers\.dn:\d+:\d+/);
      expect(formatDiagnostic(d!)).not.toMatch(/\n\s+at /);
    });
  });

  it('accepts the same samplers with good options', () => {
    expect(diagnosticsOf('sampler fast = dpmpp_2m(Gaussian2D, steps: 10, sigmas: "karras")\n')).toEqual([]);
  });
});
