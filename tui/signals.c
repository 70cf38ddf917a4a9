#include "tui/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int pipefd[2] = { -1, -1 };
static struct termios saved_tio;
static int have_tio;

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;
	if (pipefd[1] >= 0 && write(pipefd[1], &c, 1) < 0) {
		/* the pipe is full: a byte for this signal is already waiting */
	}
	errno = saved;
}

/* Only async-signal-safe calls: write() the reset sequences (bracketed
 * paste off, attributes off, cursor on, leave the alternate screen),
 * tcsetattr() the saved modes, then die of the same signal. */
static void on_crash(int sig)
{
	static const char reset[] = "\033[?2004l\033[0m\033[?25h\033[?1049l\r\n";
	if (write(STDOUT_FILENO, reset, sizeof reset - 1) < 0) {
		/* nothing more can be done */
	}
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int piped[] = { SIGWINCH, SIGTERM, SIGHUP, SIGCONT, SIGTSTP, SIGCHLD, SIGINT };
static const int crash[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

int signals_init(int tty)
{
	if (pipe(pipefd) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(pipefd[i], F_SETFL, fcntl(pipefd[i], F_GETFL) | O_NONBLOCK);
		fcntl(pipefd[i], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof piped / sizeof piped[0]; i++)
		sigaction(piped[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (tty) {
		have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
		sa.sa_handler = on_crash;
		sa.sa_flags = SA_RESETHAND;
		for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++)
			sigaction(crash[i], &sa, NULL);
	}
	return pipefd[0];
}

int signals_read(void)
{
	int bits = 0;
	char b[64];
	ssize_t n;
	while ((n = read(pipefd[0], b, sizeof b)) > 0)
		for (ssize_t i = 0; i < n; i++)
			switch (b[i]) {
			case SIGWINCH: bits |= SIGB_WINCH; break;
			case SIGTERM: bits |= SIGB_TERM; break;
			case SIGHUP: bits |= SIGB_HUP; break;
			case SIGCONT: bits |= SIGB_CONT; break;
			case SIGTSTP: bits |= SIGB_TSTP; break;
			case SIGCHLD: bits |= SIGB_CHLD; break;
			case SIGINT: bits |= SIGB_INT; break;
			}
	return bits;
}

void signals_done(void)
{
	for (size_t i = 0; i < sizeof piped / sizeof piped[0]; i++)
		signal(piped[i], SIG_DFL);
	for (int i = 0; i < 2; i++)
		if (pipefd[i] >= 0)
			close(pipefd[i]);
	pipefd[0] = pipefd[1] = -1;
}
