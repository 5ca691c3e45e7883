// Reading lists page by page: the Link header's relations, a page that must be 200, and every
// profile of GET /employees by following `next`.
import assert from 'node:assert/strict';

/** The Link header as { rel: url }. */
export function linksOf(reply) {
  return Object.fromEntries([...(reply.headers.get('link') ?? '').matchAll(/<([^>]*)>; rel="(\w+)"/g)].map(([, url, rel]) => [rel, url]));
}

/** GET `target` as `client`, which must answer 200. */
export async function listPage(client, target) {
  const reply = await client.get(target);
  assert.equal(reply.status, 200, `${target}: ${reply}`);
  return reply;
}

/** Every profile of GET /employees with `query`, following Link: next. */
export async function listAll(client, query = '') {
  const found = [];
  for (let next = `/employees?limit=100${query ? `&${query}` : ''}`; next; ) {
    const reply = await listPage(client, next);
    found.push(...reply.body);
    next = linksOf(reply).next;
  }
  return found;
}
