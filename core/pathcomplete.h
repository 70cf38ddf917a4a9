/* Path completion for the workbench's file prompts (import rows, export
 * results): what a Tab adds to a typed path. No curses. */
#ifndef PWB_PATHCOMPLETE_H
#define PWB_PATHCOMPLETE_H

#include <stddef.h>

/* The typed path completed as far as the entries of its folder agree
 * (a folder gets a "/" when it is the only match; hidden entries only
 * when the typed name starts with "."). malloc'd; *n gets how many
 * entries matched (0: returned unchanged). */
char *pathcomplete(const char *typed, size_t *n);

#endif
