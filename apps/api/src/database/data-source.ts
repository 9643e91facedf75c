import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { typeormOptions } from './typeorm-options';

/** For the TypeORM CLI (`npm run migration:run`): needs DATABASE_URL. */
const config = loadConfig();
if (!config.database.url) throw new Error('DATABASE_URL must be set to run the TypeORM CLI');
export default new DataSource(typeormOptions(config.database.url, 2));
