/* The one place pwb waits: libcurl's sockets, extra fds (the keyboard, a
 * signal self-pipe) and timers all go through one curl_multi_poll() in
 * loop_once. Nothing else blocks. The loop owns the curl multi handle. */
#ifndef PWB_LOOP_H
#define PWB_LOOP_H

struct loop;

typedef void (*loop_fd_fn)(void *ud, int fd);
typedef void (*loop_timer_fn)(void *ud);

struct loop *loop_new(void);
/* Frees the loop; transfers still attached must have been removed by their owners. */
void loop_free(struct loop *l);

/* Watch fd for reading; fn runs from loop_once when it is readable. */
void loop_add_fd(struct loop *l, int fd, loop_fd_fn fn, void *ud);
void loop_remove_fd(struct loop *l, int fd);

/* Run fn once after ms milliseconds (from loop_once). Returns an id > 0. */
unsigned loop_add_timer(struct loop *l, long ms, loop_timer_fn fn, void *ud);
void loop_cancel_timer(struct loop *l, unsigned id);

/* One pass: drive transfers (curl_multi_perform and reaping finished ones),
 * run due timers, then wait up to max_wait_ms (or less when a timer or curl
 * wants it) for an fd or a socket, and dispatch ready fds. */
void loop_once(struct loop *l, long max_wait_ms);
/* Wake a loop_once blocked in poll (safe from another thread, not from a signal handler). */
void loop_wakeup(struct loop *l);

/* Monotonic milliseconds. PWB_TEST_CLOCK=<ms> in the environment pins it
 * (the TUI's script mode uses it for stable countdowns). */
long long loop_now_ms(const struct loop *l);

/* For the HTTP module only: the CURLM * handle, and a reaper called with
 * each finished easy handle (CURL *) and its CURLcode. */
void *loop_curl_multi(struct loop *l);
void loop_set_reaper(struct loop *l, void (*fn)(void *ud, void *easy, int code), void *ud);

#endif
