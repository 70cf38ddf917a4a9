/* core/pathcomplete: a typed path completed from its folder's entries. */
#include "core/pathcomplete.h"
#include "tests/unit/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void touch(const char *name)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", root, name);
	FILE *f = fopen(p, "w");
	if (f)
		fclose(f);
}

static void test_complete(void)
{
	char t[256];
	size_t n;
	touch("rows-one.csv");
	touch("rows-two.csv");
	touch(".hidden.csv");
	snprintf(t, sizeof t, "%s/sub", root);
	mkdir(t, 0700);
	snprintf(t, sizeof t, "%s/ro", root);
	char *c = pathcomplete(t, &n);
	char want[256];
	snprintf(want, sizeof want, "%s/rows-", root);
	CHECK_STR(c, want);
	CHECK_INT(n, 2);
	free(c);
	snprintf(t, sizeof t, "%s/rows-t", root);
	c = pathcomplete(t, &n);
	snprintf(want, sizeof want, "%s/rows-two.csv", root);
	CHECK_STR(c, want);
	free(c);
	snprintf(t, sizeof t, "%s/s", root);
	c = pathcomplete(t, &n);
	snprintf(want, sizeof want, "%s/sub/", root);
	CHECK_STR(c, want);
	free(c);
	snprintf(t, sizeof t, "%s/", root);
	c = pathcomplete(t, &n);
	CHECK_INT(n, 3); /* the hidden file left out */
	free(c);
	snprintf(t, sizeof t, "%s/zz", root);
	c = pathcomplete(t, &n);
	CHECK_STR(c, t);
	CHECK_INT(n, 0);
	free(c);
}

int main(void)
{
	snprintf(root, sizeof root, "/tmp/pwb-pathcomplete-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	RUN(test_complete);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
