/* Saving a preset (part of core/preset.h: include that). */
#ifndef PWB_PRESET_SAVE_H
#define PWB_PRESET_SAVE_H

struct preset;
struct diag_list;

enum preset_save_flags {
	PRESET_SAVE_FORCE = 1, /* overwrite a file changed on disk; allow key-shaped strings */
};

enum preset_save_result {
	PRESET_SAVED,
	PRESET_SAVE_FAILED,    /* I/O: diags say why; the old file is untouched */
	PRESET_SAVE_CHANGED,   /* the file changed on disk since it was loaded (no FORCE) */
	PRESET_SAVE_KEY_SHAPED,/* a key-shaped string is in the session (no FORCE), or the
				  configured key itself (whatever the flags) */
	PRESET_SAVE_INVALID,   /* the session has errors */
};

/* Save atomically to path (NULL: the preset's own path): temporary file in
 * the same folder (named with the writer's PID; those left by a writer that
 * is gone are removed), fsync, rename, fsync of the folder; a symlink is
 * written through to its target and keeps its mode; the previous version is
 * kept as path~. An exclusive lock on the folder (flock, waited for up to
 * 10 s) covers the changed-on-disk check through the rename, so of two
 * writers that loaded the same file the second gets PRESET_SAVE_CHANGED.
 * secret, when not NULL, is the configured API key: it is never written
 * (the save fails instead). */
enum preset_save_result preset_save(struct preset *p, const char *path, int flags,
				    const char *secret, struct diag_list *diags);

#endif
