import { stopStartedInfra } from './infra';

/** Stops containers the run started; the local infra script's services stay up for the next run. */
export default async function globalTeardown(): Promise<void> {
  await stopStartedInfra();
}
