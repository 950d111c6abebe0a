import { randomBytes } from 'node:crypto';
import type { Database } from '@frameport/db';
import { findUserByEmail, setPassword, signUp } from '@frameport/platform';

export const DEMO_EMAIL = 'demo@frameport.local';

export type DemoAccount =
  | { email: string; state: 'created'; password: string }
  | { email: string; state: 'password-set'; password: string }
  | { email: string; state: 'existing' };

/**
 * The demo login exists from the first start on. Its password is never stored in clear: a
 * generated one is printed once, and FRAMEPORT_DEMO_PASSWORD sets (or resets) it on any start.
 */
export async function ensureDemoAccount(db: Database, requestedPassword: string | undefined): Promise<DemoAccount> {
  const existing = await findUserByEmail(db, DEMO_EMAIL);
  if (existing) {
    if (!requestedPassword) return { email: DEMO_EMAIL, state: 'existing' };
    await setPassword(db, existing.id, requestedPassword);
    return { email: DEMO_EMAIL, state: 'password-set', password: requestedPassword };
  }
  const password = requestedPassword ?? randomBytes(12).toString('base64url');
  await signUp(db, { email: DEMO_EMAIL, password, name: 'Demo', organizationName: 'Demo organization' });
  return { email: DEMO_EMAIL, state: 'created', password };
}
