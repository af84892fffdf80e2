/**
 * A browser for `graph-connect login --browser` in tests, run as $BROWSER with the sign-in URL: it signs in at the
 * emulator over HTTP as HTTP_BROWSER_USER ("upn:password"), then posts the form_post answer to the CLI's loopback
 * redirect, as a real browser would; the loopback's page goes to HTTP_BROWSER_OUT when set.
 */
import { writeFileSync } from 'node:fs'
import { Browser } from './browser.ts'

const url = process.argv[2]!
const [userPrincipalName, password] = (process.env.HTTP_BROWSER_USER ?? '').split(':')
const browser = new Browser()
const leaving = await browser.signInAtEmulator(url, {
  userPrincipalName: userPrincipalName!,
  password: password!,
})
const landed = await browser.submit(leaving, {})
if (process.env.HTTP_BROWSER_OUT) writeFileSync(process.env.HTTP_BROWSER_OUT, landed.body)
