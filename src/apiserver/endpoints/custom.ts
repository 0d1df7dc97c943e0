// Handlers for what the generic store does not do: non-stored resources answered on create
// (TokenReview, SubjectAccessReview, ...) and subresources with their own logic
// (serviceaccounts/token, pods/binding, pods/eviction, ...). Registered by the component that
// owns them when the API server starts; looked up before the generic handling.
import type { ResourceCall } from './resource-handler.js';

/** Returns true when the response is a stream that stays open. */
export type CustomHandler = (call: ResourceCall) => Promise<boolean>;

export class CustomHandlers {
  private readonly handlers = new Map<string, CustomHandler>();

  private static key(group: string, resource: string, subresource = ''): string {
    return `${group}/${resource}/${subresource}`;
  }

  /** `subresource` '' handles the resource itself (every verb it is asked). */
  register(group: string, resource: string, subresource: string, handler: CustomHandler): void {
    const key = CustomHandlers.key(group, resource, subresource);
    if (this.handlers.has(key)) throw new Error(`a handler for ${key} is already registered`);
    this.handlers.set(key, handler);
  }

  get(group: string, resource: string, subresource = ''): CustomHandler | undefined {
    return this.handlers.get(CustomHandlers.key(group, resource, subresource));
  }
}
