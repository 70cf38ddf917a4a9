/* core/sigpipe: a signal becomes one byte on a close-on-exec pipe. */
#include "core/sigpipe.h"
#include "tests/unit/tap.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

static void test_signals_arrive(void)
{
	int sigs[] = { SIGUSR1, SIGUSR2 };
	CHECK_INT(sigpipe_install(sigs, 2), 0);
	int fd = sigpipe_fd();
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK(!sigpipe_seen(SIGUSR1));
	raise(SIGUSR1);
	raise(SIGUSR2);
	raise(SIGUSR1);
	sigset_t got;
	sigemptyset(&got);
	CHECK_INT(sigpipe_drain(&got), 3);
	CHECK(sigismember(&got, SIGUSR1));
	CHECK(sigismember(&got, SIGUSR2));
	CHECK(!sigismember(&got, SIGINT));
	CHECK(sigpipe_seen(SIGUSR1));
	CHECK_INT(sigpipe_drain(NULL), 0); /* drained: nothing blocks, nothing left */
}

static void test_remove_restores(void)
{
	sigpipe_remove();
	CHECK_INT(sigpipe_fd(), -1);
	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	CHECK(sa.sa_handler == SIG_DFL);
	/* installing again works */
	int sigs[] = { SIGUSR1 };
	CHECK_INT(sigpipe_install(sigs, 1), 0);
	raise(SIGUSR1);
	CHECK_INT(sigpipe_drain(NULL), 1);
	sigpipe_remove();
}

int main(void)
{
	RUN(test_signals_arrive);
	RUN(test_remove_restores);
	return tap_done();
}
