/* The file module on real files: regular-only reads (a FIFO is refused at
 * once), atomic replacement, stale temporaries of dead writers removed (a
 * live writer's kept), and the folder lock. */
#include "core/buf.h"
#include "core/file.h"
#include "core/util.h"
#include "tests/unit/tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/pwb-test-file-XXXXXX");
	if (!mkdtemp(dir))
		abort();
}

static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int count_prefix(const char *prefix)
{
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

static void test_read_regular(void)
{
	setup();
	char *p = xasprintf("%s/a.txt", dir);
	CHECK(file_write_atomic(p, "hello\0world", 11, 0640, NULL) == 0);
	struct buf b;
	buf_init(&b, 0);
	CHECK(file_read_regular(p, &b, NULL) == 0);
	CHECK_INT(b.len, 11);
	CHECK(!memcmp(buf_str(&b), "hello\0world", 11));
	struct stat st;
	CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0640);
	buf_done(&b);
	/* the cap */
	buf_init(&b, 4);
	errno = 0;
	CHECK(file_read_regular(p, &b, NULL) < 0 && errno == EFBIG);
	buf_done(&b);
	/* a FIFO with no writer: refused at once, not waited on */
	char *f = xasprintf("%s/f", dir);
	CHECK(mkfifo(f, 0600) == 0);
	const char *why = NULL;
	buf_init(&b, 0);
	CHECK(file_read_regular(f, &b, &why) < 0);
	CHECK_STR(why, "is a FIFO, not a regular file");
	CHECK(file_read_regular("/dev/zero", &b, &why) < 0);
	CHECK_STR(why, "is a device, not a regular file");
	CHECK(file_read_regular("/nonexistent/x", &b, &why) < 0 && errno == ENOENT && !why);
	buf_done(&b);
	free(f);
	free(p);
	teardown();
}

static void test_atomic_replace_and_failure(void)
{
	setup();
	char *p = xasprintf("%s/b.txt", dir);
	CHECK(file_write_atomic(p, "one", 3, 0600, NULL) == 0);
	CHECK(file_write_atomic(p, "two!", 4, 0600, NULL) == 0);
	struct buf b;
	buf_init(&b, 0);
	CHECK(file_read_regular(p, &b, NULL) == 0);
	CHECK_STR(buf_str(&b), "two!");
	buf_done(&b);
	CHECK_INT(count_prefix(".b.txt.pwbtmp-"), 0);
	/* a folder that does not exist: the step is named */
	const char *step = NULL;
	CHECK(file_write_atomic("/nonexistent/dir/x", "z", 1, 0600, &step) < 0);
	CHECK_STR(step, "creating a temporary file");
	free(p);
	teardown();
}

static void test_stale_temps(void)
{
	setup();
	char *p = xasprintf("%s/c.yaml", dir);
	/* a dead writer's temporary: a child that exited */
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	char *dead = xasprintf("%s/.c.yaml.pwbtmp-%ld-AAAAAA", dir, (long)pid);
	char *live = xasprintf("%s/.c.yaml.pwbtmp-%ld-BBBBBB", dir, (long)getpid());
	char *other = xasprintf("%s/.c.yaml.pwbtmp-notapid", dir);
	CHECK(file_write_atomic(dead, "x", 1, 0600, NULL) == 0);
	CHECK(file_write_atomic(live, "x", 1, 0600, NULL) == 0);
	CHECK(file_write_atomic(other, "x", 1, 0600, NULL) == 0);
	CHECK_INT(file_clean_stale_temps(p), 1);
	CHECK(access(dead, F_OK) < 0);
	CHECK(access(live, F_OK) == 0);  /* its writer (this process) is alive */
	CHECK(access(other, F_OK) == 0); /* not of our form: never guessed at */
	/* the name carries this process's id */
	char *t = file_temp_name(p);
	char *want = xasprintf("%s/.c.yaml.pwbtmp-%ld-XXXXXX", dir, (long)getpid());
	CHECK_STR(t, want);
	free(want);
	free(t);
	free(dead);
	free(live);
	free(other);
	free(p);
	teardown();
}

static void test_lock(void)
{
	setup();
	char *p = xasprintf("%s/d.yaml", dir);
	int a = file_lock(p, 0);
	CHECK(a >= 0);
	/* another open file description conflicts, even in this process */
	errno = 0;
	int b = file_lock(p, 30);
	CHECK(b < 0 && errno == EWOULDBLOCK);
	file_unlock(a);
	b = file_lock(p, 0);
	CHECK(b >= 0);
	file_unlock(b);
	free(p);
	teardown();
}

int main(void)
{
	RUN(test_read_regular);
	RUN(test_atomic_replace_and_failure);
	RUN(test_stale_temps);
	RUN(test_lock);
	return tap_done();
}
