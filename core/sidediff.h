/* Two texts side by side: which of their lines and words differ, by the
 * longest common subsequence of lines (for prompts: rows aligned) or of
 * words (for answers: the differing words highlighted on each side). No
 * curses: the workbench draws from these marks. */
#ifndef PWB_SIDEDIFF_H
#define PWB_SIDEDIFF_H

#include <stddef.h>

/* One row of a line diff: a line of a, of b, or both (the same text). */
struct sidediff_row {
	long a, b;              /* line numbers (0-based), -1: none on that side */
	int changed;            /* the two sides are not the same line */
};

/* The rows of the diff of a's and b's lines: common lines paired, a
 * removed line beside an added one where they stand at the same place.
 * *rows malloc'd (caller frees), *n rows. Lines split at "\n"; a text of
 * more than a few thousand lines beyond the common start and end is
 * compared as wholly changed (no quadratic blow-up). */
void sidediff_lines(const char *a, const char *b, struct sidediff_row **rows, size_t *n);

/* The line i of s (0-based): its start and length (0 past the end). */
const char *sidediff_line(const char *s, long i, size_t *len);

/* Word marks: ma[i] = 1 for each byte of a in a word not common to both
 * (words are runs of non-space; the spaces between never count), mb for
 * b; each malloc'd with strlen+1 bytes (caller frees). Returns the number
 * of differing words on both sides. */
size_t sidediff_words(const char *a, const char *b, unsigned char **ma, unsigned char **mb);

/* The text of an API Message (message_json) as the replay compares it:
 * its text blocks joined, a line per tool call. malloc'd; "" when none. */
char *sidediff_message_text(const char *message_json);

#endif
