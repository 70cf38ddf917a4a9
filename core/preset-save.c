/* Saving a preset: the checks (the configured key, key-shaped strings,
 * UTF-8, JSON), then an atomic replace under a lock, so two writers never
 * both succeed. */
#include "core/preset.h"
#include "core/preset-private.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/file.h"
#include "core/keys.h"
#include "core/session.h"
#include "core/utf8.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <signal.h>

/* ---------------------------------------------------------------- */
/* saving */

/* Call fn(path, text) for every string the session holds; stops when fn
 * returns nonzero and returns that. */
static int session_walk(const struct session *s, int (*fn)(void *ud, const char *path,
							   const char *text), void *ud)
{
	int r;
#define W(path, text) do { if ((text) && (r = fn(ud, (path), (text))) != 0) return r; } while (0)
	W("name", s->name);
	W("description", s->description);
	W("model", s->model);
	W("api_version", s->api_version);
	char tmp[64];
	for (size_t i = 0; i < s->betas.n; i++) {
		snprintf(tmp, sizeof tmp, "betas[%zu]", i);
		W(tmp, s->betas.v[i]);
	}
	for (size_t i = 0; i < s->stop_sequences.n; i++) {
		snprintf(tmp, sizeof tmp, "stop_sequences[%zu]", i);
		W(tmp, s->stop_sequences.v[i]);
	}
	W("system", s->system);
	W("system", s->system_blocks_json);
	for (const char *const *f = session_json_field_names; *f; f++)
		W(*f, session_json_get(s, *f));
	for (size_t i = 0; i < s->nvars; i++) {
		char *p = xasprintf("variables.%s", s->vars[i].name);
		r = fn(ud, p, s->vars[i].value);
		free(p);
		if (r)
			return r;
	}
	for (size_t i = 0; i < s->nmessages; i++) {
		snprintf(tmp, sizeof tmp, "messages[%zu].content", i);
		W(tmp, s->messages[i].text);
		W(tmp, s->messages[i].blocks_json);
	}
	W("assert", s->assert_json);
	W("tests", s->tests_json);
	W("response", s->response_json);
#undef W
	return 0;
}

struct found {
	const char *secret;
	char *path;
	char *masked;
};

static int find_secret(void *ud, const char *path, const char *text)
{
	struct found *f = ud;
	if (strstr(text, f->secret)) {
		f->path = xstrdup(path);
		return 1;
	}
	return 0;
}

static int find_shaped(void *ud, const char *path, const char *text)
{
	struct found *f = ud;
	size_t off, len;
	if (keys_find_shaped(text, strlen(text), &off, &len)) {
		char *k = xstrndup(text + off, len);
		f->masked = keys_mask(k);
		free(k);
		f->path = xstrdup(path);
		return 1;
	}
	return 0;
}

static int find_bad_utf8(void *ud, const char *path, const char *text)
{
	struct found *f = ud;
	if (!utf8_valid(text, strlen(text))) {
		f->path = xstrdup(path);
		return 1;
	}
	return 0;
}

static struct diag *save_diag(struct preset *p, struct diag_list *diags, enum diag_level lv,
			      const char *file, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static struct diag *save_diag(struct preset *p, struct diag_list *diags, enum diag_level lv,
			      const char *file, const char *field, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!diags)
		return NULL;
	int line = 0, col = 0;
	if (field && p->npos)
		preset_pos_locate(p, field, 0, &line, &col);
	struct diag *d = diag_add_at(diags, lv, file, line, col, "%s", msg);
	d->path = xstrdup(field);
	return d;
}

/* The real file behind path: symlinks followed (a dangling link gives
 * its target path). malloc'd. */
