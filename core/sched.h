/* A scheduler of Messages API calls on one loop, for evaluations: at most
 * N calls in flight, adaptive pacing, and an optional budget. Retries stay
 * in core/api; pacing is decided here:
 * - a 429 halves the concurrency (down to 1), and no new call starts before
 *   its retry delay has passed;
 * - while the rate-limit headers say nothing remains (requests or tokens),
 *   no new call starts before their reset time (at most 60 s ahead);
 * - the concurrency climbs back by one after as many successes in a row as
 *   the current limit.
 * Jobs start in the order queued; a job queued at the front (a grader call
 * for a finished row) goes before waiting rows. */
#ifndef PWB_SCHED_H
#define PWB_SCHED_H

#include <stddef.h>

struct loop;
struct api_call;
struct api_config;

struct sched;

enum sched_skip {
	SCHED_SKIP_BUDGET,   /* starting it could pass the budget */
	SCHED_SKIP_CANCELED, /* sched_cancel ran before it started */
};

struct sched_hooks {
	/* A job's call ended (any outcome, canceled included). The call is
	 * owned by the scheduler and valid during the callback only; latency_ms
	 * is from the first send to the end of the answer (retry waits
	 * included). The callback may queue more jobs. */
	void (*on_done)(void *ud, void *job, struct api_call *call, long latency_ms);
	/* A job will never start. */
	void (*on_skip)(void *ud, void *job, enum sched_skip why);
	void *ud;
};

/* concurrency >= 1. The loop must outlive the scheduler. */
struct sched *sched_new(struct loop *loop, int concurrency, const struct sched_hooks *hooks);
/* Cancels calls in flight without callbacks; queued jobs are dropped
 * silently (the caller owns the job pointers). NULL is a no-op. */
void sched_free(struct sched *s);

/* Budget in USD (negative: none). A job starts only while the cost spent
 * (sched_add_spent) plus the estimates of the jobs in flight plus its own
 * estimate stays within it; a job that does not fit waits while others are
 * in flight (their actual cost may be lower) and is skipped otherwise. */
void sched_set_budget(struct sched *s, double usd);
/* Report the actual cost of a finished job (from its usage). */
void sched_add_spent(struct sched *s, double usd);
double sched_spent(const struct sched *s);

/* Queue one job: body is copied; cfg is copied per call; stream asks for
 * SSE. estimate_usd is what the job may cost at most (0 when unknown). */
void sched_add(struct sched *s, const struct api_config *cfg, const char *body, int stream,
	       double estimate_usd, int front, void *job);

/* Stop: queued jobs are reported skipped (SCHED_SKIP_CANCELED), calls in
 * flight are canceled (their on_done reports API_FAIL_CANCELED). */
void sched_cancel(struct sched *s);

/* Nothing queued and nothing in flight. */
int sched_idle(const struct sched *s);
size_t sched_in_flight(const struct sched *s);
size_t sched_queued(const struct sched *s);
/* The concurrency in force now (pacing may have lowered it). */
int sched_limit(const struct sched *s);
/* Pacing events so far, for reports and tests. */
unsigned sched_rate_limited(const struct sched *s);

#endif
