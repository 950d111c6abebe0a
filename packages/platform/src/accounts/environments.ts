import { schema, type Database } from '@frameport/db';
import { and, asc, eq } from 'drizzle-orm';
import { PlatformError } from '../errors.ts';
import type { OrganizationScope, UserScope } from '../scope.ts';
import { requireMembership } from './organizations.ts';

export interface Environment {
  id: string;
  organizationId: string;
  slug: string;
  name: string;
}

const columns = {
  id: schema.environments.id,
  organizationId: schema.environments.organizationId,
  slug: schema.environments.slug,
  name: schema.environments.name,
};

/** The organization's Environments, if the user is a member of it. */
export async function listEnvironments(db: Database, scope: UserScope & OrganizationScope): Promise<Environment[]> {
  await requireMembership(db, scope);
  return db
    .select(columns)
    .from(schema.environments)
    .where(eq(schema.environments.organizationId, scope.organizationId))
    .orderBy(asc(schema.environments.createdAt), asc(schema.environments.slug));
}

/** One Environment of the organization, if the user is a member of it; not_found otherwise. */
export async function getEnvironment(
  db: Database,
  scope: UserScope & OrganizationScope & { environmentId: string },
): Promise<Environment> {
  await requireMembership(db, scope);
  const [environment] = await db
    .select(columns)
    .from(schema.environments)
    .where(and(eq(schema.environments.id, scope.environmentId), eq(schema.environments.organizationId, scope.organizationId)));
  if (!environment) throw new PlatformError('not_found', `No Environment ${scope.environmentId} in this organization.`);
  return environment;
}
