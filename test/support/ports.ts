/** Kept for the libs/state specs that import it by path; new code imports tools/kit. */
export { freePort } from '../../tools/kit/ports';
