export const OPENSEARCH = Symbol('OPENSEARCH');
