// List continue tokens in upstream's format (k8s.io/apiserver storage/continue.go), so that a
// token from k8ts looks like one from kube-apiserver: unpadded base64url of
// {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<next key, relative to the list's key prefix>"}.
// The next key is the last returned key + "\0" (the smallest key after it), as etcd does.
import { posix } from 'node:path';
import { badRequest, expired } from '../api/errors.js';

const TOKEN_VERSION = 'meta.k8s.io/v1';
const INVALID = 'continue key is not valid';

/** kube-apiserver's answer (410) when a continue token's revision has been compacted. */
export const CONTINUE_TOO_OLD_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export const continueTooOld = () => expired(CONTINUE_TOO_OLD_MESSAGE);

export interface ContinuePosition {
  /** Full storage key to start at (inclusive). */
  startKey: string;
  /** Revision of the first page; negative means "the latest" (an inconsistent continuation). */
  revision: number;
}

/** A token that resumes a list after lastKey (a full key under keyPrefix) at revision. */
export function encodeContinue(lastKey: string, keyPrefix: string, revision: number): string {
  const next = lastKey + '\u0000';
  const start = next.startsWith(keyPrefix) ? next.slice(keyPrefix.length) : next;
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv: revision, start })).toString('base64url');
}

const invalidToken = (detail: string) => badRequest(`invalid continue token: ${INVALID}${detail}`);

/** Parses a client's token; a malformed one is 400 with upstream's wording. */
export function decodeContinue(token: string, keyPrefix: string): ContinuePosition {
  const bad = /[^A-Za-z0-9_-]/.exec(token);
  if (bad) throw invalidToken(`: illegal base64 data at input byte ${bad.index}`);
  if (token.length % 4 === 1) throw invalidToken(`: illegal base64 data at input byte ${token.length - 1}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    // upstream appends Go's JSON error here; ours differs in wording, so say it plainly
    throw invalidToken(': the token is not valid JSON');
  }
  const t = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (t.v !== TOKEN_VERSION) {
    throw invalidToken(
      `: server does not recognize this encoded version ${typeof t.v === 'string' ? t.v : ''}`,
    );
  }
  const rv = typeof t.rv === 'number' && Number.isInteger(t.rv) ? t.rv : 0;
  if (rv === 0) throw invalidToken(`: incorrect encoded start resourceVersion (version ${TOKEN_VERSION})`);
  const start = typeof t.start === 'string' ? t.start : '';
  if (start === '') throw invalidToken(`: encoded start key empty (version ${TOKEN_VERSION})`);
  // a start key may not climb out of the key prefix ("../", "./", "//"): it must already be clean
  const rooted = start.startsWith('/') ? start : '/' + start;
  if (clean(rooted) !== rooted) throw invalidToken(`: ${start}`);
  return { startKey: keyPrefix + rooted.slice(1), revision: rv };
}

/** Go's path.Clean for a rooted path: no ".", "..", empty segments or trailing slash. */
function clean(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
