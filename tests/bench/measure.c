/* Benchmark wrapper (like GNU time, with more precision): runs one command
 * and prints one JSON line on stdout with its wall time, CPU time (user +
 * system) and peak RSS, taken from wait4 on a child forked from this small
 * process (so the RSS is the command's own, not a large parent's).
 *
 *   measure [-o FILE] [-f] [-i MARKER -d MS] -- CMD [ARGS...]
 *     -o FILE    the command's stdout goes to FILE (default /dev/null)
 *     -f         time to the first byte of stdout too ("first_ms")
 *     -i MARKER  once MARKER has appeared on stdout, wait -d MS, send SIGINT
 *                and report the time from the signal to the exit ("cancel_ms")
 *     -n         the command inherits stdin and stdout (a terminal: the TUI)
 * Otherwise the command's stdin is /dev/null; its stderr is inherited. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	const char *out = "/dev/null", *marker = NULL;
	int first = 0, inherit = 0;
	long delay = 0;
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (strcmp(argv[i], "-n") == 0) {
			inherit = 1;
		} else if (strcmp(argv[i], "-f") == 0) {
			first = 1;
		} else if (strcmp(argv[i], "-i") == 0 && i + 1 < argc) {
			marker = argv[++i];
		} else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
			delay = atol(argv[++i]);
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: measure [-o FILE] [-f] [-i MARKER -d MS] -- CMD [ARGS...]\n");
		return 2;
	}
	int piped = !inherit && (first || marker);
	int ofd = inherit ? dup(1) : open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (ofd < 0) {
		perror(out);
		return 2;
	}
	int pfd[2] = { -1, -1 };
	if (piped && pipe(pfd) != 0) {
		perror("pipe");
		return 2;
	}
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		if (!inherit) {
			int in = open("/dev/null", O_RDONLY);
			dup2(in, 0);
			dup2(piped ? pfd[1] : ofd, 1);
		}
		if (piped) {
			close(pfd[0]);
			close(pfd[1]);
		}
		close(ofd);
		execvp(argv[i], argv + i);
		perror(argv[i]);
		_exit(127);
	}
	double t_first = -1, t_int = -1;
	if (piped) {
		close(pfd[1]);
		char buf[65536];
		/* keep the tail so a marker split across reads is still found */
		char seen[65536 + 256];
		size_t seen_len = 0, mlen = marker ? strlen(marker) : 0;
		for (;;) {
			ssize_t n = read(pfd[0], buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (t_first < 0)
				t_first = now_ms();
			if (write(ofd, buf, (size_t)n) < 0) {
				/* the output file is only for checking; keep reading */
			}
			if (marker && t_int < 0) {
				size_t keep = seen_len < mlen ? seen_len : mlen;
				memmove(seen, seen + seen_len - keep, keep);
				memcpy(seen + keep, buf, (size_t)n);
				seen_len = keep + (size_t)n;
				if (memmem(seen, seen_len, marker, mlen)) {
					sleep_ms(delay);
					t_int = now_ms();
					kill(pid, SIGINT);
				}
			}
		}
		close(pfd[0]);
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	double t1 = now_ms();
	close(ofd);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("{\"wall_ms\": %.3f, \"cpu_ms\": %.3f, \"rss_kb\": %ld, \"status\": %d", t1 - t0,
	       (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3,
	       ru.ru_maxrss, code);
	if (first)
		printf(", \"first_ms\": %.3f", t_first < 0 ? t1 - t0 : t_first - t0);
	if (marker)
		printf(", \"cancel_ms\": %.3f", t_int < 0 ? -1.0 : t1 - t_int);
	printf("}\n");
	return 0;
}
