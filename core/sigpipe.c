/* The signal self-pipe (core/sigpipe.h). */
#include "core/sigpipe.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIGNALS 16
#define SIG_LIMIT 65 /* signal numbers 1..64 fit in one byte */

static int pipe_fd[2] = { -1, -1 };
static int installed[MAX_SIGNALS];
static struct sigaction saved[MAX_SIGNALS];
static size_t n_installed;
static volatile sig_atomic_t seen[SIG_LIMIT];

static void on_signal(int sig)
{
	int saved_errno = errno;
	if (sig > 0 && sig < SIG_LIMIT)
		seen[sig] = 1;
	unsigned char b = (unsigned char)sig;
	/* A full pipe already holds a wake-up: losing this byte is fine. */
	ssize_t r = write(pipe_fd[1], &b, 1);
	(void)r;
	errno = saved_errno;
}

int sigpipe_install(const int *signals, size_t n)
{
	if (pipe_fd[0] < 0) {
		if (pipe(pipe_fd) != 0) {
			pipe_fd[0] = pipe_fd[1] = -1;
			return -1;
		}
		for (int i = 0; i < 2; i++) {
			fcntl(pipe_fd[i], F_SETFL, fcntl(pipe_fd[i], F_GETFL) | O_NONBLOCK);
			fcntl(pipe_fd[i], F_SETFD, FD_CLOEXEC);
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < n && n_installed < MAX_SIGNALS; i++) {
		if (signals[i] <= 0 || signals[i] >= SIG_LIMIT)
			continue;
		seen[signals[i]] = 0;
		if (sigaction(signals[i], &sa, &saved[n_installed]) == 0)
			installed[n_installed++] = signals[i];
	}
	return 0;
}

int sigpipe_fd(void)
{
	return pipe_fd[0];
}

int sigpipe_drain(sigset_t *arrived)
{
	unsigned char b[64];
	ssize_t r;
	int count = 0;
	if (pipe_fd[0] < 0)
		return 0;
	while ((r = read(pipe_fd[0], b, sizeof b)) > 0 || (r < 0 && errno == EINTR)) {
		for (ssize_t i = 0; i < r; i++) {
			if (arrived)
				sigaddset(arrived, b[i]);
			count++;
		}
	}
	return count;
}

int sigpipe_seen(int sig)
{
	return sig > 0 && sig < SIG_LIMIT && seen[sig];
}

void sigpipe_remove(void)
{
	/* handlers first, so that none writes to a closed pipe */
	while (n_installed > 0) {
		n_installed--;
		sigaction(installed[n_installed], &saved[n_installed], NULL);
	}
	if (pipe_fd[0] >= 0) {
		close(pipe_fd[0]);
		close(pipe_fd[1]);
		pipe_fd[0] = pipe_fd[1] = -1;
	}
}
