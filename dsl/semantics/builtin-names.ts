/**
 * The names of the language's builtin functions, in the order they are offered as "did you mean"
 * candidates. Name resolution needs only these; the implementations are in dsl/builtins/, whose
 * table (dsl/builtins/index.ts) has exactly these names in this order (test/dsl/layout.test.ts).
 */
export const BUILTIN_NAMES: readonly string[] = [
  // math on numbers and tensors (dsl/builtins/math.ts)
  'exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'silu', 'relu', 'square', 'abs', 'int',
  'floor', 'ceil', 'round', 'float', 'len', 'min', 'max', 'minimum', 'maximum',
  // tensor functions, noise and parameter inits (dsl/builtins/tensor.ts)
  'gelu', 'softmax', 'sum', 'mean', 'variance', 'matmul', 'reshape', 'transpose', 'concat', 'attention',
  'upsample', 'avg_pool', 'timestep_embedding', 'where', 'broadcast_to', 'zeros', 'ones', 'full',
  'zeros_like', 'ones_like', 'cast', 'pad', 'randn', 'uniform', 'normal', 'param',
  // schedule and solver tables (dsl/builtins/schedules.ts)
  'vp_linear', 'scaled_linear', 'cosine_schedule', 'zero_terminal_snr', 'spacing_linspace',
  'spacing_leading', 'spacing_trailing', 'karras_sigmas', 'exponential_sigmas', 'sigma_to_t',
  'levels_from_timesteps', 'levels_from_sigmas', 'ddim_coefficients', 'dpm_solver_pp', 'sde_dpm_solver_pp',
  'euler_coefficients', 'heun_coefficients', 'lms_coefficients', 'reversed',
  // the standard samplers' helpers (dsl/builtins/samplers.ts)
  'check', 'denoiser', 'denoise', 'sampling_plan', 'sigma_time', 'vp_schedule', 'cosine_log_snr',
  'cosine_time', 'spacing_uniform_time', 'logsnr_sigmas',
];
