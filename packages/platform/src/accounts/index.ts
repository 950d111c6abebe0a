export { signUp, DEFAULT_ENVIRONMENTS, type SignUpInput, type SignUpResult } from './sign-up.ts';
export { logIn, getUser, findUserByEmail, setPassword, type User } from './users.ts';
export { listOrganizationsForUser, getMembershipRole, requireMembership, requireRole, type Role, type OrganizationMembership } from './organizations.ts';
export { listEnvironments, getEnvironment, type Environment } from './environments.ts';
export { MIN_PASSWORD_LENGTH } from './passwords.ts';
