/**
 * Building blocks of the config schemas (valibot): every field has a type with its bounds, a default and a
 * description, the one place each knob is documented. The TS types, the validation, the JSON Schema for
 * `--config` files and the CLI flags and help are all derived from these schemas.
 */
import * as v from 'valibot';

/**
 * A field with a default: `schema` checks the value, `fallback` is used when it is absent (a function for arrays and
 * objects, so no two configs share them), `description` documents it in help and JSON Schema.
 */
export function field<TSchema extends v.GenericSchema>(
  schema: TSchema,
  fallback: v.InferOutput<TSchema> | (() => v.InferOutput<TSchema>),
  description: string,
) {
  return v.optional(v.pipe(schema, v.description(description)), fallback as never) as v.OptionalSchema<
    v.SchemaWithPipe<readonly [TSchema, v.DescriptionAction<v.InferOutput<TSchema>, string>]>,
    v.InferOutput<TSchema>
  >;
}

/** A section of the config: an object whose unknown keys are errors (so typos fail instead of being ignored). */
export function section<TEntries extends v.ObjectEntries>(entries: TEntries, description: string) {
  const schema = v.pipe(v.strictObject(entries), v.description(description));
  return v.optional(schema, {} as never) as v.OptionalSchema<typeof schema, v.InferInput<typeof schema>>;
}

export const integerAtLeast = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min));
export const positiveInteger = () => integerAtLeast(1);
export const positive = () => v.pipe(v.number(), v.gtValue(0));
export const nonNegative = () => v.pipe(v.number(), v.minValue(0));
/** A number in (0, 1]. */
export const fraction = () => v.pipe(v.number(), v.gtValue(0), v.maxValue(1));
export const choice = <const T extends readonly string[]>(options: T) => v.picklist(options);
