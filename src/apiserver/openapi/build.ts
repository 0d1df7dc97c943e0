// OpenAPI v2 (/openapi/v2) and v3 (/openapi/v3/<group-version>) documents, generated from our
// type definitions (src/api/schema) and the resource table.
export { buildOpenAPIV2, listDefinitionOf } from './v2.js';
export { buildOpenAPIV3, openAPIV3Hash, openAPIV3Key, type OpenAPIV3 } from './v3.js';
