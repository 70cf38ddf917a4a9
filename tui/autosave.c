#include "tui/autosave.h"
#include "tui/app.h"
#include "core/buf.h"
#include "core/file.h"
#include "core/keys.h"
#include "core/loop.h"
#include "core/preset.h"
#include "core/session.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HEADER "# pwb autosave: unsaved work of a workbench session\n"

static int mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

static int lock_fd(int fd)
{
	struct flock fl;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, F_SETLK, &fl);
}

static int orphaned(const char *dir, long pid);

/* Locks (and temporaries) of instances that are gone and left no autosave
 * behind: the owner is checked through its lock, never guessed from the PID. */
static void clean_stale(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		long pid;
		char tail[16];
		if (sscanf(de->d_name, "autosave-%ld.%15s", &pid, tail) != 2 || strcmp(tail, "lock") != 0 ||
		    pid == (long)getpid())
			continue;
		char *yaml = xasprintf("%s/autosave-%ld.yaml", dir, pid);
		if (access(yaml, F_OK) < 0 && errno == ENOENT && orphaned(dir, pid)) {
			char *lock = xasprintf("%s/autosave-%ld.lock", dir, pid);
			unlink(lock);
			free(lock);
		}
		free(yaml);
		char *target = xasprintf("%s/autosave-%ld.yaml", dir, pid);
		file_clean_stale_temps(target);
		free(target);
	}
	closedir(d);
}

int autosave_init(struct app *a)
{
	a->autosave.lock_fd = -1;
	const char *xs = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	if (xs && *xs)
		a->autosave.dir = xasprintf("%s/pwb", xs);
	else if (home && *home)
		a->autosave.dir = xasprintf("%s/.local/state/pwb", home);
	else
		return -1;
	if (mkdir_p(a->autosave.dir) < 0) {
		app_message(a, 1, "autosave is off: cannot create %s: %s", a->autosave.dir, strerror(errno));
		return -1;
	}
	char *lock = xasprintf("%s/autosave-%ld.lock", a->autosave.dir, (long)getpid());
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lock);
	if (fd < 0 || lock_fd(fd) < 0) {
		app_message(a, 1, "autosave is off: cannot lock in %s: %s", a->autosave.dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	a->autosave.lock_fd = fd;
	clean_stale(a->autosave.dir);
	a->autosave.path = xasprintf("%s/autosave-%ld.yaml", a->autosave.dir, (long)getpid());
	return 0;
}

static void on_timer(void *ud)
{
	struct app *a = ud;
	a->autosave.timer = 0;
	autosave_write(a);
}

void autosave_schedule(struct app *a)
{
	if (!a->autosave.path || a->autosave.timer)
		return;
	/* the first change arms it; later ones ride along: at most ~0.5 s lost */
	a->autosave.timer = loop_add_timer(a->loop, 500, on_timer, a);
}

static char *state_text(struct app *a)
{
	app_sync(a);
	char *yaml = preset_emit(a->sess);
	const char *path = a->preset ? preset_path(a->preset) : NULL;
	if (!path)
		path = a->default_path;
	char abs[PATH_MAX];
	if (path && realpath(path, abs))
		path = abs;
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, HEADER);
	buf_printf(&b, "# pid: %ld\n", (long)getpid());
	buf_printf(&b, "# file: %s\n", path ? path : "");
	buf_printf(&b, "# modified: %s\n", a->modified ? "yes" : "no");
	buf_puts(&b, yaml ? yaml : "");
	free(yaml);
	char *text = buf_take(&b);
	if (a->key && *a->key && strstr(text, a->key)) {
		char *r = keys_redact(text, a->key, AUTOSAVE_KEY_MARKER);
		free(text);
		text = r;
		if (!a->autosave.key_redacted_told) {
			a->autosave.key_redacted_told = 1;
			app_message(a, 1, "the configured API key is in the text: autosave wrote a marker in its place");
		}
	} else {
		size_t off, len;
		if (!a->autosave.key_shaped_told && keys_find_shaped(text, strlen(text), &off, &len)) {
			a->autosave.key_shaped_told = 1;
			app_message(a, 1, "a key-shaped string is in the text (kept as typed; autosave is private, mode 0600)");
		}
	}
	return text;
}

void autosave_write(struct app *a)
{
	if (!a->autosave.path)
		return;
	if (a->autosave.timer) {
		loop_cancel_timer(a->loop, a->autosave.timer);
		a->autosave.timer = 0;
	}
	char *text = state_text(a);
	const char *step = NULL;
	/* temporary, fsync, rename: a crash leaves the old autosave or the new one */
	if (file_write_atomic(a->autosave.path, text, strlen(text), 0600, &step) < 0)
		app_message(a, 1, "autosave failed: %s: %s", step, strerror(errno));
	free(text);
}

