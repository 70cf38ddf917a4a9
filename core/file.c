/* Whole-file reads and atomic replacement, shared by the preset saver,
 * the autosave and export -o, so each gets the same care: no blocking
 * open of a FIFO, EINTR retried, fsync before rename, the folder fsync'd. */
#include "core/file.h"
#include "core/buf.h"
#include "core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TEMP_TAG ".pwbtmp-"

int file_read_fd(int fd, struct buf *b)
{
	char tmp[65536];
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof tmp);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		if (buf_append(b, tmp, (size_t)n) < 0) {
			errno = EFBIG;
			return -1;
		}
	}
}

static const char *kind_of(mode_t m)
{
	if (S_ISFIFO(m))
		return "is a FIFO, not a regular file";
	if (S_ISSOCK(m))
		return "is a socket, not a regular file";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "is a device, not a regular file";
	if (S_ISDIR(m))
		return "is a folder, not a file";
	return "is not a regular file";
}

int file_read_regular(const char *path, struct buf *b, const char **why)
{
	if (why)
		*why = NULL;
	int fd;
	do
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		if (errno == ENXIO && why) /* a socket, or a FIFO opened for writing elsewhere */
			*why = "is a socket or FIFO, not a regular file";
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		if (why)
			*why = kind_of(st.st_mode);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	/* a regular file never blocks; clear the flag anyway for odd filesystems */
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	int rc = file_read_fd(fd, b);
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}

int file_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

char *file_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

char *file_temp_name(const char *target)
{
	char *dir = file_dir_of(target);
	char *t = xasprintf("%s/.%s" TEMP_TAG "%ld-XXXXXX", dir, base_of(target), (long)getpid());
	free(dir);
	return t;
}

int file_clean_stale_temps(const char *target)
{
	char *dir = file_dir_of(target);
	char *prefix = xasprintf(".%s" TEMP_TAG, base_of(target));
	size_t plen = strlen(prefix);
	int removed = 0;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, prefix, plen) != 0)
				continue;
			char *end;
			long pid = strtol(e->d_name + plen, &end, 10);
			if (pid <= 0 || *end != '-')
				continue; /* not ours: never guessed at */
			/* the owner is checked: ESRCH means no such process */
			if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
				continue;
			char *full = xasprintf("%s/%s", dir, e->d_name);
			if (unlink(full) == 0)
				removed++;
			free(full);
		}
		closedir(d);
	}
	free(prefix);
	free(dir);
	return removed;
}

static void fsync_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

int file_write_atomic(const char *target, const void *data, size_t n, unsigned mode,
		      const char **step)
{
	const char *dummy;
	if (!step)
		step = &dummy;
	char *tmp = file_temp_name(target);
	*step = "creating a temporary file";
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		errno = e;
		return -1;
	}
	int rc = -1;
	*step = "writing";
	if (file_write_all(fd, data, n) < 0)
		goto out;
	*step = "setting the mode";
	if (fchmod(fd, (mode_t)mode) < 0)
		goto out;
	*step = "syncing";
	if (fsync(fd) < 0)
		goto out;
	*step = "closing";
	int c = close(fd);
	fd = -1;
	if (c < 0)
		goto out;
	*step = "renaming";
	if (rename(tmp, target) < 0)
		goto out;
	char *dir = file_dir_of(target);
	fsync_dir(dir);
	free(dir);
	rc = 0;
out:;
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	errno = e;
	return rc;
}

int file_lock(const char *target, int timeout_ms)
{
	char *dir = file_dir_of(target);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	for (int waited = 0;; waited += 10) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK || waited >= timeout_ms)
			break;
		struct timespec ts = { 0, 10 * 1000 * 1000 }; /* a save holds it for milliseconds */
		nanosleep(&ts, NULL);
	}
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

void file_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing the last descriptor releases the flock */
}