static char *resolve_target(const char *path)
{
	char *cur = xstrdup(path);
	for (int hops = 0; hops < 40; hops++) {
		struct stat st;
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return cur;
		char link[PATH_MAX];
		ssize_t n = readlink(cur, link, sizeof link - 1);
		if (n < 0)
			return cur;
		link[n] = '\0';
		char *next;
		if (link[0] == '/') {
			next = xstrdup(link);
		} else {
			const char *slash = strrchr(cur, '/');
			next = slash ? xasprintf("%.*s/%s", (int)(slash - cur), cur, link) : xstrdup(link);
		}
		free(cur);
		cur = next;
	}
	return cur;
}

/* Hash the whole file at path; -1 with errno when it cannot be read. */
static int file_hash(const char *path, uint64_t *hash, size_t *size)
{
	struct buf b;
	buf_init(&b, PRESET_MAX_BYTES);
	int rc = file_read_regular(path, &b, NULL);
	if (rc == 0) {
		*hash = preset_hash(buf_str(&b), b.len);
		*size = b.len;
	}
	buf_done(&b);
	return rc;
}

/* Keep the current target as target~ (a hard link when possible, else a copy). */
static int make_backup(const char *target, const char *backup)
{
	char *tmp = xasprintf("%s.pwb-bak-%ld", backup, (long)getpid());
	unlink(tmp);
	int rc = link(target, tmp);
	if (rc < 0) {
		struct buf b;
		buf_init(&b, 0);
		rc = file_read_regular(target, &b, NULL);
		int fd = rc == 0 ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
		rc = -1;
		if (fd >= 0) {
			struct stat st;
			if (file_write_all(fd, buf_str(&b), b.len) == 0 && stat(target, &st) == 0 &&
			    fchmod(fd, st.st_mode & 07777) == 0)
				rc = 0;
			close(fd);
		}
		buf_done(&b);
	}
	if (rc == 0 && rename(tmp, backup) < 0)
		rc = -1;
	if (rc < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
	}
	free(tmp);
	return rc;
}