static void remove_lock(const char *dir, long pid)
{
	char *lock = xasprintf("%s/autosave-%ld.lock", dir, pid);
	unlink(lock);
	free(lock);
}

void autosave_remove(struct app *a)
{
	if (!a->autosave.path)
		return;
	if (a->autosave.timer)
		loop_cancel_timer(a->loop, a->autosave.timer);
	a->autosave.timer = 0;
	unlink(a->autosave.path);
	remove_lock(a->autosave.dir, (long)getpid());
	autosave_release(a);
}

void autosave_release(struct app *a)
{
	if (a->autosave.lock_fd >= 0)
		close(a->autosave.lock_fd);
	a->autosave.lock_fd = -1;
	free(a->autosave.path);
	free(a->autosave.dir);
	a->autosave.path = a->autosave.dir = NULL;
}

/* The "# file:" header of an autosave, malloc'd ("" when none). */
static char *header_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char line[PATH_MAX + 32];
	char *out = NULL;
	for (int i = 0; i < 6 && fgets(line, sizeof line, f); i++)
		if (strncmp(line, "# file: ", 8) == 0) {
			line[strcspn(line, "\n")] = 0;
			out = xstrdup(line + 8);
			break;
		}
	fclose(f);
	return out ? out : xstrdup("");
}

/* 1 when the instance that wrote autosave-PID.yaml is gone (its lock is free). */
static int orphaned(const char *dir, long pid)
{
	char *lock = xasprintf("%s/autosave-%ld.lock", dir, pid);
	int fd = open(lock, O_RDWR | O_CLOEXEC);
	free(lock);
	if (fd < 0)
		return 1;
	int free_lock = lock_fd(fd) == 0;
	close(fd); /* drops the probe lock at once */
	return free_lock;
}

char *autosave_find_orphan(struct app *a, const char *file)
{
	if (!a->autosave.dir)
		return NULL;
	DIR *d = opendir(a->autosave.dir);
	if (!d)
		return NULL;
	char abs[PATH_MAX];
	const char *want = file && realpath(file, abs) ? abs : file;
	char *best = NULL;
	time_t best_t = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		long pid;
		char tail[16];
		if (sscanf(de->d_name, "autosave-%ld.%15s", &pid, tail) != 2 || strcmp(tail, "yaml") != 0)
			continue;
		if (pid == (long)getpid() || !orphaned(a->autosave.dir, pid))
			continue;
		char *path = xasprintf("%s/%s", a->autosave.dir, de->d_name);
		char *hf = header_file(path);
		struct stat st;
		int match = hf && (!want || strcmp(hf, want) == 0) && stat(path, &st) == 0;
		if (match && (!best || st.st_mtime > best_t)) {
			free(best);
			best = path;
			best_t = st.st_mtime;
		} else {
			free(path);
		}
		free(hf);
	}
	closedir(d);
	return best;
}

void autosave_discard(const char *path)
{
	long pid;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	unlink(path);
	if (sscanf(base, "autosave-%ld.", &pid) == 1) {
		char *dir = xstrndup(path, (size_t)(base - path - (base > path ? 1 : 0)));
		remove_lock(dir, pid);
		free(dir);
	}
}

int autosave_restore(struct app *a, const char *path)
{
	struct buf b;
	buf_init(&b, 0);
	const char *why = NULL;
	if (file_read_regular(path, &b, &why) < 0) {
		app_message(a, 1, "cannot read %s: %s", path, why ? why : strerror(errno));
		buf_done(&b);
		return -1;
	}
	char *file = header_file(path);
	struct diag_list d;
	diag_list_init(&d);
	struct preset *p = preset_load_string(path, buf_str(&b), b.len, &d);
	buf_done(&b);
	if (!p) {
		app_message(a, 1, "the autosave %s cannot be read", path);
		diag_list_done(&d);
		free(file);
		return -1;
	}
	/* tie the restored work to its file when there was one, so saving
	 * goes there (and notices changes on disk) */
	struct stat st;
	if (file && *file && stat(file, &st) == 0) {
		struct diag_list d2;
		diag_list_init(&d2);
		struct preset *fp = preset_load_file(file, &d2);
		diag_list_done(&d2);
		if (fp) {
			struct session *dst = preset_session(fp), *src = preset_session(p);
			struct session t = *dst;
			*dst = *src;
			*src = t;
			/* attachments stay relative to the file's folder */
			char *dir = dst->base_dir;
			dst->base_dir = src->base_dir;
			src->base_dir = dir;
			preset_free(p);
			p = fp;
		}
	} else if (file && *file) {
		str_set(&a->default_path, file);
	}
	app_set_preset(a, p);
	a->modified = 1;
	diag_list_done(&d);
	free(file);
	autosave_discard(path);
	autosave_write(a);
	return 0;
}

char *autosave_orphan_file(const char *path)
{
	return header_file(path);
}
