/** demoFixture(): the demo tenant, app registration and users, as tests and the control API hand them out. */
import { readFileSync } from 'node:fs'
import { certificateFromPem, DEMO_FIXTURES } from './directory.ts'
import { loadFixtures } from './fixtures.ts'

export interface DemoUser {
  id: string
  displayName: string
  userPrincipalName: string
  password: string
}

export interface DemoFixture {
  tenantId: string
  tenantDomain: string
  clientId: string
  clientSecret: string
  redirectUris: string[]
  postLogoutRedirectUris: string[]
  /** A test-only key pair shipped in src/emulator/fixtures/, registered on the demo app. */
  certificate: {
    thumbprintSha1: string
    thumbprintSha256: string
    privateKeyPem: string
    certificatePem: string
  }
  users: DemoUser[]
}

/** The shipped demo fixtures (not a fixtures file given at start-up). */
export function demoFixture(): DemoFixture {
  const fixtures = loadFixtures(DEMO_FIXTURES)
  const app = fixtures.apps[0]!
  const certificatePem = app.certificatePems![0]!
  const { thumbprintSha1, thumbprintSha256 } = certificateFromPem(certificatePem)
  return {
    tenantId: fixtures.tenant!.id,
    tenantDomain: fixtures.tenant!.domain,
    clientId: app.clientId,
    clientSecret: app.secrets![0]!.value,
    redirectUris: app.redirectUris ?? [],
    postLogoutRedirectUris: app.postLogoutRedirectUris ?? [],
    certificate: {
      thumbprintSha1,
      thumbprintSha256,
      certificatePem,
      privateKeyPem: readFileSync(new URL('../fixtures/demo-app-key.pem', import.meta.url), 'utf8'),
    },
    users: fixtures.users.map((user) => ({
      id: user.id!,
      displayName: user.displayName ?? `${user.givenName} ${user.surname}`,
      userPrincipalName: user.userPrincipalName,
      password: user.password,
    })),
  }
}
