/* The evaluation scheduler (see sched.h). Every call starts from the
 * loop's "kick" timer, never from inside an api callback, and a finished
 * call is freed from that timer too: api_call_free must not run inside
 * the call's own on_done. */
#define _GNU_SOURCE /* timegm */
#include "core/sched.h"
#include "core/api.h"
#include "core/loop.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOLD_CAP_MS 60000

struct job_node {
	struct job_node *next;
	struct api_config cfg;
	char *body;
	int stream;
	double estimate;
	void *job;
};

struct flight {
	struct flight *next;
	struct sched *s;
	struct api_call *call;
	void *job;
	double estimate;
	long long t0;
	int ended;
};

struct sched {
	struct loop *loop;
	struct sched_hooks hooks;
	int max_limit, limit;
	unsigned successes;   /* in a row since the limit last changed */
	unsigned rate_limited;
	long long hold_until; /* loop ms before which nothing starts */
	double budget, spent, in_flight_est;

	struct job_node *head, *tail;
	size_t nqueued;
	struct flight *flying;  /* in flight */
	size_t nflying;
	struct flight *ended;   /* finished, to free from the kick timer */
	unsigned kick_timer;
	int canceling;
};

static void api_config_copy(struct api_config *dst, const struct api_config *src)
{
	*dst = *src;
	dst->base_url = src->base_url ? xstrdup(src->base_url) : NULL;
	dst->api_key = src->api_key ? xstrdup(src->api_key) : NULL;
	dst->api_version = src->api_version ? xstrdup(src->api_version) : NULL;
	dst->betas = src->betas ? xstrdup(src->betas) : NULL;
}

static void node_free(struct job_node *n)
{
	api_config_done(&n->cfg);
	free(n->body);
	free(n);
}

static void kick_fn(void *ud);

static void kick(struct sched *s, long ms)
{
	if (s->kick_timer)
		loop_cancel_timer(s->loop, s->kick_timer);
	s->kick_timer = loop_add_timer(s->loop, ms, kick_fn, s);
}

struct sched *sched_new(struct loop *loop, int concurrency, const struct sched_hooks *hooks)
{
	struct sched *s = xcalloc(1, sizeof *s);
	s->loop = loop;
	s->hooks = *hooks;
	s->max_limit = s->limit = concurrency < 1 ? 1 : concurrency;
	s->budget = -1;
	return s;
}

static void free_ended(struct sched *s)
{
	while (s->ended) {
		struct flight *f = s->ended;
		s->ended = f->next;
		api_call_free(f->call);
		free(f);
	}
}

void sched_free(struct sched *s)
{
	if (!s)
		return;
	if (s->kick_timer)
		loop_cancel_timer(s->loop, s->kick_timer);
	while (s->flying) {
		struct flight *f = s->flying;
		s->flying = f->next;
		api_call_free(f->call); /* cancels without on_done */
		free(f);
	}
	free_ended(s);
	while (s->head) {
		struct job_node *n = s->head;
		s->head = n->next;
		node_free(n);
	}
	free(s);
}

void sched_set_budget(struct sched *s, double usd) { s->budget = usd; }
void sched_add_spent(struct sched *s, double usd) { s->spent += usd; }
double sched_spent(const struct sched *s) { return s->spent; }
int sched_idle(const struct sched *s) { return !s->head && !s->flying; }
size_t sched_in_flight(const struct sched *s) { return s->nflying; }
size_t sched_queued(const struct sched *s) { return s->nqueued; }
int sched_limit(const struct sched *s) { return s->limit; }
unsigned sched_rate_limited(const struct sched *s) { return s->rate_limited; }

void sched_add(struct sched *s, const struct api_config *cfg, const char *body, int stream,
	       double estimate_usd, int front, void *job)
{
	struct job_node *n = xcalloc(1, sizeof *n);
	api_config_copy(&n->cfg, cfg);
	n->body = xstrdup(body);
	n->stream = stream;
	n->estimate = estimate_usd > 0 ? estimate_usd : 0;
	n->job = job;
	if (front) {
		n->next = s->head;
		s->head = n;
		if (!s->tail)
			s->tail = n;
	} else {
		if (s->tail)
			s->tail->next = n;
		else
			s->head = n;
		s->tail = n;
	}
	s->nqueued++;
	if (s->canceling) { /* started after a cancel: report it at once */
		kick(s, 0);
		return;
	}
	kick(s, 0);
}

static struct job_node *pop(struct sched *s)
{
	struct job_node *n = s->head;
	if (n) {
		s->head = n->next;
		if (!s->head)
			s->tail = NULL;
		s->nqueued--;
	}
	return n;
}

static void hold(struct sched *s, long ms)
{
	if (ms <= 0)
		return;
	if (ms > HOLD_CAP_MS)
		ms = HOLD_CAP_MS;
	long long until = loop_now_ms(s->loop) + ms;
	if (until > s->hold_until)
		s->hold_until = until;
}

