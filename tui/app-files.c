/* Files: save, save as, open, new (app.h). */
#include "tui/app.h"
#include "tui/view-eval.h"
#include "tui/autosave.h"
#include "tui/run.h"
#include "core/cost.h"
#include "core/keys.h"
#include "core/textbuf.h"
#include "core/preset.h"
#include "core/session.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* --- files ---------------------------------------------------------------- */

static void first_error(const struct diag_list *d, char *out, size_t n)
{
	out[0] = 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == DIAG_ERROR) {
			char *m = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&m, &len);
			if (f) {
				diag_print(f, &d->v[i]);
				fclose(f);
				snprintf(out, n, "%s", m);
				free(m);
				char *nl = strchr(out, '\n');
				if (nl)
					*nl = 0;
			}
			return;
		}
}

/* Where the configured key is in the session, in words (into buf), or
 * NULL when it is not there. */
static const char *key_place(struct app *a, char *buf, size_t n)
{
	const struct session *s = a->sess;
	const char *k = a->key;
	if (!k || !*k)
		return NULL;
	if ((s->system && strstr(s->system, k)) ||
	    (s->system_blocks_json && strstr(s->system_blocks_json, k)))
		return "the system prompt";
	for (size_t i = 0; i < s->nmessages; i++)
		if ((s->messages[i].text && strstr(s->messages[i].text, k)) ||
		    (s->messages[i].blocks_json && strstr(s->messages[i].blocks_json, k))) {
			snprintf(buf, n, "message %zu", i + 1);
			return buf;
		}
	for (size_t i = 0; i < s->nvars; i++)
		if (s->vars[i].value && strstr(s->vars[i].value, k)) {
			snprintf(buf, n, "the variable %s", s->vars[i].name);
			return buf;
		}
	char *y = preset_emit(s);
	int found = strstr(y, k) != NULL;
	free(y);
	return found ? "a parameter" : NULL;
}

static void redact_editor(struct textbuf *e, const char *key)
{
	char *t = textbuf_text(e);
	if (strstr(t, key)) {
		char *r = keys_redact(t, key, AUTOSAVE_KEY_MARKER);
		textbuf_set_text(e, r);
		free(r);
	}
	free(t);
}

void app_save_with_marker(struct app *a, const char *path, int flags)
{
	/* the marker goes where the user can see it: into the editors */
	redact_editor(a->system_ed, a->key);
	for (size_t i = 0; i < a->nturns; i++)
		redact_editor(a->turns[i].ed, a->key);
	for (size_t i = 0; i < a->sess->nvars; i++)
		if (a->sess->vars[i].value && strstr(a->sess->vars[i].value, a->key)) {
			char *r = keys_redact(a->sess->vars[i].value, a->key, AUTOSAVE_KEY_MARKER);
			free(a->sess->vars[i].value);
			a->sess->vars[i].value = r;
		}
	app_changed(a);
	app_sync(a);
	app_save(a, path, flags);
	if (!a->modified)
		app_message(a, 0, "saved %s with %s in place of the key", preset_path(a->preset),
			    AUTOSAVE_KEY_MARKER);
}

