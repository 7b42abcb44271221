// The document the human-readable reference (/docs) renders: the OpenAPI document with every expandable field
// described as the id it is by default, instead of "the id, or the whole object". Stripe's spec describes an
// expandable field as `anyOf: [string, $ref X, null]`; Redoc expands every such branch of every response it shows, and
// as more objects became expandable (a SetupIntent's latest attempt, whose SetupIntent is expandable again; transfers,
// payouts, balance transactions and their sources) the page grew until Chromium killed its renderer. The canonical
// document at /v1/openapi.json keeps the full descriptions for tools and SDK generators.

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `anyOf: [string, $ref..., null?]`: an expandable field. Its string and null branches, and the names of its objects. */
function expandableBranches(anyOf: Json[]): { kept: Json[]; objects: string[] } | undefined {
  const strings = anyOf.filter((branch) => isObject(branch) && branch.type === 'string');
  const references = anyOf.filter((branch) => isObject(branch) && typeof branch.$ref === 'string') as { $ref: string }[];
  if (strings.length !== 1 || references.length === 0) return undefined;
  const nulls = anyOf.filter((branch) => isObject(branch) && branch.type === 'null');
  if (strings.length + references.length + nulls.length !== anyOf.length) return undefined;
  return { kept: [...strings, ...nulls], objects: references.map((reference) => reference.$ref.split('/').pop() ?? reference.$ref) };
}

function simplified(node: Json): Json {
  if (Array.isArray(node)) return node.map(simplified);
  if (!isObject(node)) return node;
  const result: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) result[key] = simplified(value);
  if (Array.isArray(node.anyOf)) {
    const branches = expandableBranches(node.anyOf);
    if (branches) {
      const note = `Expandable: an id by default; with expand[] the whole ${branches.objects.join(' or ')} object.`;
      delete result.anyOf;
      const description = typeof node.description === 'string' ? `${node.description}\n\n${note}` : note;
      return branches.kept.length === 1 ? { ...(branches.kept[0] as Record<string, Json>), description } : { ...result, anyOf: branches.kept, description };
    }
  }
  return result;
}

/** The reference page's document: the same operations and objects, expandable fields as ids. */
export function referenceDocument(document: Record<string, unknown>): Record<string, unknown> {
  return simplified(document) as Record<string, unknown>;
}
