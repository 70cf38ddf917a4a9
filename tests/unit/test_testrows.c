/* core/testrows: rows from JSON with positions, from real CSV and JSON Lines
 * files (quoting, CRLF, BOM, ragged rows with their line, blank lines, the
 * __ columns), the top-level assert, variable checks and merging. */
#include "core/assert.h"
#include "core/diag.h"
#include "core/session.h"
#include "core/testrows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#define T(fn) RUN(fn)

static char tmpdir[256];

static char *write_file(const char *name, const char *data, size_t len)
{
	char *path = malloc(strlen(tmpdir) + strlen(name) + 2);
	sprintf(path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, len, f);
	fclose(f);
	return path;
}

/* Load CSV text through a real file. */
static struct testrows *csv(const char *text, struct diag_list *d)
{
	char *path = write_file("rows.csv", text, strlen(text));
	struct testrows *r = testrows_load_file(path, NULL, NULL, d);
	free(path);
	return r;
}

static void print_diags(const struct diag_list *d)
{
	for (size_t i = 0; i < d->n; i++)
		printf("#   diag: line %d: %s\n", d->v[i].line, d->v[i].message);
}

static void test_csv_quoting(void)
{
	struct diag_list d;
	diag_list_init(&d);
	struct testrows *r = csv(" city , note ,__expected\n"
				 "\"Paris, France\",\"say \"\"hi\"\"\",contains:Paris\n"
				 "\"Lyon\",\"two\nlines\",\n"
				 "  Nice ,He said \"hi\",\n", &d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 0);
	print_diags(&d);
	CHECK_INT(r->n, 3);
	if (r->n == 3) {
		CHECK_STR(testrow_var(&r->v[0], "city"), "Paris, France");
		CHECK_STR(testrow_var(&r->v[0], "note"), "say \"hi\"");
		CHECK_INT(r->v[0].nasserts, 1);
		CHECK_STR(r->v[0].asserts[0]->type, "contains");
		CHECK_INT(r->v[0].line, 2);
		CHECK_STR(testrow_var(&r->v[1], "note"), "two\nlines");
		CHECK_INT(r->v[1].nasserts, 0);
		CHECK_INT(r->v[1].line, 3);
		/* variable cells are kept exactly */
		CHECK_STR(testrow_var(&r->v[2], "city"), "  Nice ");
		/* a quote inside an unquoted cell is text */
		CHECK_STR(testrow_var(&r->v[2], "note"), "He said \"hi\"");
		CHECK_INT(r->v[2].line, 5);
		CHECK(r->v[2].file && strstr(r->v[2].file, "rows.csv"));
	}
	testrows_free(r);
	diag_list_done(&d);
}

static void test_csv_crlf_bom_blank(void)
{
	struct diag_list d;
	diag_list_init(&d);
	struct testrows *r = csv("\xEF\xBB\xBF" "name,__expected\r\n"
				 "\r\n"
				 "Ada,equals:Hi Ada\r\n"
				 "\r\n"
				 "\r\n"
				 "\"Bob\r\nJr\",\r\n", &d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 0);
	print_diags(&d);
	CHECK_INT(r->n, 2);
	if (r->n == 2) {
		CHECK_STR(r->v[0].vars[0].name, "name"); /* BOM dropped */
		CHECK_STR(testrow_var(&r->v[0], "name"), "Ada");
		CHECK_INT(r->v[0].line, 3);
		CHECK_STR(r->v[0].asserts[0]->value_json, "\"Hi Ada\"");
		CHECK_STR(testrow_var(&r->v[1], "name"), "Bob\r\nJr");
		CHECK_INT(r->v[1].line, 6);
	}
	testrows_free(r);
	diag_list_done(&d);
}

