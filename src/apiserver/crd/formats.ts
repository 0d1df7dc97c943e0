// The string formats kube-openapi checks in custom resources (apiextensions' supported subset
// of go-openapi/strfmt). A format not listed here is documentation only, as upstream.
import { isIP } from 'node:net';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const HOSTNAME =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;
const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** go-openapi's ParseDuration: "3d", "1h30m", "5 seconds" ... */
const DURATION = /^((\d+)\s*(ns|us|µs|ms|s|m|h|d|w|[a-z]+)\s*)+$/;
const BYTE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const CHECKS: Record<string, (v: string) => boolean> = {
  uuid: (v) => UUID.test(v),
  uuid3: (v) => UUID.test(v),
  uuid4: (v) => UUID.test(v),
  uuid5: (v) => UUID.test(v),
  hostname: (v) => HOSTNAME.test(v),
  email: (v) => EMAIL.test(v),
  ipv4: (v) => isIP(v) === 4,
  ipv6: (v) => isIP(v) === 6,
  cidr: (v) => {
    const [ip, bits, extra] = v.split('/');
    if (extra !== undefined || bits === undefined || !/^\d+$/.test(bits)) return false;
    const family = isIP(ip);
    return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
  },
  mac: (v) => MAC.test(v),
  date: (v) => DATE.test(v) && !Number.isNaN(Date.parse(v)),
  'date-time': (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)),
  datetime: (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)),
  duration: (v) => DURATION.test(v),
  byte: (v) => BYTE.test(v),
};

/** True when v does not match a checked format. */
export function formatError(format: string, v: string): boolean {
  const check = CHECKS[format];
  return check ? !check(v) : false;
}
