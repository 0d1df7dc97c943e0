// What a request carries into the store besides the object: who asks, and how.
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface RequestContext {
  user: UserInfo;
  /** Namespace from the URL, for namespaced resources. */
  namespace?: string;
  dryRun: boolean;
  /** fieldManager query parameter, else derived from the User-Agent. */
  fieldManager: string;
  fieldValidation: FieldValidation;
  userAgent: string;
  /** Warnings to return in `Warning: 299 - "..."` headers. */
  warnings: string[];
  /** Adds an annotation to the request's audit event (absent for the server's own writes). */
  addAuditAnnotation?(key: string, value: string): void;
}
