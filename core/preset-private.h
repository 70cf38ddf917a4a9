/* What the preset modules (preset.c, preset-load.c, preset-emit.c,
 * preset-save.c) share about a loaded preset; not for other callers, who
 * use core/preset.h. */
#ifndef PWB_PRESET_PRIVATE_H
#define PWB_PRESET_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

struct session;

#define PRESET_MAX_BYTES (64u << 20)
/* Nesting deeper than this is refused while parsing, before it costs time. */
#define PRESET_MAX_DEPTH 200
#define PRESET_MAX_DEPTH_TEXT "200"

struct pos {
	char *path;
	int line, col;   /* the value */
	int kline, kcol; /* its key, when it has one (else = value) */
};

struct preset {
	struct session *s;
	char *path;    /* file path; NULL for a new preset or stdin */
	char *name;    /* name in diagnostics */
	int had_comments;
	struct pos *pos;
	size_t npos, apos;
	struct session *file_vars; /* holds only the variables the file has */
	int disk_known;          /* the file existed when loaded or last saved */
	uint64_t disk_hash;      /* FNV-1a of its bytes then */
	size_t disk_size;
};

/* FNV-1a of n bytes: tells whether the file changed on disk. */
uint64_t preset_hash(const char *p, size_t n);
/* Remember that path's value (line, col) and its key (kline, kcol; 0 when none). */
void preset_pos_add(struct preset *p, const char *path, int line, int col, int kline, int kcol);
void preset_pos_clear(struct preset *p);
/* validate_run's locator: position of path or of its nearest known parent. */
int preset_pos_locate(void *ud, const char *path, int key, int *line, int *col);
/* The session's variables become the file's ones (see preset_restore_file_vars). */
void preset_remember_file_vars(struct preset *p);

#endif
