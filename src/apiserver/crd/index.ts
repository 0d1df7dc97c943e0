// The API server's hook for custom resources: starts the CRD manager and gives back a document
// server (discovery, OpenAPI) rebuilt whenever the served custom resources change.
import type { DocumentServer } from '../handler.js';
import type { ResourceStrategy } from '../registry/strategy.js';
import { CustomResourceManager, type CustomResourceDeps } from './manager.js';

export interface CustomResources {
  /** Discovery and OpenAPI of the built-in resources plus the served custom resources. */
  documents: DocumentServer;
  dispose(): void;
}

export async function startCustomResources(
  deps: Omit<CustomResourceDeps, 'published'>,
  builtin: ResourceStrategy[],
  buildDocuments: (strategies: ResourceStrategy[]) => DocumentServer,
): Promise<CustomResources> {
  let current = buildDocuments(builtin);
  const manager = new CustomResourceManager({
    ...deps,
    published: (extra) => (current = buildDocuments([...builtin, ...extra])),
  });
  await manager.start();
  return {
    documents: { serve: (path, accept, query) => current.serve(path, accept, query) },
    dispose: () => manager.dispose(),
  };
}
