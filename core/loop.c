/* The event loop: one curl_multi_poll() waits for libcurl's sockets, the
 * extra fds (keyboard, signal pipe) and the nearest timer at once. */
#include "core/loop.h"
#include "core/util.h"

#include <curl/curl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct loop_fd {
	int fd;
	loop_fd_fn fn;
	void *ud;
};

struct loop_timer {
	unsigned id;
	long long due; /* real monotonic ms: timers run even with a pinned clock */
	loop_timer_fn fn;
	void *ud;
};

struct loop {
	CURLM *multi;
	struct loop_fd *fds;
	size_t nfds, afds;
	struct loop_timer *timers;
	size_t ntimers, atimers;
	unsigned next_timer;
	void (*reaper)(void *ud, void *easy, int code);
	void *reaper_ud;
	long long pinned; /* PWB_TEST_CLOCK, or -1 */
};

static int curl_ready;

static long long real_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = 1;
	}
	struct loop *l = xcalloc(1, sizeof *l);
	l->multi = curl_multi_init();
	if (!l->multi)
		abort();
	l->pinned = -1;
	const char *pin = getenv("PWB_TEST_CLOCK");
	if (pin && *pin) {
		char *end;
		long long v = strtoll(pin, &end, 10);
		if (*end == '\0' && v >= 0)
			l->pinned = v;
	}
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	curl_multi_cleanup(l->multi);
	free(l->fds);
	free(l->timers);
	free(l);
}

void loop_add_fd(struct loop *l, int fd, loop_fd_fn fn, void *ud)
{
	for (size_t i = 0; i < l->nfds; i++) {
		if (l->fds[i].fd == fd) {
			l->fds[i].fn = fn;
			l->fds[i].ud = ud;
			return;
		}
	}
	if (l->nfds == l->afds) {
		l->afds = l->afds ? l->afds * 2 : 4;
		l->fds = xrealloc(l->fds, l->afds * sizeof *l->fds);
	}
	l->fds[l->nfds++] = (struct loop_fd){ .fd = fd, .fn = fn, .ud = ud };
}

void loop_remove_fd(struct loop *l, int fd)
{
	for (size_t i = 0; i < l->nfds; i++) {
		if (l->fds[i].fd == fd) {
			memmove(&l->fds[i], &l->fds[i + 1], (l->nfds - i - 1) * sizeof *l->fds);
			l->nfds--;
			return;
		}
	}
}

unsigned loop_add_timer(struct loop *l, long ms, loop_timer_fn fn, void *ud)
{
	if (l->ntimers == l->atimers) {
		l->atimers = l->atimers ? l->atimers * 2 : 8;
		l->timers = xrealloc(l->timers, l->atimers * sizeof *l->timers);
	}
	if (++l->next_timer == 0)
		l->next_timer = 1;
	l->timers[l->ntimers++] = (struct loop_timer){
		.id = l->next_timer, .due = real_now_ms() + (ms > 0 ? ms : 0), .fn = fn, .ud = ud,
	};
	return l->next_timer;
}

void loop_cancel_timer(struct loop *l, unsigned id)
{
	for (size_t i = 0; i < l->ntimers; i++) {
		if (l->timers[i].id == id) {
			memmove(&l->timers[i], &l->timers[i + 1],
				(l->ntimers - i - 1) * sizeof *l->timers);
			l->ntimers--;
			return;
		}
	}
}

/* Run every timer due now, one at a time: a callback may add or cancel
 * timers, so the list is searched afresh after each. */
static void run_timers(struct loop *l)
{
	long long now = real_now_ms();
	for (;;) {
		size_t best = l->ntimers;
		for (size_t i = 0; i < l->ntimers; i++)
			if (l->timers[i].due <= now && (best == l->ntimers || l->timers[i].due < l->timers[best].due))
				best = i;
		if (best == l->ntimers)
			return;
		struct loop_timer t = l->timers[best];
		loop_cancel_timer(l, t.id);
		t.fn(t.ud);
	}
}

/* Returns how many transfers finished: their owners' state changed, so the
 * caller must not go on to sleep in poll (nothing is left to wake it). */
static int drive_curl(struct loop *l)
{
	int running = 0, reaped = 0;
	curl_multi_perform(l->multi, &running);
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(l->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		int code = (int)msg->data.result;
		reaped++;
		if (l->reaper)
			l->reaper(l->reaper_ud, easy, code);
		else
			curl_multi_remove_handle(l->multi, easy);
	}
	return reaped;
}

void loop_once(struct loop *l, long max_wait_ms)
{
	int finished = drive_curl(l);
	run_timers(l);

	long long wait = max_wait_ms < 0 ? INT_MAX : max_wait_ms;
	if (finished)
		wait = 0;
	long long now = real_now_ms();
	for (size_t i = 0; i < l->ntimers; i++) {
		long long d = l->timers[i].due - now;
		if (d < wait)
			wait = d < 0 ? 0 : d;
	}
	struct curl_waitfd stackfds[8];
	struct curl_waitfd *wfds = l->nfds <= 8 ? stackfds : xcalloc(l->nfds, sizeof *wfds);
	size_t n = l->nfds;
	for (size_t i = 0; i < n; i++)
		wfds[i] = (struct curl_waitfd){ .fd = l->fds[i].fd, .events = CURL_WAIT_POLLIN };
	int numfds = 0;
	curl_multi_poll(l->multi, n ? wfds : NULL, (unsigned)n, (int)wait, &numfds);
	/* Dispatch by fd, not by index: a callback may add or remove fds. */
	for (size_t i = 0; i < n; i++) {
		if (!(wfds[i].revents & CURL_WAIT_POLLIN))
			continue;
		for (size_t j = 0; j < l->nfds; j++) {
			if (l->fds[j].fd == wfds[i].fd) {
				l->fds[j].fn(l->fds[j].ud, l->fds[j].fd);
				break;
			}
		}
	}
	if (wfds != stackfds)
		free(wfds);
	drive_curl(l);
	run_timers(l);
}

void loop_wakeup(struct loop *l)
{
	curl_multi_wakeup(l->multi);
}

long long loop_now_ms(const struct loop *l)
{
	if (l && l->pinned >= 0)
		return l->pinned;
	return real_now_ms();
}

void *loop_curl_multi(struct loop *l)
{
	return l->multi;
}

void loop_set_reaper(struct loop *l, void (*fn)(void *ud, void *easy, int code), void *ud)
{
	l->reaper = fn;
	l->reaper_ud = ud;
}