void app_save(struct app *a, const char *path, int flags)
{
	const char *own = preset_path(a->preset);
	int same_file = !path || (own && strcmp(path, own) == 0);
	if (same_file && preset_had_comments(a->preset) && !a->comments_ok) {
		/* the canonical YAML pwb writes has no comments: ask first */
		free(a->prompt.pending_path);
		a->prompt.pending_path = path ? xstrdup(path) : NULL;
		a->prompt.pending_flags = flags;
		app_prompt_yesno(a, PF_SAVE_COMMENTS,
				 "The file has comments, which saving drops. Save anyway? (y/n) ");
		return;
	}
	app_sync(a);
	struct diag_list d;
	diag_list_init(&d);
	enum preset_save_result r = preset_save(a->preset, path, flags, a->key, &d);
	char err[512];
	first_error(&d, err, sizeof err);
	switch (r) {
	case PRESET_SAVED:
		a->modified = 0;
		if (run_response_stale(a))
			app_message(a, 1, "saved %s; its response: answers an earlier prompt "
				    "(%s: record anew)", preset_path(a->preset),
				    keymap_label(ACT_RECORD_ANSWER));
		else
			app_message(a, 0, "saved %s", preset_path(a->preset));
		if (view_eval_save_rows(a) < 0)
			a->modified = 1; /* the rows file is still to be written */
		app_recent_add(preset_path(a->preset));
		autosave_write(a);
		if (a->prompt.quit_after_save)
			a->quit = 1;
		break;
	case PRESET_SAVE_FAILED:
		a->prompt.quit_after_save = 0;
		if (path) {
			/* the typed name stays: fix it instead of typing it again;
			 * the question keeps the reason short (its last clause) */
			char *cut = strstr(err, " (the old file is untouched)");
			if (cut)
				*cut = 0;
			const char *why = strrchr(err, ':');
			app_prompt_line(a, PF_SAVE_AS, path, "Not saved (%s). Save as: ",
					why && why[1] == ' ' ? why + 2 : *err ? err : strerror(errno));
			break;
		}
		app_message(a, 1, "not saved: %s", *err ? err : strerror(errno));
		break;
	case PRESET_SAVE_CHANGED:
		free(a->prompt.pending_path);
		a->prompt.pending_path = xstrdup(path);
		app_prompt_yesno(a, PF_SAVE_CHANGED,
				 "The file changed on disk since it was opened. Overwrite it? (y/n) ");
		break;
	case PRESET_SAVE_KEY_SHAPED: {
		free(a->prompt.pending_path);
		a->prompt.pending_path = path ? xstrdup(path) : NULL;
		a->prompt.pending_flags = flags;
		char where[96];
		const char *place = key_place(a, where, sizeof where);
		if (place && strcmp(place, "a parameter") == 0) {
			/* a structured field: the user edits it, pwb does not guess */
			char *masked = keys_mask(a->key);
			a->prompt.quit_after_save = 0;
			app_message(a, 1, "not saved: your API key (%s, %s) is in a parameter and is never "
				    "written; remove it there", masked, app_key_source(a));
			free(masked);
		} else if (place) {
			/* preset_save never writes the configured key, even when
			 * forced: asking "save anyway" would loop */
			char *masked = keys_mask(a->key);
			app_prompt_yesno(a, PF_SAVE_KEY_MARKER,
					 "Your API key (%s, %s) is in %s; it is never written. "
					 "Save with a marker in its place? (y/n) ",
					 masked, app_key_source(a), place);
			free(masked);
		} else {
			app_prompt_yesno(a, PF_SAVE_KEY,
					 "A key-shaped string is in the session. Save it anyway? (y/n) ");
		}
		break;
	}
	case PRESET_SAVE_INVALID:
		a->prompt.quit_after_save = 0;
		app_message(a, 1, "not saved: %s", *err ? err : "the session has errors");
		break;
	}
	diag_list_done(&d);
}

static void save_as_checked(struct app *a, const char *path);

enum { RECENT_MAX = 20 };

/* $XDG_STATE_HOME/pwb/recent (where the autosaves live), malloc'd, or NULL. */
static char *recent_file(void)
{
	const char *xs = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	if (xs && *xs)
		return xasprintf("%s/pwb/recent", xs);
	if (home && *home)
		return xasprintf("%s/.local/state/pwb/recent", home);
	return NULL;
}

size_t app_recent_load(char ***paths)
{
	*paths = NULL;
	char *file = recent_file();
	FILE *f = file ? fopen(file, "re") : NULL;
	free(file);
	if (!f)
		return 0;
	size_t n = 0;
	char line[PATH_MAX + 2];
	while (n < RECENT_MAX && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] != '/')
			continue;
		*paths = xrealloc(*paths, (n + 1) * sizeof **paths);
		(*paths)[n++] = xstrdup(line);
	}
	fclose(f);
	return n;
}

void app_recent_add(const char *path)
{
	char abs[PATH_MAX];
	char *file = recent_file();
	if (!file || !realpath(path, abs)) {
		free(file);
		return;
	}
	char **old;
	size_t n = app_recent_load(&old);
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "%s\n", abs);
	size_t kept = 1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(old[i], abs) != 0 && kept < RECENT_MAX) {
			buf_printf(&b, "%s\n", old[i]);
			kept++;
		}
		free(old[i]);
	}
	free(old);
	/* a temporary file and a rename: two instances never leave half a list */
	char *tmp = xasprintf("%s.%ld.tmp", file, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int ok = fd >= 0 && write(fd, b.data, b.len) == (ssize_t)b.len;
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	if (!ok || rename(tmp, file) != 0)
		unlink(tmp);
	free(tmp);
	free(file);
	buf_done(&b);
}

