/** Read-only all the way down: what `deepFrozen` returns. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown ? T : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/**
 * A frozen copy of plain settings data (objects, arrays, numbers, strings): a process's settings are fixed once built,
 * so an attempt to change one afterwards throws (in strict mode) instead of silently changing it for everyone.
 */
export function deepFrozen<T>(value: T): DeepReadonly<T> {
  return freezeAll(structuredClone(value)) as DeepReadonly<T>;
}

function freezeAll<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) freezeAll(inner);
    Object.freeze(value);
  }
  return value;
}
