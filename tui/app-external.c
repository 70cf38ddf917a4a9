/* $EDITOR on the focused text, and suspending to the shell (app.h). */
#include "tui/app.h"
#include "tui/display.h"
#include "tui/editor.h"
#include "core/util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>


/* --- external editor --------------------------------------------------------- */

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
	display_suspend();
	a->suspended = 1;
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGWINCH, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		/* as git does: the editor value is a shell command */
		char *cmd = xasprintf("%s \"$1\"", ed);
		execl("/bin/sh", "sh", "-c", cmd, ed, path, (char *)NULL);
		_exit(127);
	}
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
		FILE *f = fopen(a->ext.path, "r");
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

