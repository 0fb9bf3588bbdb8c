import 'reflect-metadata';
import { createService, loadConfig, runService } from '@signal/platform';
import { AppModule } from './app.module';
import { GatewayConfigSchema } from './config';

runService(async () => {
  const config = loadConfig(GatewayConfigSchema);
  const app = await createService(AppModule.register(config), { bodyLimit: config.EVENTS_MAX_BODY_BYTES });
  app.set('trust proxy', config.TRUST_PROXY.split(',').map((s) => s.trim()));
  return { app, options: { port: config.PORT } };
});
