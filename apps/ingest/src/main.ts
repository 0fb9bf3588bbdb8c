import 'reflect-metadata';
import { createService, loadConfig, runService } from '@signal/platform';
import { AppModule } from './app.module';
import { IngestConfigSchema } from './config';

runService(async () => {
  const config = loadConfig(IngestConfigSchema);
  return { app: await createService(AppModule.register(config)), options: { port: config.PORT } };
});
