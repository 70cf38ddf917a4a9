/* The local Messages API test server (tests/server.py) for C unit tests
 * that need real loopback HTTP: start it with a script in a folder, read
 * its URL and request log, stop it. Header-only, like tap.h; the state is
 * one server per test program. */
#ifndef PWB_TESTSERVER_H
#define PWB_TESTSERVER_H

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t srv_pid;
static char base_url[64];   /* http://127.0.0.1:PORT once started */
static char log_path[256];  /* the server's request log (JSON lines) */

static void server_stop(void)
{
	if (srv_pid > 0) {
		kill(srv_pid, SIGTERM);
		waitpid(srv_pid, NULL, 0);
		srv_pid = 0;
	}
}

/* Start the server with script (JSON text) in dir; a bounded wait for its
 * port. 0, or -1 (said as a TAP comment). */
static int server_start_in(const char *dir, const char *script)
{
	server_stop();
	char sp[256], pp[256];
	snprintf(sp, sizeof sp, "%s/script.json", dir);
	snprintf(pp, sizeof pp, "%s/port", dir);
	snprintf(log_path, sizeof log_path, "%s/server-log.jsonl", dir);
	FILE *f = fopen(sp, "w");
	if (!f)
		return -1;
	fputs(script, f);
	fclose(f);
	unlink(pp);
	unlink(log_path);
	srv_pid = fork();
	if (srv_pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		/* The system python starts fastest; any python3 works. */
		const char *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
		execlp(py, py, "tests/server.py", "--script", sp, "--port-file", pp, "--log", log_path,
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 400; i++) {
		char port[32] = "";
		FILE *pf = fopen(pp, "r");
		if (pf) {
			if (!fgets(port, sizeof port, pf))
				port[0] = 0;
			fclose(pf);
		}
		if (atoi(port) > 0) {
			snprintf(base_url, sizeof base_url, "http://127.0.0.1:%d", atoi(port));
			return 0;
		}
		struct timespec ts = { 0, 25 * 1000000L };
		nanosleep(&ts, NULL);
	}
	printf("# server did not start\n");
	return -1;
}

#endif
