#include "tui/signals.h"
#include "core/sigpipe.h"

#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_tio;
static int have_tio;

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
	/* the one self-pipe of the process (core/sigpipe), shared with the cli */
	if (sigpipe_install(piped, sizeof piped / sizeof piped[0]) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	if (tty) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sigemptyset(&sa.sa_mask);
		have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
		sa.sa_handler = on_crash;
		sa.sa_flags = SA_RESETHAND;
		for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++)
			sigaction(crash[i], &sa, NULL);
	}
	return sigpipe_fd();
}

int signals_read(void)
{
	static const struct {
		int sig, bit;
	} map[] = {
		{ SIGWINCH, SIGB_WINCH }, { SIGTERM, SIGB_TERM }, { SIGHUP, SIGB_HUP },
		{ SIGCONT, SIGB_CONT }, { SIGTSTP, SIGB_TSTP }, { SIGCHLD, SIGB_CHLD },
		{ SIGINT, SIGB_INT },
	};
	sigset_t got;
	sigemptyset(&got);
	sigpipe_drain(&got);
	int bits = 0;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (sigismember(&got, map[i].sig))
			bits |= map[i].bit;
	return bits;
}

void signals_done(void)
{
	sigpipe_remove();
}
