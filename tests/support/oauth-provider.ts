/** An OAuthClientProvider that keeps everything in memory; fits both SDK generations. */
export class MemoryOAuthProvider {
  authorizationUrl: URL | undefined;
  private info: Record<string, unknown> | undefined;
  private stored: Record<string, unknown> | undefined;
  private verifier = '';
  private discovery: unknown;

  readonly redirectUrl: string;
  readonly clientName: string;
  readonly clientMetadataUrl: string | undefined;

  constructor(redirectUrl: string, clientName: string, clientMetadataUrl?: string) {
    this.redirectUrl = redirectUrl;
    this.clientName = clientName;
    this.clientMetadataUrl = clientMetadataUrl;
  }
  get clientMetadata() {
    return {
      client_name: this.clientName,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.info as never;
  }
  saveClientInformation(info: Record<string, unknown>) {
    this.info = info;
  }
  tokens() {
    return this.stored as never;
  }
  saveTokens(tokens: Record<string, unknown>) {
    this.stored = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  saveDiscoveryState(state: unknown) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery as never;
  }
  /** The current access token; throws when the authorization has not completed. */
  requireAccessToken(): string {
    const token = this.accessToken;
    if (!token) throw new Error('No access token: the authorization did not complete.');
    return token;
  }
  get accessToken(): string | undefined {
    return (this.stored as { access_token?: string } | undefined)?.access_token;
  }
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'all' || scope === 'tokens') this.stored = undefined;
    if (scope === 'all' || scope === 'client') this.info = undefined;
  }
}
