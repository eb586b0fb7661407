/*
 * db_sqlite.h - private declarations shared by the SQLite backend files.
 */
#ifndef C2_DB_SQLITE_H
#define C2_DB_SQLITE_H

/* Number of schema migrations (the current schema version). */
int c2__schema_count(void);

/* SQL of migration i (0-based): brings version i to i + 1. */
const char *c2__schema_migration(int i);

#endif
