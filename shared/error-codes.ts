// Every stable error code IA Bulk answers with, in one place. A code is part of the API: clients
// branch on it, so a new one is added here (and to the README's table) and an old one never changes.
// The lists are arrays so zod can check codes that cross a boundary (a task's error in a message).

/** Why a model call failed (`ProviderError.code`); a task that ends on one carries it as its error. */
export const PROVIDER_ERROR_CODES = [
  'rate_limited',
  'provider_unavailable',
  'timeout',
  'provider_auth',
  'invalid_request',
  'bad_response',
  'content_filtered',
  'not_configured',
  'provider_key_deleted',
  'unsupported',
  'url_refused',
  'no_route',
] as const
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number]

/** Why one row of a batch's input was refused before it ran (its line in the results and `/errors`). */
export const ROW_ERROR_CODES = [
  'unparseable_row',
  'record_too_large',
  'invalid_custom_id',
  'duplicate_custom_id',
] as const
export type RowErrorCode = (typeof ROW_ERROR_CODES)[number]

/** Why a task ended `failed`: its provider's failure, its row's, or the engine's. */
export const TASK_ERROR_CODES = [
  ...PROVIDER_ERROR_CODES,
  ...ROW_ERROR_CODES,
  'invalid_input',
  'invalid_output',
  'provider_not_configured',
  'delivery_failed',
  'cancelled',
  'batch_cancelled',
  // the batch failed as a whole, and its open tasks with it
  'invalid_input_file',
  'internal_error',
  'unknown_error',
] as const
export type TaskErrorCode = (typeof TASK_ERROR_CODES)[number]

/** Why a whole batch failed (`batch.error.code`): what failed its open tasks, or that it had none to run. */
export type BatchErrorCode = TaskErrorCode | 'empty_input' | 'no_valid_rows' | 'all_tasks_failed'
export type BatchError = { code: BatchErrorCode; message: string }

/** The answers of the HTTP API (`{ error: { code } }`) besides task and provider codes it passes on. */
export type ApiErrorCode =
  // generic
  | 'bad_request'
  | 'validation_failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'internal_error'
  | 'rate_limited'
  | 'idempotency_key_reused'
  // limits
  | 'concurrent_batches_exceeded'
  | 'monthly_quota_exceeded'
  | 'plan_limit_reached'
  | 'too_many_items'
  // identity
  | 'tenant_required'
  | 'invalid_token'
  | 'email_unverified'
  | 'email_already_verified'
  | 'mail_unavailable'
  | 'already_member'
  | 'use_invitations'
  | 'invitation_not_found'
  | 'invitation_already_accepted'
  | 'invitation_revoked'
  | 'invitation_expired'
  | 'invitation_email_mismatch'
  // tasks, templates and routing
  | 'unknown_task'
  | 'missing_model'
  | 'no_route'
  | 'generation_failed'
  | 'template_not_found'
  | 'template_task_mismatch'
  | 'template_not_supported'
  | 'unknown_template_variables'
  // batches and files
  | 'batch_not_running'
  | 'batch_not_paused'
  | 'batch_not_finished'
  | 'batch_finished'
  | 'nothing_to_retry'
  | 'not_a_batch_file'
  | 'unknown_columns'
  // URLs, webhooks and hooks
  | 'webhook_url_refused'
  | 'provider_url_refused'
  | 'webhook_url_taken'
  | 'unknown_url'
  | 'endpoint_disabled'
  | 'no_signing_secret'
  | 'hook_not_configured'
  | 'missing_signature'
  | 'invalid_signature'
  | 'stale_timestamp'
  | 'mapping_failed'
  | 'invalid_product'

export type ErrorCode = ApiErrorCode | BatchErrorCode
