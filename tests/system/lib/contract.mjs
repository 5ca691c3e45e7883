// Every response the system tests receive is checked against docs/openapi.json, so the
// document cannot drift from the server: the status must be declared for the route and
// method, the declared required headers present and well-formed, and the body of the declared
// media type and schema (JSON Schema 2020-12, the dialect of OpenAPI 3.1, by ajv).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const documentPath = path.resolve(import.meta.dirname, '../../../docs/openapi.json');
const document = JSON.parse(readFileSync(documentPath, 'utf8'));

// OpenAPI's own keywords, in schemas and (as ajv compiles the document's root to resolve a
// reference into it) at the top; any other unknown keyword is a mistake ajv reports.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs', ...Object.keys(document)]);
addFormats(ajv);
ajv.addSchema(document, 'openapi.json');

function pointer(...tokens) {
  return tokens.map((token) => String(token).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

const validators = new Map();
/** The compiled schema at a JSON pointer into the document. */
function validatorAt(at) {
  if (!validators.has(at)) validators.set(at, ajv.compile({ $ref: `openapi.json#/${at}` }));
  return validators.get(at);
}

/** The node at a JSON pointer into the document. */
function lookup(at) {
  return at.split('/').reduce((into, token) => into?.[token.replaceAll('~1', '/').replaceAll('~0', '~')], document);
}

/** `node`, found at `at`, with its $refs followed: { node, at } where `at` is where it lives. */
function follow(node, at) {
  while (node?.$ref) {
    at = node.$ref.slice(2);
    node = lookup(at);
  }
  return { node, at };
}

// A concrete path is matched before a templated one that also fits it (OpenAPI 3.1, "Paths
// Object"): `/employees/import` is that route, not `/employees/{id}`.
const templateParts = (template) => (template.match(/\{[^}]+\}/g) ?? []).length;
const routes = Object.keys(document.paths)
  .map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }))
  .sort((a, b) => templateParts(a.template) - templateParts(b.template));

/** The target's path (origin-form or absolute-form), percent-decoded once as the server decodes it. */
function decodedPath(target) {
  const encoded = target.replace(/^[a-z]+:\/\/[^/]*/i, '').split(/[?#]/)[0];
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded; // not UTF-8: it names no route
  }
}

function mediaType(contentType) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** The header's text as its schema's type reads it. */
function headerValue(text, schema) {
  return schema?.type === 'integer' && /^-?\d+$/.test(text) ? Number(text) : text;
}

function schemaProblems(validate, value, what) {
  if (validate(value)) return [];
  return validate.errors.map((error) => `${what}${error.instancePath} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`);
}

/** The declared headers of `response` (found at `at`) that are missing or malformed. */
function headerProblems(response, at, header) {
  const problems = [];
  for (const name of Object.keys(response.headers ?? {})) {
    const { node: spec, at: headerAt } = follow(response.headers[name], `${at}/${pointer('headers', name)}`);
    const value = header(name);
    if (value === null) {
      if (spec.required) problems.push(`the required header ${name} is missing`);
      continue;
    }
    problems.push(...schemaProblems(validatorAt(`${headerAt}/schema`), headerValue(value, spec.schema), `header ${name}`));
  }
  return problems;
}

/** How the body contradicts the JSON schema at `at`. */
function jsonProblems(bytes, at) {
  let value;
  try {
    value = JSON.parse(bytes?.toString('utf8') ?? '');
  } catch {
    return ['the body is not JSON'];
  }
  return schemaProblems(validatorAt(at), value, 'body');
}

/**
 * What in a response contradicts the document: a list of sentences, empty when it conforms.
 * `target` is the request's path with its query; `headers` a fetch Headers or a plain object
 * of lowercased names; `body` the bytes received (none for HEAD).
 */
export function contractProblems({ method, target, status, headers, body }) {
  const header = (name) => (typeof headers.get === 'function' ? headers.get(name) : headers[name.toLowerCase()]) ?? null;
  const pathname = decodedPath(target);
  const route = routes.find(({ pattern }) => pattern.test(pathname));
  const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  const operation = route && document.paths[route.template][verb];
  if (!operation) {
    // No operation: the document's conventions say 405 with Allow for a path that exists, 404
    // otherwise (or a refusal of the request's framing), with the headers and the error model
    // of every error.
    const expected = route ? 405 : 404;
    const problems = [];
    if (status !== expected && ![400, 408, 413, 431, 501, 503].includes(status)) {
      problems.push(`${status} for ${method} ${pathname}, which the document does not describe (expected ${expected})`);
    }
    if (status === 405 && !header('allow')) problems.push('405 without Allow');
    const error = follow({ $ref: '#/components/responses/NotFound' });
    problems.push(...headerProblems(error.node, error.at, header));
    if (method !== 'HEAD') problems.push(...jsonProblems(body, pointer('components', 'schemas', 'Error')));
    return problems;
  }
  const key = [String(status), `${String(status)[0]}XX`].find((candidate) => operation.responses[candidate]);
  if (!key) return [`${status} is not declared for ${verb.toUpperCase()} ${route.template}`];
  const { node: response, at } = follow(operation.responses[key], pointer('paths', route.template, verb, 'responses', key));

  const problems = headerProblems(response, at, header);
  const bytes = body ?? Buffer.alloc(0);
  if (!response.content) {
    if (bytes.length > 0) problems.push(`a body (${bytes.length} bytes) where the document declares none`);
    return problems;
  }
  if (method === 'HEAD' || status === 304) return problems;
  const type = mediaType(header('content-type'));
  if (!response.content[type]) {
    problems.push(`Content-Type ${type || '(none)'} is not one of ${Object.keys(response.content).join(', ')}`);
    return problems;
  }
  if (type === 'application/json') problems.push(...jsonProblems(bytes, `${at}/${pointer('content', type, 'schema')}`));
  return problems;
}

/** Throws when the response contradicts the document, naming the request and each problem. */
export function assertConforms(exchange) {
  const problems = contractProblems(exchange);
  if (problems.length > 0) {
    const target = exchange.target.length > 120 ? `${exchange.target.slice(0, 120)}…` : exchange.target;
    throw new Error(`${exchange.method} ${target} → ${exchange.status} contradicts docs/openapi.json:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * As assertConforms, for a response that hrapp made (`Server: hrapp`): through the load
 * balancer of the fleet tests, a 502 or 503 may be HAProxy's own.
 */
export function assertConformsIfFromApp(exchange) {
  const server = typeof exchange.headers.get === 'function' ? exchange.headers.get('server') : exchange.headers.server;
  if (server === 'hrapp') assertConforms(exchange);
}
