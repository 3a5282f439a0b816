// Endpoint signing secrets at rest: sealed with ENCRYPTION_KEY and bound to the endpoint, so a
// ciphertext copied to another row or tenant does not decrypt.
import type { WebhookEndpoint } from '../../shared/db/schema'
import { decryptSecret, encryptSecret } from '../../shared/secret-box'

function context(tenantId: string, endpointId: string) {
  return `webhook:${tenantId}:${endpointId}`
}

export function sealEndpointSecret(
  env: Pick<Env, 'ENCRYPTION_KEY'>,
  endpoint: { tenantId: string; id: string },
  secret: string,
) {
  return encryptSecret(env.ENCRYPTION_KEY, secret, context(endpoint.tenantId, endpoint.id))
}

/** The secrets that sign a delivery now: the current one, and the previous one during a rotation's overlap. */
export async function signingSecrets(
  env: Pick<Env, 'ENCRYPTION_KEY'>,
  endpoint: WebhookEndpoint,
  nowSeconds: number,
): Promise<string[]> {
  const sealed = [endpoint.secret]
  if (endpoint.previousSecret && (endpoint.previousSecretExpiresAt ?? 0) > nowSeconds)
    sealed.push(endpoint.previousSecret)
  const at = context(endpoint.tenantId, endpoint.id)
  return Promise.all(
    sealed
      .filter((box): box is string => box !== null)
      .map((box) => decryptSecret(env.ENCRYPTION_KEY, box, at)),
  )
}
