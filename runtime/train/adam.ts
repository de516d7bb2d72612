/**
 * Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization", Algorithm 1) on host
 * Float32Arrays, with an optional exponential moving average of the weights.
 *
 *   m ← β1·m + (1 − β1)·g          v ← β2·v + (1 − β2)·g²
 *   θ ← θ − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)        (bias-corrected, t = 1, 2, …)
 *   ema ← d·ema + (1 − d)·θ,  d = min(decay, (1 + t)/(10 + t))
 *
 * The EMA's warm-up (TensorFlow's ExponentialMovingAverage with num_updates) keeps the average from
 * remembering the random init for ~1/(1 − decay) steps. Arithmetic is in float64, stored as float32,
 * in a fixed order: the same inputs give the same bits, which checkpoint + resume relies on.
 */

export interface AdamOptions {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** EMA decay of the weights, e.g. 0.999; 0 or absent: no EMA. */
  readonly emaDecay?: number;
}

/** Everything Adam carries between steps, per parameter tensor. */
export interface AdamState {
  /** Updates applied so far (t of the bias correction). */
  step: number;
  readonly m: Float32Array[];
  readonly v: Float32Array[];
  /** The weight average, when emaDecay > 0. */
  readonly ema?: Float32Array[];
}

export function createAdam(params: readonly Float32Array[], opts: AdamOptions): AdamState {
  return {
    step: 0,
    m: params.map((p) => new Float32Array(p.length)),
    v: params.map((p) => new Float32Array(p.length)),
    ema: opts.emaDecay ? params.map((p) => Float32Array.from(p)) : undefined,
  };
}

/** One update of every parameter in place from its gradient. */
export function adamStep(params: readonly Float32Array[], grads: readonly ArrayLike<number>[], state: AdamState, opts: AdamOptions): void {
  const b1 = opts.beta1 ?? 0.9,
    b2 = opts.beta2 ?? 0.999,
    eps = opts.eps ?? 1e-8;
  state.step += 1;
  const t = state.step;
  const c1 = 1 - b1 ** t,
    c2 = 1 - b2 ** t;
  params.forEach((p, k) => {
    const g = grads[k],
      m = state.m[k],
      v = state.v[k];
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      p[i] -= (opts.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
    }
  });
  if (state.ema && opts.emaDecay) updateEma(state.ema, params, Math.min(opts.emaDecay, (1 + t) / (10 + t)));
}

function updateEma(ema: readonly Float32Array[], params: readonly Float32Array[], decay: number): void {
  params.forEach((p, k) => {
    const e = ema[k];
    for (let i = 0; i < p.length; i++) e[i] = decay * e[i] + (1 - decay) * p[i];
  });
}
