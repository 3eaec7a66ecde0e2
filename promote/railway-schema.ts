// Railway's published GraphQL schema (the part a rollout uses), kept outside this repo in
// ../shared/railway/schema.graphql (CI has a copy of shared/ beside the clone). The unit
// tests and the fake validate every request against it with graphql-js, so what the fake
// accepts is what Railway accepts. Test-only: graphql is a dev dependency.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, getVariableValues, parse, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { REPO_ROOT } from '../model/paths.ts';

export const RAILWAY_SCHEMA_FILE = join(REPO_ROOT, '..', 'shared', 'railway', 'schema.graphql');

let cached: GraphQLSchema | undefined;

/** The schema, or an error saying where it should be: tests that need it fail, never skip. */
export function railwaySchema(file = RAILWAY_SCHEMA_FILE): GraphQLSchema {
  if (cached && file === RAILWAY_SCHEMA_FILE) return cached;
  let sdl: string;
  try {
    sdl = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(
      `Railway's schema is not at ${file} (${(e as Error).message}): it lives in shared/railway/schema.graphql beside this clone ` +
        '(CI copies shared/ there); put it there to run these tests',
    );
  }
  // assumeValid: the schema is Railway's as published, and graphql-js 17 rejects one of its
  // quirks (Team.id deprecated while Node.id is not). Operations are still validated in full.
  const schema = buildSchema(sdl, { assumeValid: true });
  if (file === RAILWAY_SCHEMA_FILE) cached = schema;
  return schema;
}

/**
 * What a GraphQL server would reject in this request, as messages: a syntax error, an
 * operation that doesn't validate against the schema, or variables that don't coerce to
 * the declared types (a missing required input field, a wrong type, an unknown field).
 */
export function requestErrors(schema: GraphQLSchema, query: string, variables: Record<string, unknown> = {}): string[] {
  let doc;
  try {
    doc = parse(query);
  } catch (e) {
    return [(e as Error).message];
  }
  const invalid = validate(schema, doc);
  if (invalid.length > 0) return invalid.map((e) => e.message);
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (ops.length !== 1) return [`expected one operation, got ${ops.length}`];
  const coerced = getVariableValues(schema, ops[0]!.variableDefinitions ?? [], variables);
  return 'errors' in coerced && coerced.errors ? coerced.errors.map((e) => e.message) : [];
}
