/**
 * SCH: codes of the compile-time schedule math (compiler/schedules/check.ts), whose arguments come
 * from user-written DSL, so a bad value stops compilation instead of giving a NaN table.
 */
export const SCHEDULE_MATH_CODES = {
  SCH0001: 'an integer argument (T, steps, order, timestep) is out of range or not an integer',
  SCH0002: 'a real argument (beta, sigma, eta, rho, t) is out of range or not finite',
  SCH0003: 'a table has the wrong length or is not ordered as the solver needs',
  SCH0004: 'more steps or timesteps than the limit (steps), checked before any table is made',
} as const;
