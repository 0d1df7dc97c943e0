// --token-auth-file: static bearer tokens in upstream's CSV format, one a line:
//   token,user,uid,"group1,group2"
// (at least three columns; the fourth, optional, is a comma-separated group list). Read once
// at start, as upstream reads it; a bad file stops the server with a message naming it.
import { readFileSync } from 'node:fs';
import type { UserInfo } from '../../endpoints/context.js';
import { logger } from '../../../util/log.js';
import type { TokenAuthenticator } from './types.js';

const log = logger('authentication');

/** RFC 4180 records as Go's encoding/csv reads them (quoted fields, "" escapes, blank lines skipped). */
export function parseCSV(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  /** Characters of the current field were read (a quote after them is a bare quote). */
  let inField = false;
  /** Anything of the current line was read (a newline then ends a record, not a blank line). */
  let lineOpen = false;
  let quoted = false;
  let line = 1;
  const endField = () => {
    record.push(field);
    field = '';
    inField = false;
  };
  const endRecord = () => {
    if (lineOpen) {
      endField();
      records.push(record);
    }
    record = [];
    lineOpen = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '\r' && text[i + 1] === '\n') continue;
    if (ch === '\n') {
      endRecord();
      line++;
      continue;
    }
    lineOpen = true;
    if (ch === ',') endField();
    else if (ch === '"' && !inField) {
      quoted = true;
      inField = true;
    } else if (ch === '"') throw new Error(`parse error on line ${line}: bare " in non-quoted-field`);
    else {
      field += ch;
      inField = true;
    }
  }
  if (quoted) throw new Error(`parse error on line ${line}: extraneous or missing " in quoted-field`);
  endRecord();
  return records;
}

/** Users by token, from the file's text (`path` names it in messages). */
export function parseTokenFile(text: string, path: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  let recordNum = 0;
  for (const record of parseCSV(text.replace(/^\uFEFF/, ''))) {
    if (record.length < 3)
      throw new Error(
        `token file '${path}' must have at least 3 columns (token, user name, user uid), found ${record.length}`,
      );
    recordNum++;
    const [token, name, uid, groups] = record as [string, string, string, string | undefined];
    if (token === '') {
      log.warn(`empty token has been found in token file '${path}', record number '${recordNum}'`);
      continue;
    }
    if (tokens.has(token))
      log.warn(`duplicate token has been found in token file '${path}', record number '${recordNum}'`);
    const user: UserInfo = { name, uid, groups: [] };
    if (groups !== undefined) user.groups = groups.split(',').filter((g) => g !== '');
    tokens.set(token, user);
  }
  return tokens;
}

export function tokenFileAuthenticator(path: string): TokenAuthenticator {
  const tokens = parseTokenFile(readFileSync(path, 'utf8'), path);
  return {
    // audience-agnostic: the chain grants the API server's audiences (see audienceAgnostic)
    authenticateToken: (token) => {
      const user = tokens.get(token);
      return Promise.resolve(
        user ? { user: { ...user, groups: [...user.groups] }, audiences: [] } : undefined,
      );
    },
  };
}
