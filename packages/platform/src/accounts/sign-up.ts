import { schema, type Database } from '@frameport/db';
import { z } from 'zod';
import { isUniqueViolation, PlatformError } from '../errors.ts';
import { newId } from '../ids.ts';
import { hashPassword } from './passwords.ts';
import { emailSchema, parseInput, passwordSchema } from './validation.ts';

const signUpInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().max(200).optional(),
  organizationName: z.string().trim().min(1).max(200).optional(),
});
export type SignUpInput = z.input<typeof signUpInput>;

/** Every new organization starts with these, in this order. */
export const DEFAULT_ENVIRONMENTS = [
  { slug: 'development', name: 'Development' },
  { slug: 'production', name: 'Production' },
] as const;

export interface SignUpResult {
  user: { id: string; email: string; name: string | null };
  organization: { id: string; name: string };
  environments: { id: string; slug: string; name: string }[];
}

const duplicateEmail = () =>
  new PlatformError('conflict', 'An account with this email already exists. Log in instead.', { field: 'email' });

/**
 * Creates the user, their organization (the user as OWNER) and its default Environments in one
 * transaction: a failure anywhere leaves nothing behind.
 */
export async function signUp(db: Database, input: SignUpInput): Promise<SignUpResult> {
  const { email, password, name, organizationName } = parseInput(signUpInput, input);
  const passwordHash = await hashPassword(password);
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx
        .insert(schema.users)
        .values({ id: newId('usr'), email, name: name ?? null, passwordHash })
        .onConflictDoNothing()
        .returning({ id: schema.users.id, email: schema.users.email, name: schema.users.name });
      if (!user) throw duplicateEmail();

      const orgName = organizationName ?? `${name || email.split('@')[0]}'s organization`;
      const [organization] = await tx
        .insert(schema.organizations)
        .values({ id: newId('org'), name: orgName })
        .returning({ id: schema.organizations.id, name: schema.organizations.name });
      await tx.insert(schema.memberships).values({ organizationId: organization!.id, userId: user.id, role: 'OWNER' });
      const environments = await tx
        .insert(schema.environments)
        .values(DEFAULT_ENVIRONMENTS.map((e) => ({ id: newId('env'), organizationId: organization!.id, ...e })))
        .returning({ id: schema.environments.id, slug: schema.environments.slug, name: schema.environments.name });
      return { user, organization: organization!, environments };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateEmail();
    throw error;
  }
}
