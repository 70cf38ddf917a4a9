/* Regular expressions that mean what a JavaScript RegExp without flags
 * means, on PCRE2: UTF-8, `$` only at the very end, \d \w \b ASCII, \uHHHH
 * and \xHH escapes, [] matching nothing and [^] anything, a backreference
 * to an unset group matching the empty string, `.` matching neither \n nor
 * \r. Used by the regex assertion and the JSON Schema `pattern` keyword. */
#ifndef PWB_JSREGEX_H
#define PWB_JSREGEX_H

#include <stddef.h>

struct jsregex;

/* Compile pattern. Returns the compiled regex (free with jsregex_free), or
 * NULL with *error set to a malloc'd message (the caller frees) and *offset
 * to the byte offset in pattern where compiling failed. */
struct jsregex *jsregex_compile(const char *pattern, char **error, size_t *offset);

/* 1 when the regex matches somewhere in subject[0..len), 0 when not, -1 on a
 * matching error (invalid UTF-8 subject, match limit), with *error malloc'd
 * when error is not NULL. */
int jsregex_search(const struct jsregex *re, const char *subject, size_t len, char **error);

void jsregex_free(struct jsregex *re);

#endif
