import 'reflect-metadata';
import { createService, loadConfig, runService } from '@signal/platform';
import { AppModule } from './app.module';
import { SearchConfigSchema } from './config';

runService(async () => {
  const config = loadConfig(SearchConfigSchema);
  return { app: await createService(AppModule.register(config), { bodyLimit: '2mb' }), options: { port: config.PORT } };
});
