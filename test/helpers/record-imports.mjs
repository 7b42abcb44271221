// Preloaded with `node --import` by the CLI test: registers module hooks that append every module URL the process
// resolves to the file named by PAYRAIL_IMPORT_LOG, so a test can see what a command loaded without timing it.
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url, { data: { file: process.env.PAYRAIL_IMPORT_LOG } });