static void test_csv_ragged(void)
{
	struct diag_list d;
	diag_list_init(&d);
	/* the ragged row starts on line 4: line 2's record spans lines 2-3 */
	struct testrows *r = csv("a,b\n"
				 "1,\"x\ny\"\n"
				 "only one\n"
				 "3,4\n"
				 "5,6,7", &d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 2);
	CHECK(d.n >= 2 && d.v[0].line == 4 && strstr(d.v[0].message, "1 cell, the header has 2"));
	CHECK(d.n >= 2 && d.v[1].line == 6 && strstr(d.v[1].message, "3 cells"));
	CHECK(d.n >= 1 && d.v[0].file && strstr(d.v[0].file, "rows.csv"));
	CHECK_INT(r->n, 2);
	testrows_free(r);
	diag_list_done(&d);

	diag_list_init(&d);
	r = csv("a\n\"never closed\n", &d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 1);
	CHECK(d.n == 1 && d.v[0].line == 2 && strstr(d.v[0].message, "not closed"));
	testrows_free(r);
	diag_list_done(&d);
}

static void test_csv_columns(void)
{
	struct diag_list d;
	diag_list_init(&d);
	struct testrows *r = csv("__expected_tone,q,__description,__expected1,__expected\n"
				 "icontains:calm,Why?,  the why row ,regex:^Because,\"contains-all:a,\"\"b,c\"\"\"\n",
				 &d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 0);
	print_diags(&d);
	CHECK_INT(r->n, 1);
	if (r->n == 1) {
		const struct testrow *row = &r->v[0];
		CHECK_STR(row->description, "the why row");
		CHECK_INT(row->nvars, 1);
		CHECK_STR(testrow_var(row, "q"), "Why?");
		CHECK_INT(row->nasserts, 3);
		if (row->nasserts == 3) {
			/* column order */
			CHECK_STR(row->asserts[0]->type, "icontains");
			CHECK_STR(row->asserts[1]->type, "regex");
			CHECK_STR(row->asserts[2]->type, "contains-all");
			CHECK_STR(row->asserts[2]->value_json, "[\"a\",\"b,c\"]");
			CHECK_INT(row->asserts[1]->line, 2);
			CHECK_STR(row->asserts[1]->path, "__expected1");
		}
	}
	testrows_free(r);
	diag_list_done(&d);

	diag_list_init(&d);
	r = csv("q,__prefix,__expected\nx,y,contains:x\n", &d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 1);
	CHECK(d.n == 1 && d.v[0].line == 1 && strstr(d.v[0].message, "'__prefix' is not supported"));
	CHECK_INT(r->n, 0);
	testrows_free(r);
	diag_list_done(&d);
}

static void test_csv_bad_cells(void)
{
	struct diag_list d;
	diag_list_init(&d);
	struct testrows *r = csv("q,__expected\n"
				 "a,regex:(unclosed\n"
				 "b,javascript:output.length > 2\n"
				 "c,\"contains-any: , \"\n"
				 "d,not-latency:100\n"
				 "e,cost:0.01\n", &d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 4);
	if (d.n == 4) {
		CHECK(d.v[0].line == 2 && strstr(d.v[0].message, "offset"));
		CHECK(d.v[1].line == 3 && strstr(d.v[1].message, "never runs code"));
		CHECK(d.v[2].line == 4 && strstr(d.v[2].message, "empty"));
		CHECK(d.v[3].line == 5 && strstr(d.v[3].message, "cannot be negated"));
	}
	print_diags(&d);
	CHECK_INT(r->n, 1);
	if (r->n == 1)
		CHECK(r->v[0].asserts[0]->has_threshold && r->v[0].asserts[0]->threshold == 0.01);
	testrows_free(r);
	diag_list_done(&d);

	diag_list_init(&d);
	r = csv("", &d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 1);
	CHECK_INT(r->n, 0);
	testrows_free(r);
	diag_list_done(&d);
}

