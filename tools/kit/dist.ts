import * as path from 'node:path';

/**
 * The build's dist/ folder, whether the caller runs compiled (dist/tools/…) or from source
 * under Jest (tools/…): processes and worker threads are always started from compiled files.
 */
export const DIST = __filename.endsWith('.ts') ? path.resolve(__dirname, '..', '..', 'dist') : path.resolve(__dirname, '..', '..');

/** The repository's root (where fixtures/ and node_modules/ are). */
export const ROOT = path.resolve(DIST, '..');
