/* core/csvedit: a rows CSV edited in place keeps every column, its line
 * ending and byte order mark, quotes what needs quoting, and an empty row
 * stays a row. */
#include "core/csvedit.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>

static void test_roundtrip_and_edits(void)
{
	const char *in = "a,__expected,b\r\n\"x, y\",contains:x,\"q\"\"q\"\r\n2,,3\r\n";
	char *err = NULL;
	struct csvedit *c = csvedit_parse(in, strlen(in), &err);
	CHECK(c != NULL);
	CHECK_INT(csvedit_rows(c), 2);
	char *out = csvedit_emit(c);
	CHECK_STR(out, "a,__expected,b\r\n\"x, y\",contains:x,\"q\"\"q\"\r\n2,,3\r\n");
	free(out);
	csvedit_set(c, 1, "b", "line\nbreak");
	csvedit_set(c, 0, "new", "n");
	csvedit_insert(c, 0);
	csvedit_delete(c, 2);
	out = csvedit_emit(c);
	CHECK_STR(out, "a,__expected,b,new\r\n,,,\r\n\"x, y\",contains:x,\"q\"\"q\",n\r\n");
	free(out);
	csvedit_free(c);
}

static void test_empty_row_and_bom(void)
{
	const char *in = "\xEF\xBB\xBFonly\nv\n";
	char *err = NULL;
	struct csvedit *c = csvedit_parse(in, strlen(in), &err);
	CHECK(c != NULL);
	csvedit_insert(c, 1);
	char *out = csvedit_emit(c);
	CHECK_STR(out, "\xEF\xBB\xBFonly\nv\n\"\"\n");
	free(out);
	csvedit_free(c);
	CHECK(csvedit_parse("", 0, &err) == NULL);
	CHECK(err != NULL);
	free(err);
}

int main(void)
{
	RUN(test_roundtrip_and_edits);
	RUN(test_empty_row_and_bom);
	return tap_done();
}
