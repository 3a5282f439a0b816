// What a record of a batch file means as a task: its name (custom_id) and its input fields, with
// the batch's column mapping applied. The batch object names rows when it ingests them; consumers,
// the estimate, the preview and result downloads read records the same way, so they agree.
import type { RowErrorCode } from '../error-codes'
import type { RawRecord } from './slice'

export const CUSTOM_ID_MAX = 256
const GENERATED_NAME = /^row-(\d+)$/

/** A row's input: its fields, with mapped input fields taken from their columns. */
export function applyMapping(fields: Record<string, unknown>, mapping: Record<string, string> | null) {
  if (!mapping) return fields
  const input = { ...fields }
  for (const [field, column] of Object.entries(mapping)) input[field] = fields[column]
  return input
}

/** Reads `custom_id` from a file row's fields; the rest of the fields are the input. */
export function splitCustomId(value: Record<string, unknown>): {
  customId: string | null
  fields: Record<string, unknown>
} {
  const { custom_id, ...fields } = value
  const customId =
    typeof custom_id === 'string' || typeof custom_id === 'number' ? String(custom_id).trim() : ''
  return { customId: customId || null, fields }
}

/** The name a task gets when its row has no custom_id. */
export function generatedName(seq: number): string {
  return `row-${seq}`
}

/** The task's name: the row's custom_id, or `row-{seq}`; an unreadable record has only the latter. */
export function taskName(record: RawRecord, seq: number): string {
  return (record.ok && splitCustomId(record.value).customId) || generatedName(seq)
}

/**
 * Why a row's own custom_id cannot be used, or null. `row-{n}` names are what rows without a
 * custom_id are called, so a row may use one only for itself (n = its own position).
 */
export function customIdProblem(
  customId: string,
  seq: number,
): { code: RowErrorCode; message: string } | null {
  if (customId.length > CUSTOM_ID_MAX)
    return { code: 'invalid_custom_id', message: `custom_id is longer than ${CUSTOM_ID_MAX} characters.` }
  const generated = GENERATED_NAME.exec(customId)
  if (generated && Number(generated[1]) !== seq)
    return {
      code: 'invalid_custom_id',
      message: `custom_id "${customId}" is what row ${generated[1]} is called when it has none; only that row may use it.`,
    }
  return null
}