static void test_jsonl(void)
{
	const char *text = "{\"description\":\"one\",\"vars\":{\"q\":\"Hi\\nthere\"},"
			   "\"assert\":[{\"type\":\"contains\",\"value\":\"x\"}]}\n"
			   "\n"
			   "{\"vars\":{\"q\":\"two\"},\"assert\":[{\"type\":\"nope\"}]}\n"
			   "not json\n"
			   "{\"vars\":{\"q\":3}}";
	char *path = write_file("rows.jsonl", text, strlen(text));
	struct diag_list d;
	diag_list_init(&d);
	struct testrows *r = testrows_load_file(path, NULL, NULL, &d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 2);
	if (d.n >= 2) {
		CHECK_INT(d.v[0].line, 3);
		CHECK(strstr(d.v[0].message, "unknown assertion type 'nope'") != NULL);
		CHECK_INT(d.v[1].line, 4);
		CHECK_STR(d.v[1].file, path);
	}
	CHECK_INT(r->n, 2);
	if (r->n == 2) {
		CHECK_STR(r->v[0].description, "one");
		CHECK_STR(testrow_var(&r->v[0], "q"), "Hi\nthere");
		CHECK_INT(r->v[0].line, 1);
		CHECK_INT(r->v[0].asserts[0]->line, 1);
		CHECK_STR(testrow_var(&r->v[1], "q"), "3");
		CHECK_INT(r->v[1].line, 5);
	}
	testrows_free(r);
	diag_list_done(&d);
	free(path);
}

static int locate(void *ud, const char *path, int *line, int *col)
{
	(void)ud;
	static const struct { const char *path; int line, col; } map[] = {
		{ "tests[0]", 10, 5 },
		{ "tests[1]", 14, 5 },
		{ "tests[1].vars.city", 15, 13 },
		{ "tests[1].assert[0]", 17, 9 },
		{ "assert[0]", 3, 5 },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].path, path) == 0) {
			*line = map[i].line;
			*col = map[i].col;
			return 1;
		}
	return 0;
}

static void test_session_rows(void)
{
	const char *tests = "[{\"description\":\"Paris\",\"vars\":{\"city\":\"Paris\"},"
			    "\"assert\":[{\"type\":\"icontains\",\"value\":\"{{city}}\"}]},"
			    "{\"vars\":{\"city\":[\"a\",\"b\"]},"
			    "\"assert\":[{\"type\":\"regex\",\"value\":\"(\"}]},"
			    "{\"vars\":{\"lang\":\"fr\"}}]";
	const char *common = "[{\"type\":\"latency\",\"threshold\":5000}]";
	struct diag_list d;
	diag_list_init(&d);
	struct testrows *r = testrows_load(tests, common, "presets/p.yaml", locate, NULL, NULL,
					   NULL, &d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 2);
	if (d.n >= 2) {
		CHECK_INT(d.v[0].line, 15);
		CHECK_INT(d.v[0].col, 13);
		CHECK_STR(d.v[0].file, "presets/p.yaml");
		CHECK(strstr(d.v[0].message, "tests[1].vars.city") != NULL);
		CHECK_INT(d.v[1].line, 17);
		CHECK(strstr(d.v[1].message, "does not compile") != NULL);
	}
	CHECK_INT(r->n, 2);
	if (r->n == 2) {
		CHECK_STR(r->v[0].path, "tests[0]");
		CHECK_INT(r->v[0].line, 10);
		CHECK_INT(r->v[0].nasserts, 2);
		CHECK_STR(r->v[0].asserts[0]->type, "latency");
		CHECK_INT(r->v[0].asserts[0]->line, 3);
		CHECK_STR(r->v[0].asserts[1]->type, "icontains");
		CHECK_INT(r->v[1].nasserts, 1);
	}

	/* validation: the prompt uses {{city}} and {{tone}}; variables: gives tone */
	struct session *s = session_new();
	s->vars = calloc(2, sizeof *s->vars);
	s->vars[0].name = strdup("tone");
	s->vars[0].value = strdup("warm");
	s->vars[1].name = strdup("city");
	s->vars[1].value = strdup("Berlin");
	s->nvars = 1;
	const char *used[] = { "city", "tone" };
	diag_list_done(&d);
	diag_list_init(&d);
	CHECK_INT(testrows_validate(r, used, 2, s, &d), 1);
	CHECK(d.n == 1 && strstr(d.v[0].message, "tests[2]") && strstr(d.v[0].message, "{{city}}"));
	CHECK(d.n == 1 && d.v[0].line == 0);
	/* with city in variables:, every row is complete */
	s->nvars = 2;
	diag_list_done(&d);
	diag_list_init(&d);
	CHECK_INT(testrows_validate(r, used, 2, s, &d), 0);

	/* merged: the session's defaults overridden by the row */
	size_t n = 0;
	struct session_var *m = testrow_merged_vars(&r->v[0], s, &n);
	CHECK_INT(n, 2);
	CHECK_STR(m[0].name, "tone");
	CHECK_STR(m[0].value, "warm");
	CHECK_STR(m[1].name, "city");
	CHECK_STR(m[1].value, "Paris");
	free(m);
	m = testrow_merged_vars(&r->v[1], s, &n);
	CHECK_INT(n, 3);
	CHECK_STR(m[1].value, "Berlin");
	CHECK_STR(m[2].name, "lang");
	free(m);
	session_free(s);
	testrows_free(r);
	diag_list_done(&d);
}

