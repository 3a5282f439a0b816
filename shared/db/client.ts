import { drizzle } from 'drizzle-orm/d1'
import * as schema from './schema'

function connect(d1: D1Database) {
  return drizzle(d1, { schema })
}

export type Database = ReturnType<typeof connect>

// drizzle() walks the whole schema to build its relational config; a binding keeps its instance.
const instances = new WeakMap<D1Database, Database>()

export function db(d1: D1Database): Database {
  let database = instances.get(d1)
  if (!database) {
    database = connect(d1)
    instances.set(d1, database)
  }
  return database
}
