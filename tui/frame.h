/* One pass of the workbench's loop and the timings that pace it, in one
 * place: the terminal loop (main.c) and the script mode's waits (input.c)
 * both advance by frame_step, so a script sees the frames a person would. */
#ifndef PWB_TUI_FRAME_H
#define PWB_TUI_FRAME_H

struct app;

enum {
	FRAME_MS = 16,               /* at most ~60 frames a second */
	FRAME_VALIDATE_DEBOUNCE_MS = 150, /* revalidate once typing pauses this long */
	FRAME_STREAM_POLL_MS = 250,  /* wake this often while streaming or retrying (rate, countdown) */
	FRAME_IDLE_POLL_MS = 1000,   /* the longest wait with nothing due */
	FRAME_SCRIPT_POLL_MS = 20,   /* a script's @wait-* looks again this often */
};

/* Wait for I/O, timers or signals up to max_wait_ms (less when a frame, a
 * validation or a countdown is due), run what is ready, app_pass, and draw
 * a frame when the screen is dirty and the last frame is FRAME_MS old. */
void frame_step(struct app *a, long max_wait_ms);

#endif
