/* Files: read a whole regular file without ever blocking on a FIFO or a
 * device, and replace a file atomically (temporary file, fsync, rename,
 * fsync of the folder). Both retry on EINTR. */
#ifndef PWB_FILE_H
#define PWB_FILE_H

#include <stddef.h>

struct buf;

/* Read the whole regular file at path into b (appended; b's cap applies).
 * The file is opened with O_NONBLOCK and checked with fstat, so a FIFO,
 * socket or device is refused at once. Returns 0, or -1 with errno set:
 * EFTYPE-like cases give EINVAL with *why (when not NULL) set to a static
 * sentence ("is a FIFO, not a regular file"); a cap reached gives EFBIG. */
int file_read_regular(const char *path, struct buf *b, const char **why);
/* Read all of fd (a pipe or stdin) into b; 0, or -1 with errno (EFBIG at the cap). */
int file_read_fd(int fd, struct buf *b);
/* Write all n bytes to fd, retrying short writes and EINTR. 0 or -1 (errno). */
int file_write_all(int fd, const void *p, size_t n);
/* The folder part of path ("." when none), malloc'd. */
char *file_dir_of(const char *path);

/* The temporary name for target: ".BASE.pwbtmp-PID-XXXXXX" beside it, so a
 * stale one (its writer killed) can be told from a live one. malloc'd,
 * ready for mkstemp. */
char *file_temp_name(const char *target);
/* Remove the temporaries of target (file_temp_name's form) whose writer
 * process is gone; returns how many were removed. */
int file_clean_stale_temps(const char *target);

/* Replace target with the n bytes at data: written to file_temp_name,
 * given mode, fsync'd, renamed over target, folder fsync'd. On any failure
 * target is untouched and -1 returns with errno set and *step (when not
 * NULL) naming what failed ("creating a temporary file", "writing", ...). */
int file_write_atomic(const char *target, const void *data, size_t n, unsigned mode,
		      const char **step);

/* Take an exclusive advisory lock (flock) on the folder that holds target
 * (no lock file is left behind; the folder outlives every rename in it),
 * waiting at most timeout_ms. Returns the lock's descriptor, or -1
 * with errno (EWOULDBLOCK on time-out). Release with file_unlock. */
int file_lock(const char *target, int timeout_ms);
void file_unlock(int fd);

#endif
