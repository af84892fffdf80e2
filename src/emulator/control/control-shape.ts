// Small helpers of the control API.
export interface IdentityShape {
  nonce?: string | null
  aud?: string
  iss?: string
  tid?: string
}

export const isLoopback = (address: string | undefined) =>
  address === '127.0.0.1' ||
  address === '::1' ||
  address === '::ffff:127.0.0.1' ||
  !!address?.startsWith('127.')
