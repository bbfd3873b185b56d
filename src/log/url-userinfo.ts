/**
 * `http://user:PASS@host/` carries a credential in the URL itself. Config refuses such
 * URLs (a secret must be a reference), but URLs also arrive from driver modules and from
 * pages a console redirects to, so every URL that is stored or printed goes through here
 * first: the userinfo is replaced, never kept.
 */
export function stripUserinfo(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL we can parse: remove anything that looks like `scheme://user:pass@`.
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1[userinfo removed]@');
  }
  if (!parsed.username && !parsed.password) return url;
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

export function hasUserinfo(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}
