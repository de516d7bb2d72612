// Node module-resolution hook for tfjs-core's ESM files (dist/*.js), which import their siblings
// without file extensions ('./gradients/Abs_grad', '../ops/ops') as bundlers allow and Node does not.
// Only relative imports made from inside tfjs-core's dist/ folder are retried, with `.js` and then
// `/index.js`; every other resolution is left to Node. Registered by compiler/semantics/gradients.ts.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const missing = error?.code === 'ERR_MODULE_NOT_FOUND' || error?.code === 'ERR_UNSUPPORTED_DIR_IMPORT';
    if (!missing || !specifier.startsWith('.') || !context.parentURL?.includes('/@tensorflow/tfjs-core/dist/')) throw error;
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
}
