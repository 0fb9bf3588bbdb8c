export { categoryPaths, leafCategory, normalizeCategory } from '@signal/contracts';
