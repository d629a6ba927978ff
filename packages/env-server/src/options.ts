/** The entries of `object` whose value is not undefined, so that they do not override defaults with undefined. */
export function definedEntries<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}
