/* $EDITOR on the focused text, and suspending to the shell (app.h). */
#include "tui/app.h"
#include "tui/display.h"
#include "tui/editor.h"
#include "core/util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>


/* --- external editor --------------------------------------------------------- */

extern char **environ;

/* The environment without the credentials: the editor is someone else's
 * program and needs no key. The array is malloc'd, its strings are environ's. */
static char **editor_environment(void)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = xmalloc((n + 1) * sizeof *env);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(environ[i], "ANTHROPIC_API_KEY=", 18) == 0 ||
		    strncmp(environ[i], "ANTHROPIC_AUTH_TOKEN=", 21) == 0)
			continue;
		env[k++] = environ[i];
	}
	env[k] = NULL;
	return env;
}

/* In the child before exec: no API socket, lock or pipe of pwb's reaches
 * the editor, whatever forgot close-on-exec. Async-signal-safe. */
static void close_descriptors_from(int lowfd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
#endif
	struct rlimit rl;
	long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
			   ? (long)rl.rlim_cur : 65536;
	if (max > 65536)
		max = 65536;
	for (long fd = lowfd; fd < max; fd++)
		close((int)fd);
}

void app_external_edit(struct app *a)
{
	struct pane *p = app_current_pane(a);
	struct textbuf *e = p->ops->editor ? p->ops->editor(a, p) : NULL;
	if (!e || e->readonly) {
		app_message(a, 1, "nothing to edit here: focus the system prompt, a message or a field");
		return;
	}
	if (a->ext.pid > 0)
		return;
	const char *tmp = getenv("TMPDIR");
	char *path = xasprintf("%s/pwb-edit-XXXXXX.txt", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemps(path, 4);
	if (fd < 0) {
		app_message(a, 1, "cannot create a temporary file: %s", strerror(errno));
		free(path);
		return;
	}
	char *text = textbuf_text(e);
	size_t n = strlen(text), off = 0;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (n && text[n - 1] != '\n' && write(fd, "\n", 1) < 0) {
		/* a missing final newline is harmless */
	}
	close(fd);
	free(text);
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	/* everything the child needs is built before fork: after it, only
	 * async-signal-safe calls */
	char *cmd = xasprintf("%s \"$1\"", ed); /* as git does: the value is a shell command */
	char **envp = editor_environment();
	display_suspend();
	a->suspended = 1;
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGWINCH, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		close_descriptors_from(3);
		char *argv[] = { "sh", "-c", cmd, (char *)ed, path, NULL };
		execve("/bin/sh", argv, envp);
		_exit(127);
	}
	free(cmd);
	free(envp);
	if (pid < 0) {
		display_resume();
		a->suspended = 0;
		app_message(a, 1, "cannot start the editor: %s", strerror(errno));
		unlink(path);
		free(path);
		return;
	}
	/* the loop keeps running (the network too) while the editor owns the
	 * terminal; SIGCHLD through the signal pipe ends it */
	app_stdin_watch(a, 0);
	a->ext.pid = pid;
	a->ext.path = path;
	a->ext.ed = e;
	a->ext.pane = a->focus;
}

void app_child_exited(struct app *a)
{
	if (a->ext.pid <= 0)
		return;
	int status;
	pid_t r = waitpid(a->ext.pid, &status, WNOHANG);
	if (r != a->ext.pid)
		return;
	a->ext.pid = 0;
	display_resume();
	app_stdin_watch(a, 1);
	a->suspended = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		FILE *f = fopen(a->ext.path, "re");
		struct buf b;
		buf_init(&b, 0);
		if (f) {
			char tmp[8192];
			size_t n;
			while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
				buf_append(&b, tmp, n);
			fclose(f);
			/* the final newline editors add is not part of the text */
			if (b.len && b.data[b.len - 1] == '\n')
				b.data[--b.len] = 0;
			struct textbuf *e = a->ext.ed;
			char *old = textbuf_text(e);
			if (strcmp(old, buf_str(&b)) != 0) {
				textbuf_set_text(e, buf_str(&b));
				textbuf_cursor_end(e);
				app_changed(a);
				app_message(a, 0, "text taken from the editor");
			} else {
				app_message(a, 0, "unchanged");
			}
			free(old);
		}
		buf_done(&b);
	} else {
		app_message(a, 1, "the editor failed; the text is unchanged");
	}
	unlink(a->ext.path);
	free(a->ext.path);
	a->ext.path = NULL;
	a->ext.ed = NULL;
	app_dirty(a);
}

void app_suspend(struct app *a)
{
	if (a->script_mode)
		return;
	display_suspend();
	kill(getpid(), SIGSTOP);
	display_resume();
	app_dirty(a);
}

