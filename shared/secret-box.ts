// Secrets at rest (webhook signing secrets, integration secrets, tenants' provider keys):
// AES-256-GCM on WebCrypto with ENCRYPTION_KEY (base64 of 32 bytes), a fresh 12-byte IV per
// value, and a version prefix so the format or key can change later: `v1.<iv>.<ciphertext>`.
import { fromBase64Url, toBase64Url } from './crypto'

const VERSION = 'v1'
const IV_BYTES = 12
const encoder = new TextEncoder()

async function importKey(keyBase64: string): Promise<CryptoKey> {
  let raw: Uint8Array
  try {
    raw = Uint8Array.from(atob(keyBase64), (char) => char.charCodeAt(0))
  } catch {
    throw new Error('ENCRYPTION_KEY is not valid base64.')
  }
  if (raw.length !== 32) throw new Error(`ENCRYPTION_KEY must be 32 bytes; it is ${raw.length}.`)
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])
}

function params(iv: Uint8Array, context: string | undefined): SubtleCryptoEncryptAlgorithm {
  return context === undefined
    ? { name: 'AES-GCM', iv }
    : { name: 'AES-GCM', iv, additionalData: encoder.encode(context) }
}

/**
 * Encrypts `plaintext`. `context` (e.g. `webhook:{tenant}:{id}`) is authenticated but not
 * stored: decryption needs the same value, so a ciphertext copied to another row fails.
 * @example await encryptSecret(env.ENCRYPTION_KEY, 'whsec_…', `webhook:${tenantId}:${endpointId}`)
 */
export async function encryptSecret(keyBase64: string, plaintext: string, context?: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const key = await importKey(keyBase64)
  const sealed = await crypto.subtle.encrypt(params(iv, context), key, encoder.encode(plaintext))
  return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`
}

/** Decrypts what `encryptSecret` returned; throws when the key, the context or the bytes do not match. */
export async function decryptSecret(keyBase64: string, box: string, context?: string): Promise<string> {
  const [version, iv, sealed] = box.split('.')
  if (version !== VERSION || !iv || !sealed) throw new Error('Not an encrypted secret of a known version.')
  const key = await importKey(keyBase64)
  const opened = await crypto.subtle.decrypt(params(fromBase64Url(iv), context), key, fromBase64Url(sealed))
  return new TextDecoder().decode(opened)
}
