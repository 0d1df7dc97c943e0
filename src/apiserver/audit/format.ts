// --audit-log-format=legacy: upstream's one-line text form of an event (audit.EventString),
// with Go's %q quoting and RFC 3339 timestamps without trailing fractional zeros.
import type { AuditEvent } from './event.js';

const NAMED: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  9: '\\t',
  10: '\\n',
  11: '\\v',
  12: '\\f',
  13: '\\r',
};
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Go's strconv.Quote (fmt's %q of a string). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (cp >= 0xd800 && cp <= 0xdfff)
      out += '\\ufffd'; // a lone surrogate; Go would see U+FFFD
    else if (PRINTABLE.test(ch)) out += ch;
    else if (NAMED[cp]) out += NAMED[cp];
    else if (cp < 0x80) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + '"';
}

/** Go's time.RFC3339Nano of a MicroTime string: trailing fractional zeros (and a bare '.') dropped. */
export function rfc3339Nano(microTime: string): string {
  return microTime.replace(/\.(\d*?)0*Z$/, (_m, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

const quotedList = (vs: string[]) => vs.map(goQuote).join(',');

/** One line (without the newline) as upstream's legacy format writes it. */
export function eventString(ev: AuditEvent): string {
  const user = ev.user as { username?: string; groups?: string[] };
  let username = '<none>';
  let groups = '<none>';
  if (user.username) {
    username = user.username;
    if (user.groups?.length) groups = quotedList(user.groups);
  }
  let as = '<self>';
  let asGroups = '<lookup>';
  if (ev.impersonatedUser) {
    as = ev.impersonatedUser.username;
    if (ev.impersonatedUser.groups) asGroups = quotedList(ev.impersonatedUser.groups);
  }
  const namespace = ev.objectRef?.namespace || '<none>';
  const response = ev.responseStatus ? String(ev.responseStatus.code ?? 0) : '<deferred>';
  const ip = ev.sourceIPs?.[0] ?? '<unknown>';
  return (
    `${rfc3339Nano(ev.requestReceivedTimestamp)} AUDIT: id=${goQuote(ev.auditID)} stage=${goQuote(ev.stage)} ` +
    `ip=${goQuote(ip)} method=${goQuote(ev.verb)} user=${goQuote(username)} groups=${goQuote(groups)} ` +
    `as=${goQuote(as)} asgroups=${goQuote(asGroups)} user-agent=${goQuote(ev.userAgent ?? '')} ` +
    `namespace=${goQuote(namespace)} uri=${goQuote(ev.requestURI)} response="${response}"`
  );
}
