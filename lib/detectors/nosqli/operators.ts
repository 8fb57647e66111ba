/**
 * MongoDB query/update/aggregation operators, by what an attacker gains from smuggling them into a
 * query through a parameter name (`user[$ne]=`), a JSON key (`{"password": {"$gt": ""}}`) or a
 * JSON-in-string value (`{"$gt": ""}`).
 */
export type OperatorRisk =
  | 'code' //   runs JavaScript or arbitrary expressions server-side: $where, $function, $accumulator, $expr
  | 'match' //  changes what a filter matches in ways that bypass checks: $ne, $gt, $regex, $or, $exists ...
  | 'filter' // narrows a filter the way the app might intend ($eq, $in, $size ...): a hint on its own
  | 'write'; // update/pipeline stages that write or reach other collections: $set, $out, $merge, $lookup

const OPERATORS: Record<OperatorRisk, string> = {
  code: 'where function accumulator expr eval',
  match: 'ne gt gte lt lte nin regex exists not nor or and elemMatch jsonSchema bitsAllSet bitsAnySet bitsAllClear bitsAnyClear',
  filter: 'eq in options all size mod text search type comment geoWithin near nearSphere sampleRate',
  write:
    'set unset inc push pull addToSet rename out merge lookup unionWith graphLookup replaceRoot replaceWith ' +
    'currentDate setOnInsert pop pullAll mul min max bit',
};

const RISK = new Map<string, OperatorRisk>();
for (const risk of Object.keys(OPERATORS) as OperatorRisk[]) {
  for (const name of OPERATORS[risk].split(' ')) RISK.set(name.toLowerCase(), risk);
}

/**
 * `$`-keys that well-known non-Mongo formats use legitimately: JSON Schema (`$schema`, `$ref`, `$id`,
 * `$defs`, `$comment`), .NET type hints (`$type`, `$values`), JSON-LD-ish and OData options.
 * `$type` is also a Mongo operator, but as a bare JSON key it is almost always a serializer hint.
 */
const BENIGN_DOLLAR_KEYS = new Set(['schema', 'ref', 'id', 'defs', 'comment', 'type', 'values', 'anchor', 'vocabulary', 'dynamicref', 'filter', 'select', 'orderby', 'top', 'skip', 'count', 'expand', 'format', 'search']);

/** Risk of `$name` (name without the `$`, any case), or undefined when it is not a Mongo operator. */
export function operatorRisk(name: string): OperatorRisk | undefined {
  return RISK.get(name.toLowerCase());
}

export function isBenignDollarKey(name: string): boolean {
  return BENIGN_DOLLAR_KEYS.has(name.toLowerCase());
}

/** Mongo shell methods that only a shell payload calls on `db.<collection>.` or `db.`. */
export const SHELL_METHODS = new Set([
  'find', 'findone', 'insert', 'insertone', 'insertmany', 'update', 'updateone', 'updatemany', 'remove', 'deleteone',
  'deletemany', 'drop', 'dropdatabase', 'mapreduce', 'aggregate', 'getcollection', 'getcollectionnames', 'eval',
  'runcommand', 'adminCommand'.toLowerCase(), 'getsiblingdb', 'createuser', 'count', 'distinct', 'save', 'stats', 'getname',
  'version', 'serverstatus', 'getmongo', 'shutdownserver', 'copydatabase', 'clonecollection',
]);
