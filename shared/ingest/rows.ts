// What a record of a batch file means as a task: its name (custom_id) and its input fields, with
// the batch's column mapping applied. The batch object names rows when it ingests them; consumers,
// the estimate, the preview and result downloads read records the same way, so they agree.
import type { RowErrorCode } from '../error-codes'
import { htmlAsText } from './html-text'
import type { RawRecord } from './slice'

export const CUSTOM_ID_MAX = 256
const GENERATED_NAME = /^row-(\d+)$/

/**
 * Input field (or `custom_id`) ← the column it is read from, or the columns whose non-blank
 * values are joined into it (`"features": ["Body (HTML)", "Tags"]`).
 */
export type Mapping = Record<string, string | string[]>

/** The columns a mapping reads. */
export function mappedColumns(mapping: Mapping | null): string[] {
  return Object.values(mapping ?? {}).flat()
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : ''
}

/**
 * What a file row (or an inline item's input) means as a task: its name, from its `custom_id`
 * column or the column mapped to `custom_id`, and its input, every other column with each mapped
 * field read from its column(s), and any value holding HTML as its text (html-text.ts).
 */
export function readRecord(
  value: Record<string, unknown>,
  mapping: Mapping | null,
): { customId: string | null; input: Record<string, unknown> } {
  const { custom_id: _, ...input } = value
  for (const [field, column] of Object.entries(mapping ?? {})) {
    if (field === 'custom_id') continue
    input[field] = Array.isArray(column)
      ? column
          .map((name) => text(htmlAsText(value[name])))
          .filter(Boolean)
          .join('\n\n')
      : value[column]
  }
  for (const [field, fieldValue] of Object.entries(input)) input[field] = htmlAsText(fieldValue)
  return { customId: recordName(value, mapping), input }
}

/** A row's own name: its `custom_id` column, or the column mapped to custom_id; null when blank. */
export function recordName(value: Record<string, unknown>, mapping: Mapping | null): string | null {
  const idColumn = mapping?.custom_id
  return (typeof idColumn === 'string' ? text(value[idColumn]) : text(value.custom_id)) || null
}

/**
 * The slice without the rows the batch skips: readable rows blank in any of `skipBlank`'s columns
 * (Shopify's variant rows, whose Title is blank). Every reader of a file's records applies it
 * the same way, so row i of a chunk is the same row for the batch object and its consumers.
 */
export function withoutSkipped<T extends { records: RawRecord[]; ends: number[] }>(
  slice: T,
  skipBlank: readonly string[] | null | undefined,
): T {
  if (!skipBlank?.length) return slice
  const keep = slice.records.map(
    (record) => !record.ok || skipBlank.every((column) => text(record.value[column]) !== ''),
  )
  if (keep.every(Boolean)) return slice
  return {
    ...slice,
    records: slice.records.filter((_, i) => keep[i]),
    ends: slice.ends.filter((_, i) => keep[i]),
  }
}

/** The name a task gets when its row has no custom_id. */
export function generatedName(seq: number): string {
  return `row-${seq}`
}

/** The task's name: the row's custom_id, or `row-{seq}`; an unreadable record has only the latter. */
export function taskName(record: RawRecord, seq: number, mapping: Mapping | null): string {
  return (record.ok && recordName(record.value, mapping)) || generatedName(seq)
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
