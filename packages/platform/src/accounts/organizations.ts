import { schema, type Database } from '@frameport/db';
import { and, asc, eq } from 'drizzle-orm';
import { PlatformError } from '../errors.ts';
import type { OrganizationScope, UserScope } from '../scope.ts';

export type Role = (typeof schema.membershipRole.enumValues)[number];

export interface OrganizationMembership {
  organization: { id: string; name: string; plan: string };
  role: Role;
}

export async function listOrganizationsForUser(db: Database, scope: UserScope): Promise<OrganizationMembership[]> {
  const rows = await db
    .select({
      id: schema.organizations.id,
      name: schema.organizations.name,
      plan: schema.organizations.plan,
      role: schema.memberships.role,
    })
    .from(schema.memberships)
    .innerJoin(schema.organizations, eq(schema.organizations.id, schema.memberships.organizationId))
    .where(eq(schema.memberships.userId, scope.userId))
    .orderBy(asc(schema.memberships.createdAt), asc(schema.organizations.id));
  return rows.map(({ role, ...organization }) => ({ organization, role }));
}

export async function getMembershipRole(db: Database, scope: UserScope & OrganizationScope): Promise<Role | null> {
  const [row] = await db
    .select({ role: schema.memberships.role })
    .from(schema.memberships)
    .where(and(eq(schema.memberships.userId, scope.userId), eq(schema.memberships.organizationId, scope.organizationId)));
  return row?.role ?? null;
}

/**
 * The user's role in the organization, or not_found: an organization the user does not belong to
 * is indistinguishable from one that does not exist.
 */
export async function requireMembership(db: Database, scope: UserScope & OrganizationScope): Promise<Role> {
  const role = await getMembershipRole(db, scope);
  if (!role) throw new PlatformError('not_found', 'No such organization.');
  return role;
}

/** The user's role, if it is one of `roles`; forbidden (with the roles named) otherwise. */
export async function requireRole(db: Database, scope: UserScope & OrganizationScope, roles: readonly Role[], action: string): Promise<Role> {
  const role = await requireMembership(db, scope);
  if (!roles.includes(role)) {
    throw new PlatformError('forbidden', `Only an organization ${roles.join(' or ')} can ${action}; your role is ${role}.`);
  }
  return role;
}