static void on_retry(void *ud, int attempt, long delay_ms, const struct api_error *why)
{
	(void)attempt;
	struct flight *f = ud;
	struct sched *s = f->s;
	if (!why || why->http_status != 429)
		return;
	/* Several calls in flight meet the same limit: halve once per window. */
	if (loop_now_ms(s->loop) >= s->hold_until) {
		s->limit = s->limit / 2 < 1 ? 1 : s->limit / 2;
		s->rate_limited++;
	}
	s->successes = 0;
	hold(s, delay_ms);
}

/* Seconds from now until an RFC 3339 time ("2026-11-30T03:04:05Z"); -1 when
 * it does not parse. */
static long long secs_until(const char *rfc3339)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!rfc3339)
		return -1;
	const char *end = strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -1;
	time_t t = timegm(&tm);
	long long d = (long long)t - (long long)time(NULL);
	return d < 0 ? 0 : d;
}

/* Exhausted rate-limit headers hold new calls until their reset. */
static void pace_from_headers(struct sched *s, struct api_call *call)
{
	const struct api_ratelimit *rl = api_call_ratelimit(call);
	if (!rl)
		return;
	const struct {
		long remaining;
		const char *reset;
	} v[] = {
		{ rl->requests_remaining, rl->requests_reset },
		{ rl->tokens_remaining, rl->tokens_reset },
		{ rl->input_tokens_remaining, rl->input_tokens_reset },
		{ rl->output_tokens_remaining, rl->output_tokens_reset },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		if (v[i].remaining != 0)
			continue;
		long long secs = secs_until(v[i].reset);
		hold(s, secs < 0 ? 1000 : (long)(secs * 1000 + 1000 - 1));
	}
}

static void unlink_flight(struct sched *s, struct flight *f)
{
	for (struct flight **pp = &s->flying; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			s->nflying--;
			return;
		}
}

static void on_done(void *ud, struct api_call *call)
{
	struct flight *f = ud;
	struct sched *s = f->s;
	if (f->ended)
		return;
	f->ended = 1;
	unlink_flight(s, f);
	s->in_flight_est -= f->estimate;
	if (s->in_flight_est < 0 || !s->flying)
		s->in_flight_est = 0;
	if (api_call_failure(call) == API_FAIL_NONE) {
		if (s->limit < s->max_limit && ++s->successes >= (unsigned)s->limit) {
			s->limit++;
			s->successes = 0;
		}
	}
	pace_from_headers(s, call);
	long latency = (long)(loop_now_ms(s->loop) - f->t0);
	f->next = s->ended;
	s->ended = f;
	if (s->hooks.on_done)
		s->hooks.on_done(s->hooks.ud, f->job, call, latency);
	kick(s, 0);
}

static void start(struct sched *s, struct job_node *n)
{
	struct flight *f = xcalloc(1, sizeof *f);
	f->s = s;
	f->job = n->job;
	f->estimate = n->estimate;
	f->t0 = loop_now_ms(s->loop);
	f->next = s->flying;
	s->flying = f;
	s->nflying++;
	s->in_flight_est += n->estimate;
	struct api_call_hooks h = { .on_retry = on_retry, .on_done = on_done, .ud = f };
	f->call = api_call_start(s->loop, &n->cfg, API_MESSAGES, n->body, n->stream, &h);
	node_free(n);
}

static int fits_budget(const struct sched *s, double estimate)
{
	if (s->budget < 0)
		return 1;
	return s->spent + s->in_flight_est + estimate <= s->budget + 1e-12;
}

static void skip(struct sched *s, struct job_node *n, enum sched_skip why)
{
	void *job = n->job;
	node_free(n);
	if (s->hooks.on_skip)
		s->hooks.on_skip(s->hooks.ud, job, why);
}

static void kick_fn(void *ud)
{
	struct sched *s = ud;
	s->kick_timer = 0;
	free_ended(s);
	if (s->canceling) {
		struct job_node *n;
		while ((n = pop(s)))
			skip(s, n, SCHED_SKIP_CANCELED);
		return;
	}
	while (s->head && s->nflying < (size_t)s->limit) {
		long long now = loop_now_ms(s->loop);
		if (now < s->hold_until) {
			kick(s, (long)(s->hold_until - now));
			return;
		}
		if (!fits_budget(s, s->head->estimate)) {
			if (s->nflying)
				return; /* wait: answers in flight may cost less than estimated */
			skip(s, pop(s), SCHED_SKIP_BUDGET);
			continue;
		}
		start(s, pop(s));
	}
}

void sched_cancel(struct sched *s)
{
	s->canceling = 1;
	/* api_call_cancel may finish the call synchronously (on_done unlinks it). */
	struct flight *f = s->flying;
	while (f) {
		struct flight *next = f->next;
		api_call_cancel(f->call);
		f = next;
	}
	kick(s, 0);
}
