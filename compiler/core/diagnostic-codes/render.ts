/** RND: codes of the PNG renderer (api/render/png.ts): bad arguments to its three kinds of picture. */
export const RENDER_CODES = {
  RND0001: 'bad image grid arguments (sizes, channels, scale, range)',
  RND0002: 'bad scatter plot points or bounds',
  RND0003: 'bad line series or plot size',
} as const;