/* The folder part of path ("." when none), malloc'd. */
static char *folder_of(const char *path)
{
	const char *sl = strrchr(path, '/');
	if (!sl)
		return xstrdup(".");
	if (sl == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(sl - path));
}

static int mkdir_parents(const char *dir)
{
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1; *s && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0777) < 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

void app_save_as_mkdir(struct app *a, const char *path)
{
	char *dir = folder_of(path);
	if (mkdir_parents(dir) < 0) {
		app_prompt_line(a, PF_SAVE_AS, path, "Not saved (cannot create %s: %s). Save as: ", dir,
				strerror(errno));
		free(dir);
		return;
	}
	free(dir);
	app_save_as(a, path);
}

void app_save_as(struct app *a, const char *typed)
{
	/* a name without an extension is a preset: NAME.yaml */
	const char *base = strrchr(typed, '/') ? strrchr(typed, '/') + 1 : typed;
	char *path = *base && !strchr(base, '.') ? xasprintf("%s.yaml", typed) : xstrdup(typed);
	char *dir = folder_of(path);
	struct stat st;
	if (stat(dir, &st) != 0 && errno == ENOENT) {
		free(a->prompt.pending_path);
		a->prompt.pending_path = xstrdup(path);
		app_prompt_yesno(a, PF_SAVE_MKDIR, "The folder %s does not exist. Create it? (y/n) ", dir);
	} else {
		save_as_checked(a, path);
	}
	free(dir);
	free(path);
}

static void save_as_checked(struct app *a, const char *path)
{
	struct stat st;
	const char *cur = preset_path(a->preset);
	if (stat(path, &st) == 0 && !(cur && strcmp(cur, path) == 0)) {
		free(a->prompt.pending_path);
		a->prompt.pending_path = xstrdup(path);
		app_prompt_yesno(a, PF_OVERWRITE, "%s exists. Overwrite it? (y/n) ", path);
		return;
	}
	app_save(a, path, 0);
}

static void clear_answers(struct app *a)
{
	run_cancel(a);
	for (size_t i = 0; i < a->nanswers; i++)
		answer_free(a->answers[i]);
	a->nanswers = a->shown = 0;
	a->run.last_failed = 0;
}

void app_set_preset(struct app *a, struct preset *p)
{
	if (a->preset)
		preset_free(a->preset);
	a->preset = p;
	a->sess = preset_session(p);
	a->comments_ok = 0;
	app_load_session(a);
	a->modified = 0;
}

int app_open_file(struct app *a, const char *path)
{
	struct diag_list d;
	diag_list_init(&d);
	struct preset *p = preset_load_file(path, &d);
	char err[512];
	first_error(&d, err, sizeof err);
	if (!p) {
		app_message(a, 1, "cannot open %s: %s", path, *err ? err : strerror(errno));
		diag_list_done(&d);
		return -1;
	}
	clear_answers(a);
	app_set_preset(a, p);
	app_recent_add(path);
	if (*err)
		app_message(a, 1, "opened %s with errors: %s", path, err);
	else
		app_message(a, 0, "opened %s", path);
	diag_list_done(&d);
	run_load_recorded(a);
	autosave_write(a);
	return 0;
}

const char *app_default_model(void)
{
	const char *m = getenv("PWB_MODEL");
	if (m && *m)
		return m;
	for (size_t i = 0; cost_builtin_models[i]; i++)
		if (strstr(cost_builtin_models[i], "sonnet"))
			return cost_builtin_models[i];
	return cost_builtin_models[0];
}

struct preset *app_new_preset(void)
{
	struct preset *p = preset_new();
	struct session *s = preset_session(p);
	str_set(&s->model, app_default_model());
	str_set(&s->max_tokens, "1024");
	return p;
}

void app_new(struct app *a)
{
	clear_answers(a);
	app_set_preset(a, app_new_preset());
	/* type the question, send it: nothing else needs filling in */
	a->focus = PANE_MESSAGES;
	a->cur_turn = 0;
	app_message(a, 0, "new session: type the question, %s sends it", keymap_label(ACT_RUN));
	autosave_write(a);
}
