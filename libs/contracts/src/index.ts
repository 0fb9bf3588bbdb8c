export * from './topics';
export * from './primitives';
export * from './events';
export * from './catalog';
export * from './dead-letter';
export * from './profile';
export * from './validation';
export * from './topic-schemas';