static struct testrows *fake_yaml(void *ud, const char *path, struct diag_list *diags)
{
	(void)diags;
	*(int *)ud = strstr(path, "fixtures/eval/rows.yaml") != NULL;
	return testrows_from_json("[{\"vars\":{\"city\":\"Bern\"}}]", path, "", NULL, NULL, diags);
}

static void test_files_from_preset(void)
{
	const char *root = getenv("PWB_ROOT") ? getenv("PWB_ROOT") : ".";
	char preset[512];
	snprintf(preset, sizeof preset, "%s/tests/fixtures/eval/preset.yaml", root);
	struct diag_list d;
	diag_list_init(&d);
	struct testrows *r = testrows_load("\"rows.csv\"", "[{\"type\":\"not-contains\","
					   "\"value\":\"sorry\"}]", preset, NULL, NULL, NULL,
					   NULL, &d);
	print_diags(&d);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 0);
	CHECK(r && r->n == 2);
	if (r && r->n == 2) {
		CHECK_STR(r->v[0].description, "capital");
		CHECK_INT(r->v[0].nasserts, 3);
		CHECK_STR(r->v[0].asserts[0]->type, "contains"); /* the top-level one first */
		CHECK(r->v[0].asserts[0]->negate);
		CHECK_STR(r->v[0].asserts[2]->value_json, "[\"france\",\"île-de-france\"]");
		CHECK_INT(r->v[1].line, 3);
		CHECK_INT(r->v[1].nasserts, 2);
	}
	testrows_free(r);
	r = testrows_load("\"file://rows.jsonl\"", NULL, preset, NULL, NULL, NULL, NULL, &d);
	CHECK(r && r->n == 2);
	testrows_free(r);
	/* YAML goes through the preset loader's hook */
	r = testrows_load("\"rows.yaml\"", NULL, preset, NULL, NULL, NULL, NULL, &d);
	CHECK(r == NULL);
	CHECK(strstr(d.v[d.n - 1].message, "preset loader") != NULL);
	int called = 0;
	r = testrows_load("\"rows.yaml\"", NULL, preset, NULL, NULL, fake_yaml, &called, &d);
	CHECK(called);
	CHECK(r && r->n == 1);
	testrows_free(r);
	size_t before = d.n;
	r = testrows_load("\"missing.csv\"", NULL, preset, NULL, NULL, NULL, NULL, &d);
	CHECK(r == NULL);
	CHECK(d.n == before + 1 && strstr(d.v[before].message, "cannot read"));
	r = testrows_load("\"rows.txt\"", NULL, preset, NULL, NULL, NULL, NULL, &d);
	CHECK(r == NULL);
	r = testrows_load(NULL, NULL, preset, NULL, NULL, NULL, NULL, &d);
	CHECK(r && r->n == 0);
	testrows_free(r);
	diag_list_done(&d);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/pwb-testrows-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	T(test_csv_quoting);
	T(test_csv_crlf_bom_blank);
	T(test_csv_ragged);
	T(test_csv_columns);
	T(test_csv_bad_cells);
	T(test_jsonl);
	T(test_session_rows);
	T(test_files_from_preset);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
