/** Who is asking. Every platform function takes the narrowest scope it needs, explicitly. */
export interface UserScope {
  userId: string;
}
export interface OrganizationScope {
  organizationId: string;
}
export interface EnvironmentScope extends OrganizationScope {
  environmentId: string;
}
