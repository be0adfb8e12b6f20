// The saslkit lab's authorization server: oidc-provider (a certified OpenID Connect
// implementation, pinned in package-lock.json) on 127.0.0.1, with its own development login and
// consent pages. Started by tests/lab/oidc.sh; nothing here is for production.
//
//   node server.mjs --port 10090 --state DIR --dovecot-secret S --service-secret S
//
// Enabled: authorization code with PKCE (S256, required for public clients), the device
// authorization grant (RFC 8628), client credentials, refresh-token rotation, revocation
// (RFC 7009), introspection (RFC 7662, clients must authenticate), discovery. Access tokens
// live 20 s so tests can outlive them. Any login with any password is accepted: the login is the
// account (and the mail user name at the lab's OAuth Dovecot).
//
// GET /lab/stats answers {"grants": {"<grant_type>": count, ...}, "refresh_errors": n}: what the
// token endpoint granted since the start, so a test can count refresh requests.
import { parseArgs } from 'node:util';
import { appendFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '10090' },
    state: { type: 'string' },
    'dovecot-secret': { type: 'string' },
    'service-secret': { type: 'string' },
    'access-ttl': { type: 'string', default: '20' },
  },
});
const port = Number(args.port);
const issuer = `http://127.0.0.1:${port}`;
const eventLog = `${args.state}/events.log`;

const clients = [
  {
    // The saslkit command as a public native client (RFC 8252): any loopback port.
    client_id: 'saslkit-native',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token',
                  'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
  },
  {
    // Application-only access (client credentials), secret in the body.
    client_id: 'saslkit-service',
    client_secret: args['service-secret'],
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    // Dovecot's oauth2 passdb: introspects tokens with HTTP Basic client authentication.
    client_id: 'dovecot',
    client_secret: args['dovecot-secret'],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
  },
];

const provider = new Provider(issuer, {
  clients,
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true };
      },
    };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // The email claim in the ID token as well (as Google and Microsoft do): saslkit takes the
  // mail user name from it.
  conformIdTokenClaims: false,
  scopes: ['openid', 'offline_access', 'email', 'mail'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  // A refresh token for every client allowed the grant, offline_access asked or not, rotated
  // on every use (the old one is then consumed: reusing it is invalid_grant).
  async issueRefreshToken(_ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  rotateRefreshToken: true,
  ttl: {
    AccessToken: Number(args['access-ttl']),
    ClientCredentials: Number(args['access-ttl']),
    AuthorizationCode: 120,
    DeviceCode: 300,
    Grant: 3600,
    IdToken: 3600,
    Interaction: 600,
    RefreshToken: 3600,
    Session: 3600,
  },
  // Lab cookies need no secrecy; fixed keys keep restarts simple.
  cookies: { keys: ['saslkit-lab-cookie-key'] },
});

const stats = { grants: {}, refresh_errors: 0 };
function record(event, fields) {
  appendFileSync(eventLog, `${JSON.stringify({ at: new Date().toISOString(), event, ...fields })}\n`);
}
provider.on('grant.success', (ctx) => {
  const type = ctx.oidc.params.grant_type;
  stats.grants[type] = (stats.grants[type] || 0) + 1;
  record('grant.success', { grant_type: type, client: ctx.oidc.client?.clientId });
});
provider.on('grant.error', (ctx, err) => {
  const type = ctx.oidc.params?.grant_type;
  if (type === 'refresh_token') stats.refresh_errors += 1;
  record('grant.error', { grant_type: type, error: err.error });
});
provider.on('server_error', (_ctx, err) => record('server_error', { message: String(err) }));

provider.use(async (ctx, next) => {
  if (ctx.path === '/health' && ctx.method === 'GET') {  // tests/lab/probe.py
    ctx.body = 'ok';
    return;
  }
  if (ctx.path === '/lab/stats' && ctx.method === 'GET') {
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(stats);
    return;
  }
  await next();
});

provider.listen(port, '127.0.0.1', () => {
  record('listening', { issuer });
  console.log(`oidc-provider listening on ${issuer}`);
});
