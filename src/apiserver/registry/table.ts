// Helpers for Table output (server-side printing, as kubectl get shows it).
import type { KubeObject } from '../../api/types.js';
import type { TableColumn, TableConvertor } from './strategy.js';

export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
};

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'Time since the object was created, in short human form.',
  priority: 0,
};

export function col(
  name: string,
  description: string,
  priority = 0,
  type: TableColumn['type'] = 'string',
): TableColumn {
  return { name, type, description, priority };
}

/**
 * Short human duration, exactly as upstream's duration.HumanDuration: "5s", "3m", "3m20s", "2h",
 * "2h5m", "5d", "3d4h", "2y", "2y30d".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  // up to 2 s in the future is clock skew ("0s"); beyond that upstream prints <invalid>
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** Age cell of a timestamp ("<unknown>" when absent, as upstream). */
export function age(timestamp: string | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  return humanDuration(now.getTime() - Date.parse(timestamp));
}

/** Upstream's default printer for resources without their own: Name and Created At. */
export const defaultTable: TableConvertor = {
  columns: [
    nameColumn,
    { name: 'Created At', type: 'date', description: 'The date the object was created.', priority: 0 },
  ],
  cells: (obj: KubeObject) => [obj.metadata.name, obj.metadata.creationTimestamp],
};

/** Joins a list for a cell, "<none>" when empty (upstream's convention). */
export function listOrNone(items: (string | undefined)[] | undefined): string {
  const xs = (items ?? []).filter((x): x is string => !!x);
  return xs.length ? xs.join(',') : '<none>';
}
