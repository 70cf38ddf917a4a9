/* The signal self-pipe shared by the headless commands and the workbench:
 * a handler only writes the signal's number as one byte to a
 * close-on-exec, non-blocking pipe; the event loop watches the read end
 * and calls sigpipe_drain. One per process. */
#ifndef PWB_SIGPIPE_H
#define PWB_SIGPIPE_H

#include <signal.h>
#include <stddef.h>

/* Create the pipe (once) and install the handler for signals[0..n) with
 * SA_RESTART, remembering the handlers they replace. Returns 0, or -1
 * when the pipe cannot be made (nothing installed). */
int sigpipe_install(const int *signals, size_t n);

/* The read end to watch, or -1 before sigpipe_install. */
int sigpipe_fd(void);

/* Read every byte waiting (never blocks) and add each signal that
 * arrived to *arrived (when not NULL). Returns how many arrived. */
int sigpipe_drain(sigset_t *arrived);

/* 1 when sig arrived at any time since sigpipe_install. */
int sigpipe_seen(int sig);

/* Put back the handlers sigpipe_install replaced and close the pipe. */
void sigpipe_remove(void);

#endif
