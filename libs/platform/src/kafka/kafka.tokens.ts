export const KAFKA = Symbol('KAFKA');
export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
