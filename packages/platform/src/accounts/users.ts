import { schema, type Database } from '@frameport/db';
import { eq, sql } from 'drizzle-orm';
import { PlatformError } from '../errors.ts';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.ts';
import { emailSchema, parseInput, passwordSchema } from './validation.ts';

export interface User {
  id: string;
  email: string;
  name: string | null;
}

const publicColumns = { id: schema.users.id, email: schema.users.email, name: schema.users.name };

export async function getUser(db: Database, userId: string): Promise<User | null> {
  const [user] = await db.select(publicColumns).from(schema.users).where(eq(schema.users.id, userId));
  return user ?? null;
}

export async function findUserByEmail(db: Database, email: string): Promise<User | null> {
  const [user] = await db
    .select(publicColumns)
    .from(schema.users)
    .where(eq(sql`lower(${schema.users.email})`, email.trim().toLowerCase()));
  return user ?? null;
}

/** The one message for an unknown email and a wrong password, so neither confirms an account exists. */
const wrongCredentials = () => new PlatformError('unauthenticated', 'The email or password is incorrect.');

export async function logIn(db: Database, input: { email: string; password: string }): Promise<User> {
  const email = parseInput(emailSchema, input.email);
  const password = typeof input.password === 'string' ? input.password : '';
  const [row] = await db
    .select({ ...publicColumns, passwordHash: schema.users.passwordHash })
    .from(schema.users)
    .where(eq(sql`lower(${schema.users.email})`, email.toLowerCase()));
  if (!row) {
    await burnPasswordCheck(password);
    throw wrongCredentials();
  }
  if (!(await verifyPassword(row.passwordHash, password))) throw wrongCredentials();
  const { passwordHash: _, ...user } = row;
  return user;
}

export async function setPassword(db: Database, userId: string, password: string): Promise<void> {
  const valid = parseInput(passwordSchema, password);
  const passwordHash = await hashPassword(valid);
  const updated = await db
    .update(schema.users)
    .set({ passwordHash, updatedAt: new Date() })
    .where(eq(schema.users.id, userId))
    .returning({ id: schema.users.id });
  if (updated.length === 0) throw new PlatformError('not_found', 'No such user.');
}
