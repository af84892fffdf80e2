/**
 * completeDeviceCode(url, code, user): what a person does on another device — opens the verification page, types the
 * code, signs in and consents — done over HTTP with the kit's Browser on the emulator's device-login pages.
 */
import assert from 'node:assert/strict'
import { Browser, type Credentials } from '../../kit/browser.ts'

export async function completeDeviceCode(
  verificationUri: string,
  userCode: string,
  user: Credentials,
): Promise<void> {
  const browser = new Browser()
  const entry = await browser.open(verificationUri)
  assert.equal(entry.status, 200, `the verification page ${verificationUri} answers`)
  const confirm = await browser.submit(entry, { otc: userCode })
  assert.match(browser.heading(confirm), /Are you trying to sign in/)
  const email = await browser.submit(confirm, { device: 'continue' })
  const password = await browser.submit(email, { loginfmt: user.userPrincipalName })
  const kmsi = await browser.submit(password, { passwd: user.password })
  const consent = await browser.submit(kmsi, { kmsi: 'no' })
  const done = consent.body.includes('name="step" value="consent"')
    ? await browser.submit(consent, { consent: 'accept' })
    : consent
  assert.match(done.body, /You may now close this window/)
}
