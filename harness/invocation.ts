/**
 * How printed follow-up commands start, so that they work as pasted: in a clone, or in a project
 * that installed the package, `faultgate` is not on PATH but `npx faultgate` finds it.
 */
export const INVOCATION = 'npx faultgate';
