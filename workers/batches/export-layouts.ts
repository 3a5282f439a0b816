// Results laid out for the tool they go into, so a marketer imports the download as it is:
// `shopify`, Shopify's product CSV (Handle and Title, then the generated Body (HTML) or SEO
// fields; an update import changes only the columns a file has), and `google_ads`, Google Ads
// Editor's CSV of responsive search ads (Campaign, Ad group, Ad type, Headline n, Description n,
// Final URL). Only succeeded tasks are written: a failed row or one that needs review is left out,
// so nothing unchecked reaches a live store or account.
import { csvRow } from '../../shared/csv-cell'
import { errors } from '../../shared/errors'
import { type Mapping, readRecord } from '../../shared/ingest/rows'
import type { ChunkLine } from '../../shared/pipeline/chunk-lines'
import type { ResultLine } from '../../shared/pipeline/result-line'
import type { ExportLayout } from '../../shared/schemas/batches'
import { storedParams } from '../../shared/tasks/params'
import type { TaskDefinition } from '../../shared/tasks/types'
import { foldColumnName } from './batch-mapping'

export type LayoutOptions = { layout: ExportLayout; campaign?: string; ad_group?: string }

/** What a layout writes per row, from the row's file record, its task input and its output. */
type Row = {
  result: ResultLine
  record: Record<string, unknown>
  input: Record<string, unknown>
  output: Record<string, unknown>
}
type Columns = { names: string[]; values: (row: Row) => unknown[] }
type InputShape = { header: string[] | null; mapping: Mapping | null }

const TASKS_OF: Record<ExportLayout, readonly string[]> = {
  shopify: ['product_description', 'seo_meta'],
  google_ads: ['ad_copy'],
}

/** The file's own column for `names` (any spelling: `handle`, `Ad Group`), if it has one. */
function fileColumn(header: string[] | null, ...names: string[]): string | undefined {
  const wanted = names.map(foldColumnName)
  return header?.find((column) => wanted.includes(foldColumnName(column)))
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')

/** A description for Body (HTML): as written when the batch asked for html, else its paragraphs as <p>. */
export function bodyHtml(description: string, format: unknown): string {
  if (format === 'html') return description
  return description
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
    .join('')
}

function shopifyColumns(task: TaskDefinition, input: InputShape, params: Record<string, unknown>): Columns {
  const handle = fileColumn(input.header, 'handle')
  const title = fileColumn(input.header, 'title')
  const identity = (row: Row) => [
    handle ? row.record[handle] : row.result.custom_id,
    title ? row.record[title] : row.input.title,
  ]
  if (task.type === 'seo_meta')
    return {
      names: ['Handle', 'Title', 'SEO Title', 'SEO Description'],
      values: (row) => [...identity(row), row.output.title, row.output.description],
    }
  return {
    names: ['Handle', 'Title', 'Body (HTML)'],
    values: (row) => [...identity(row), bodyHtml(String(row.output.description ?? ''), params.format)],
  }
}

function googleAdsColumns(
  task: TaskDefinition,
  input: InputShape,
  params: Record<string, unknown>,
  options: LayoutOptions,
): Columns {
  const campaign = fileColumn(input.header, 'campaign', 'campaign name')
  const adGroup = fileColumn(input.header, 'ad group', 'ad group name')
  if (!campaign && !options.campaign)
    throw errors.validation(
      'The google_ads layout needs a campaign: the file has no Campaign column, so name one with ?campaign=.',
    )
  const lengths = task.listLengths?.(params) ?? {}
  const headlines = lengths.headlines ?? 0
  const descriptions = lengths.descriptions ?? 0
  const numbered = (label: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${label} ${i + 1}`)
  const item = (row: Row, key: string, count: number) =>
    Array.from({ length: count }, (_, i) => (row.output[key] as unknown[] | undefined)?.[i])
  return {
    names: [
      'Campaign',
      'Ad group',
      'Ad type',
      ...numbered('Headline', headlines),
      ...numbered('Description', descriptions),
      'Final URL',
    ],
    values: (row) => [
      campaign ? row.record[campaign] : options.campaign,
      (adGroup && row.record[adGroup]) || options.ad_group || row.input.title,
      'Responsive search ad',
      ...item(row, 'headlines', headlines),
      ...item(row, 'descriptions', descriptions),
      row.input.landing_page,
    ],
  }
}

/** The header and the line of each succeeded task in `layout`; other tasks have no line (null). */
export function layoutColumns(
  task: TaskDefinition,
  input: InputShape,
  batchParams: Record<string, unknown> | undefined,
  options: LayoutOptions,
) {
  if (!TASKS_OF[options.layout].includes(task.type))
    throw errors.validation(
      `The ${options.layout} layout is for ${TASKS_OF[options.layout].join(' and ')} batches; this batch ran ${task.type}.`,
    )
  const params = storedParams(task, batchParams)
  const columns =
    options.layout === 'shopify'
      ? shopifyColumns(task, input, params)
      : googleAdsColumns(task, input, params, options)
  const line = (entry: ChunkLine): string | null => {
    const result: ResultLine = JSON.parse(entry.line)
    if (result.status !== 'succeeded') return null
    const record = entry.record?.ok ? entry.record.value : {}
    return csvRow(
      columns.values({
        result,
        record,
        input: readRecord(record, input.mapping).input,
        output: (result.output ?? {}) as Record<string, unknown>,
      }),
    )
  }
  return { header: csvRow(columns.names), line }
}
