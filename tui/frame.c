#include "tui/frame.h"
#include "tui/app.h"
#include "tui/display.h"
#include "tui/view-eval.h"
#include "core/loop.h"

#include <time.h>

/* Frames are paced by the real clock: the loop's clock may be pinned in
 * tests (PWB_TEST_CLOCK). */
static long long real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void draw_if_due(struct app *a, long *wait)
{
	if (!a->dirty || a->suspended)
		return;
	long long now = real_ms(), since = now - a->last_frame;
	if (since >= FRAME_MS || since < 0) {
		display_render(a);
		a->last_frame = now;
		a->dirty = 0;
	} else if (*wait > FRAME_MS - since) {
		*wait = (long)(FRAME_MS - since);
	}
}

void frame_step(struct app *a, long max_wait_ms)
{
	long wait = max_wait_ms;
	draw_if_due(a, &wait);
	if ((a->run.state == RS_RETRYING || a->run.state == RS_STREAMING || view_eval_running(a)) &&
	    wait > FRAME_STREAM_POLL_MS)
		wait = FRAME_STREAM_POLL_MS;
	if (a->diags_stale && wait > FRAME_VALIDATE_DEBOUNCE_MS)
		wait = FRAME_VALIDATE_DEBOUNCE_MS;
	loop_once(a->loop, wait);
	app_pass(a);
	if (a->run.state == RS_RETRYING || view_eval_running(a))
		app_dirty(a); /* the countdown, the evaluation's ETA */
	wait = 0;
	draw_if_due(a, &wait);
}
