/* A rows CSV file edited in place (the Evaluate view's rows when tests:
 * names a .csv): its header and cells as written, read with libcsv as
 * testrows_parse_csv reads them (records in order, blank lines skipped),
 * changed cell by cell and written back with every column kept (the
 * __expected and __description columns too), in the file's own line
 * ending. No curses. */
#ifndef PWB_CSVEDIT_H
#define PWB_CSVEDIT_H

#include <stddef.h>

struct csvedit;

/* Parse data (a header record, then one record per row). NULL with *error
 * (malloc'd) when it is not CSV or has no header. Free with csvedit_free. */
struct csvedit *csvedit_parse(const char *data, size_t len, char **error);
void csvedit_free(struct csvedit *c);

/* Rows (records after the header). */
size_t csvedit_rows(const struct csvedit *c);
/* Set row's cell of column name (a new column, empty in the other rows,
 * when the header has none). */
void csvedit_set(struct csvedit *c, size_t row, const char *name, const char *value);
/* A new row of empty cells at index at (0..rows). */
void csvedit_insert(struct csvedit *c, size_t at);
void csvedit_delete(struct csvedit *c, size_t row);
/* The CSV text (RFC 4180: a cell quoted when it holds a comma, a quote,
 * a line break or edge spaces). malloc'd. */
char *csvedit_emit(const struct csvedit *c);

#endif
