/* Minimal TAP-style unit test support: one "ok"/"not ok" line per test case,
 * with "# " diagnostic lines for each failed check, and the plan "1..N" from
 * tap_done(), which main() returns last: tests/run.sh fails a program without
 * a plan, so a test that stops early cannot pass. Header-only on purpose:
 * every unit test is one .c file linked against the core library. */
#ifndef PWB_TAP_H
#define PWB_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_case_failed;
static int tap_any_failed;
static int tap_results;

#define CHECK(cond) do { if (!(cond)) { tap_case_failed = 1; \
	printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_STR(a, b) do { const char *ta_ = (a), *tb_ = (b); \
	if (!ta_ || !tb_ || strcmp(ta_, tb_) != 0) { tap_case_failed = 1; \
	printf("#   %s:%d: %s == %s\n#     got:      \"%s\"\n#     expected: \"%s\"\n", \
	__FILE__, __LINE__, #a, #b, ta_ ? ta_ : "(null)", tb_ ? tb_ : "(null)"); } } while (0)
#define CHECK_INT(a, b) do { long long ta_ = (long long)(a), tb_ = (long long)(b); \
	if (ta_ != tb_) { tap_case_failed = 1; \
	printf("#   %s:%d: %s == %s: got %lld, expected %lld\n", \
	__FILE__, __LINE__, #a, #b, ta_, tb_); } } while (0)

#define RUN(fn) tap_run(#fn, fn)

static inline void tap_run(const char *name, void (*fn)(void))
{
	tap_case_failed = 0;
	fflush(stdout);
	fn();
	printf("%s - %s\n", tap_case_failed ? "not ok" : "ok", name);
	tap_results++;
	fflush(stdout);
	if (tap_case_failed)
		tap_any_failed = 1;
}

static inline void tap_skip(const char *name, const char *why)
{
	printf("ok - %s # SKIP %s\n", name, why);
	tap_results++;
}

/* Prints the plan; the exit status for main(). */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_results);
	fflush(stdout);
	return tap_any_failed;
}

#endif
