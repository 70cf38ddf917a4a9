/* The event loop on its own: timers in due order (also added and canceled
 * from callbacks), extra fds dispatched when readable, loop_wakeup, and the
 * PWB_TEST_CLOCK pin. No network. */
#include "tests/unit/tap.h"

#include "core/loop.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char order[32];
static size_t norder;
static struct loop *L;
static unsigned victim;

static void mark(void *ud)
{
	if (norder + 1 < sizeof order)
		order[norder++] = *(const char *)ud;
	order[norder] = '\0';
}

static void mark_and_add(void *ud)
{
	mark(ud);
	static const char d = 'd';
	loop_add_timer(L, 0, mark, (void *)&d);
	loop_cancel_timer(L, victim);
}

static void test_timers(void)
{
	L = loop_new();
	norder = 0;
	order[0] = '\0';
	static const char a = 'a', b = 'b', c = 'c', x = 'x';
	long long start = loop_now_ms(L);
	loop_add_timer(L, 30, mark, (void *)&c);
	loop_add_timer(L, 0, mark, (void *)&a);
	loop_add_timer(L, 10, mark_and_add, (void *)&b);
	victim = loop_add_timer(L, 20, mark, (void *)&x);
	unsigned gone = loop_add_timer(L, 5, mark, (void *)&x);
	loop_cancel_timer(L, gone);
	CHECK(victim > 0 && gone > 0 && victim != gone);
	for (int i = 0; i < 200 && norder < 4; i++)
		loop_once(L, 1000);
	CHECK_STR(order, "abdc");
	/* The 30 ms timer never runs early. */
	CHECK(loop_now_ms(L) - start >= 29);
	loop_free(L);
}

static int fd_hits;
static void on_fd(void *ud, int fd)
{
	(void)ud;
	char buf[8];
	if (read(fd, buf, sizeof buf) > 0)
		fd_hits++;
}

static void test_fds(void)
{
	struct loop *l = loop_new();
	int p[2];
	CHECK(pipe(p) == 0);
	loop_add_fd(l, p[0], on_fd, NULL);
	fd_hits = 0;
	loop_once(l, 0);
	CHECK_INT(fd_hits, 0);
	CHECK(write(p[1], "x", 1) == 1);
	for (int i = 0; i < 50 && !fd_hits; i++)
		loop_once(l, 1000);
	CHECK_INT(fd_hits, 1);
	loop_remove_fd(l, p[0]);
	CHECK(write(p[1], "y", 1) == 1);
	loop_once(l, 20);
	CHECK_INT(fd_hits, 1);
	close(p[0]);
	close(p[1]);
	/* loop_wakeup makes a long wait return at once. */
	loop_wakeup(l);
	long long t0 = loop_now_ms(l);
	loop_once(l, 30000);
	CHECK(loop_now_ms(l) - t0 < 20000);
	loop_free(l);
}

static void test_clock_pin(void)
{
	setenv("PWB_TEST_CLOCK", "123456", 1);
	struct loop *l = loop_new();
	CHECK_INT(loop_now_ms(l), 123456);
	/* Timers still run on the real clock. */
	static const char z = 'z';
	norder = 0;
	loop_add_timer(l, 5, mark, (void *)&z);
	for (int i = 0; i < 100 && norder == 0; i++)
		loop_once(l, 1000);
	CHECK_STR(order, "z");
	CHECK_INT(loop_now_ms(l), 123456);
	loop_free(l);
	unsetenv("PWB_TEST_CLOCK");
	l = loop_new();
	CHECK(loop_now_ms(l) != 123456);
	loop_free(l);
}

int main(void)
{
	RUN(test_timers);
	RUN(test_fds);
	RUN(test_clock_pin);
	return tap_done();
}
