import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id (the library default) with OWASP's 2023 minimum: 19 MiB memory, 2 iterations,
 * 1 lane. The PHC string records these, so raising them later still verifies old hashes.
 */
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 12;
/** argon2 takes any length, but an unbounded body is a cheap way to burn CPU. */
export const MAX_PASSWORD_LENGTH = 1024;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** Spend the same time on an unknown email as on a wrong password, so timing does not reveal accounts. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('frameport-timing-equalizer');
  await verifyPassword(await dummyHash, password);
}
