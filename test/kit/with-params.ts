/** withParams: a URL with its query changed (a tampered callback, an authorize URL with another parameter). */
export function withParams(url: string, change: (params: URLSearchParams) => void): string {
  const parsed = new URL(url)
  change(parsed.searchParams)
  return parsed.toString()
}
