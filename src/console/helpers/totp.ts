import * as OTPAuth from 'otpauth';

/**
 * RFC 6238 codes from an authenticator seed (base32), via otpauth. `stepOffset` asks
 * for a neighbouring time step: consoles accept ±1 step, and refuse a code already
 * used, so a second login within 30 s uses the next step's code.
 */
export function totpCode(seedBase32: string, stepOffset = 0, now = Date.now()): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(seedBase32.replace(/\s+/g, '').toUpperCase()), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: now + stepOffset * 30_000 });
}
