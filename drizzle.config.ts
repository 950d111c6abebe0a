import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema and committed; `migrate()` in packages/db applies them at start.
export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/db/src/schema/index.ts',
  out: './drizzle',
});
