/**
 * Resolves the `@app/<lib>` aliases of tsconfig.json to the compiled libraries in dist/.
 * Every compiled entry point is started with `node -r dist/tools/register-paths.js`, before
 * anything else loads (the OpenTelemetry preload included), so the aliases work at run time
 * exactly as they do for the compiler.
 */
import Module from 'node:module';
import * as path from 'node:path';

const libsRoot = path.resolve(__dirname, '..', 'libs');
const moduleInternals = Module as unknown as {
  _resolveFilename(request: string, ...rest: unknown[]): string;
};
const resolve = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = function (request: string, ...rest: unknown[]): string {
  const match = /^@app\/([a-z-]+)$/.exec(request);
  const target = match ? path.join(libsRoot, match[1], 'src', 'index.js') : request;
  return resolve.call(this, target, ...rest);
};
