/** The entries of `object` whose value is not undefined, so that they do not override defaults with undefined. */
export function definedEntries<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `defaults` with each of its keys taken from `given` where that is defined; other keys of `given` are ignored. */
export function withDefaults<T extends object>(defaults: Readonly<T>, given: Partial<T>): T {
  const defined = definedEntries(given);
  return Object.fromEntries(
    Object.entries(defaults).map(([key, value]) => [key, defined[key as keyof T] ?? value]),
  ) as T;
}
