import 'reflect-metadata';
import { createService, loadConfig, runService } from '@signal/platform';
import { AppModule } from './app.module';
import { ProfileConfigSchema } from './config';

runService(async () => {
  const config = loadConfig(ProfileConfigSchema);
  return { app: await createService(AppModule.register(config)), options: { port: config.PORT } };
});