enum preset_save_result preset_save(struct preset *p, const char *path, int flags,
				    const char *secret, struct diag_list *diags)
{
	if (!path)
		path = p->path;
	if (!path) {
		if (diags)
			diag_add(diags, DIAG_ERROR, NULL, "save: no file name given");
		return PRESET_SAVE_FAILED;
	}
	const char *shown = path;
	int own = p->path && !strcmp(path, p->path);

	/* 1. the configured key is never written, whatever the flags */
	if (secret && *secret) {
		struct found f = { .secret = secret };
		if (session_walk(p->s, find_secret, &f)) {
			save_diag(p, diags, DIAG_ERROR, shown, f.path,
				  "%s: holds the configured API key; pwb never writes it to a file: "
				  "remove it and save again", f.path);
			free(f.path);
			return PRESET_SAVE_KEY_SHAPED; /* even with FORCE */
		}
	}
	/* 2. other key-shaped strings, unless forced */
	if (!(flags & PRESET_SAVE_FORCE)) {
		struct found f = { 0 };
		if (session_walk(p->s, find_shaped, &f)) {
			save_diag(p, diags, DIAG_ERROR, shown, f.path,
				  "%s: contains a key-shaped string (%s); remove it, or save with "
				  "--force if it is not a key", f.path, f.masked);
			free(f.path);
			free(f.masked);
			return PRESET_SAVE_KEY_SHAPED;
		}
	}
	struct found bu = { 0 };
	if (session_walk(p->s, find_bad_utf8, &bu)) {
		save_diag(p, diags, DIAG_ERROR, shown, bu.path, "%s: not valid UTF-8 text, cannot be "
			  "saved; fix it first", bu.path);
		free(bu.path);
		return PRESET_SAVE_INVALID;
	}
	char *bad = NULL;
	char *text = preset_emit_checked(p->s, &bad);
	if (!text) {
		save_diag(p, diags, DIAG_ERROR, shown, bad, "%s: not valid JSON, cannot be saved; fix it first",
			  bad);
		free(bad);
		return PRESET_SAVE_INVALID;
	}
	size_t len = strlen(text);

	char *target = resolve_target(path);
	char *dir = file_dir_of(target);
	char *tmp = NULL;
	char *backup = NULL;
	enum preset_save_result res = PRESET_SAVE_FAILED;
	int fd = -1;
	int lock = -1;
	/* One writer at a time from the changed-on-disk check to the rename:
	 * a second writer then sees the first one's file as changed. */
	lock = file_lock(target, 10000);
	if (lock < 0 && errno != EACCES) { /* a folder we may write but not read: no lock to take */
		save_diag(p, diags, DIAG_ERROR, shown, NULL, "cannot save: cannot lock the folder of %s: "
			  "%s (the old file is untouched)", target, strerror(errno));
		goto out;
	}
	file_clean_stale_temps(target);
	struct stat st;
	int exists = stat(target, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		save_diag(p, diags, DIAG_ERROR, shown, NULL, "cannot save: %s is not a regular file", target);
		goto out;
	}

	/* 3. changed on disk since loaded? */
	if (own && p->disk_known && exists && !(flags & PRESET_SAVE_FORCE)) {
		uint64_t h = 0;
		size_t sz = 0;
		if (file_hash(target, &h, &sz) == 0 && (h != p->disk_hash || sz != p->disk_size)) {
			save_diag(p, diags, DIAG_ERROR, shown, NULL,
				  "the file changed on disk since it was loaded; not overwritten (use "
				  "--force to overwrite it)");
			res = PRESET_SAVE_CHANGED;
			goto out;
		}
	}
	if (own && p->had_comments && exists && diags)
		diag_add_at(diags, DIAG_WARNING, shown, 0, 0,
			    "the file had comments; saving writes the canonical form without them");

	tmp = file_temp_name(target);
	fd = mkstemp(tmp);
	if (fd < 0) {
		save_diag(p, diags, DIAG_ERROR, shown, NULL,
			  "cannot save: cannot create a temporary file in %s: %s (the old file is "
			  "untouched)", dir, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	mode_t mode;
	if (exists) {
		mode = st.st_mode & 07777;
	} else {
		mode_t um = umask(0);
		umask(um);
		mode = 0666 & ~um;
	}
	if (file_write_all(fd, text, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		save_diag(p, diags, DIAG_ERROR, shown, NULL, "cannot save: writing %s: %s (the old file "
			  "is untouched)", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		save_diag(p, diags, DIAG_ERROR, shown, NULL, "cannot save: closing %s: %s (the old file "
			  "is untouched)", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
#ifndef NDEBUG
	/* Test builds only: die right after the temporary file is complete. */
	if (getenv("PWB_TEST_SAVE_CRASH"))
		raise(SIGKILL);
#endif
	if (exists) {
		backup = xasprintf("%s~", target);
		if (make_backup(target, backup) < 0) {
			save_diag(p, diags, DIAG_ERROR, shown, NULL, "cannot save: keeping the previous "
				  "version as %s: %s (the old file is untouched)", backup, strerror(errno));
			goto out;
		}
	}
	if (rename(tmp, target) < 0) {
		save_diag(p, diags, DIAG_ERROR, shown, NULL, "cannot save: renaming the temporary file "
			  "to %s: %s (the old file is untouched)", target, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	res = PRESET_SAVED;
	if (!p->path || !own) {
		free(p->path);
		p->path = xstrdup(path);
		free(p->name);
		p->name = xstrdup(path);
	}
	/* positions now refer to the canonical text just written */
	struct preset *fresh = preset_load_string(p->name, text, len, NULL);
	preset_pos_clear(p);
	if (fresh) {
		p->pos = fresh->pos;
		p->npos = fresh->npos;
		p->apos = fresh->apos;
		fresh->pos = NULL;
		fresh->npos = fresh->apos = 0;
		preset_free(fresh);
	}
	p->disk_known = 1;
	p->disk_hash = preset_hash(text, len);
	p->disk_size = len;
	p->had_comments = 0;
	preset_remember_file_vars(p);
out:
	if (fd >= 0)
		close(fd);
	file_unlock(lock);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(backup);
	free(dir);
	free(target);
	free(text);
	return res;
}

