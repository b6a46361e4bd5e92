/** A scalar parameter value from the front matter. */
export type ParamScalar = string | number | boolean;
/** A parameter value: a scalar, or a list of scalars that a block may sweep over. */
export type ParamValue = ParamScalar | ParamScalar[];
