export * from './eventually';
export * from './infra';
export * from './databases';
export * from './kafka-tap';
export * from './services';
export * from './processes';
export * from './migrations';
export * from './consumer-groups';
