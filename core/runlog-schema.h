/* The run log's schema: numbered, append-only migrations. Migration i
 * (0-based) takes a database from PRAGMA user_version i to i + 1 and sets
 * that user_version itself. Never edit a shipped migration: append one. */
#ifndef PWB_RUNLOG_SCHEMA_H
#define PWB_RUNLOG_SCHEMA_H

#include <stddef.h>

/* The SQL of migration i (i < runlog_schema_count()); static text. */
const char *runlog_schema_migration(size_t i);
/* How many migrations there are: the newest user_version. */
size_t runlog_schema_count(void);

#endif
