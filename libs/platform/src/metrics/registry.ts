import { Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process; every platform metric registers here. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
