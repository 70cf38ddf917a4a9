/* The Evaluate view's table model: rows and variables from test rows,
 * results (passed/total, errors with their type), grades, the header's
 * summary, column layout and cutting to width. No curses involved. */
#include "tap.h"
#include "core/assert.h"
#include "core/buf.h"
#include "core/cost.h"
#include "core/diag.h"
#include "core/eval.h"
#include "core/evaltable.h"
#include "core/testrows.h"
#include "core/textwrap.h"

#include <locale.h>
#include <stdlib.h>

static struct testrows *rows_of(const char *json)
{
	struct diag_list d;
	diag_list_init(&d);
	struct testrows *r = testrows_from_json(json, "t.json", "tests", NULL, NULL, &d);
	diag_list_done(&d);
	return r;
}

static const char *line_of(const struct evaltable *t, const struct evaltable_layout *l, size_t row,
			   struct buf *b)
{
	buf_clear(b);
	evaltable_row_line(t, l, row, b);
	return buf_str(b);
}

static void test_rows_and_vars(void)
{
	struct testrows *r = rows_of("[{\"vars\":{\"x\":\"apple\",\"y\":\"1\"}},"
				     "{\"description\":\"two\",\"vars\":{\"z\":\"zed\",\"x\":\"pear\"}}]");
	CHECK(r != NULL);
	struct evaltable *t = evaltable_new(r);
	testrows_free(r);
	CHECK_INT(t->nrows, 2);
	CHECK_INT(t->nvars, 3);
	CHECK_STR(t->varnames[0], "x");
	CHECK_STR(t->varnames[1], "y");
	CHECK_STR(t->varnames[2], "z");
	CHECK_STR(t->values[1 * 3 + 0], "pear");
	CHECK_STR(t->values[1 * 3 + 1], "");
	CHECK_STR(t->descriptions[1], "two");
	CHECK_INT(t->var_width[0], 5);
	evaltable_free(t);
	evaltable_free(NULL);
}

static void test_results_and_summary(void)
{
	struct testrows *r = rows_of("[{\"vars\":{\"x\":\"a\"},\"assert\":[{\"type\":\"contains\",\"value\":\"a\"}]},"
				     "{\"vars\":{\"x\":\"b\"}},{\"vars\":{\"x\":\"c\"}},{\"vars\":{\"x\":\"d\"}}]");
	struct evaltable *t = evaltable_new(r);
	struct eval_check k[2] = { { r->v[0].asserts[0], 1, 1, "found" },
				   { r->v[0].asserts[0], 0, 0, "not found" } };
	struct eval_result res = { .row = 0, .outcome = EVAL_FAILED, .output = "A: a\nsecond",
				   .cost_known = 1, .cost_usd = 0.001, .latency_ms = 1500,
				   .checks = k, .nchecks = 2 };
	evaltable_set_result(t, &res);
	CHECK_STR(t->cells[0].first_line, "A: a");
	CHECK_INT(t->cells[0].passed, 1);
	CHECK_INT(t->cells[0].total, 2);
	CHECK(strstr(t->cells[0].detail, "second") != NULL);
	CHECK(strstr(t->cells[0].detail, "not found") != NULL);
	res.row = 1, res.outcome = EVAL_PASSED, res.nchecks = 1, res.output = "ok";
	evaltable_set_result(t, &res);
	res.row = 2, res.outcome = EVAL_PASSED;
	evaltable_set_result(t, &res);
	struct api_error e = { .type = "overloaded_error", .message = "Overloaded" };
	struct eval_result er = { .row = 3, .outcome = EVAL_ERROR, .error = &e, .latency_ms = -1 };
	evaltable_set_result(t, &er);
	CHECK_STR(t->cells[3].first_line, "overloaded_error: Overloaded");
	evaltable_set_grade(t, 1, 4);
	evaltable_set_grade(t, 2, 5);
	evaltable_set_grade(t, 2, 9); /* refused */
	struct evaltable_summary s;
	evaltable_summarize(t, &s);
	CHECK_INT(s.done, 4);
	CHECK_INT(s.passed, 2);
	CHECK_INT(s.failed, 1);
	CHECK_INT(s.errors, 1);
	CHECK_INT(s.graded, 2);
	struct buf b;
	buf_init(&b, 0);
	evaltable_summary_text(&s, &b);
	CHECK_STR(buf_str(&b), "2/4 50%  grade 4.5 (2)  $0.00300");
	unsigned char only[4];
	CHECK_INT(evaltable_failing(t, only), 2);
	CHECK(only[0] && !only[1] && !only[2] && only[3]);
	evaltable_set_pending(t, 0);
	CHECK_INT(t->cells[0].state, ET_PENDING);
	CHECK(t->cells[0].first_line == NULL);
	evaltable_summarize(t, &s);
	CHECK_INT(s.pending, 1);
	CHECK_INT(s.done, 3);
	buf_done(&b);
	evaltable_free(t);
	testrows_free(r);
}

static void test_pad(void)
{
	struct buf b;
	buf_init(&b, 0);
	evaltable_pad(&b, "abc", 5);
	CHECK_STR(buf_str(&b), "abc   ");
	buf_clear(&b);
	evaltable_pad(&b, "abcdef", 5);
	CHECK_STR(buf_str(&b), "abcd\u2026 ");
	buf_clear(&b);
	evaltable_pad(&b, "abcde", 5);
	CHECK_STR(buf_str(&b), "abcde ");
	buf_clear(&b);
	evaltable_pad(&b, "ab\ncd", 5); /* more lines: marked as cut */
	CHECK_STR(buf_str(&b), "ab\u2026   ");
	buf_clear(&b);
	evaltable_pad(&b, "a\tb", 4); /* control characters never reach the terminal */
	CHECK_STR(buf_str(&b), "a b  ");
	buf_clear(&b);
	evaltable_pad(&b, "\u65e5\u672c\u8a9e", 5); /* wide: 2 columns each */
	CHECK_STR(buf_str(&b), "\u65e5\u672c\u2026 ");
	buf_done(&b);
}

static void test_layout(void)
{
	struct testrows *r = rows_of("[{\"vars\":{\"a\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"b\":\"bb\","
				     "\"c\":\"cc\",\"d\":\"dd\",\"e\":\"ee\",\"f\":\"ff\",\"g\":\"gg\"}}]");
	struct evaltable *t = evaltable_new(r);
	struct evaltable_layout l;
	evaltable_layout(t, 80, 0, &l);
	CHECK_INT(l.first_var, 0);
	CHECK_INT(l.var_w[0], ET_W_VAR_MAX);
	CHECK(l.nshown >= 1 && l.nshown < 7);
	CHECK(l.answer_w >= ET_W_ANSWER_MIN);
	struct buf b;
	buf_init(&b, 0);
	/* every line is as wide as the screen allows, header and rows alike */
	evaltable_header_line(t, &l, &b);
	int hw = textwrap_width(buf_str(&b), b.len);
	CHECK(hw <= 80);
	const char *row = line_of(t, &l, 0, &b);
	CHECK_INT(textwrap_width(row, b.len), hw);
	evaltable_layout(t, 160, 0, &l);
	CHECK_INT(l.nshown, 7);
	evaltable_layout(t, 80, 5, &l); /* scrolled sideways */
	CHECK_INT(l.first_var, 5);
	CHECK_STR(t->varnames[l.first_var], "f");
	evaltable_layout(t, 80, 99, &l);
	CHECK_INT(l.first_var, 6);
	buf_done(&b);
	evaltable_free(t);
	testrows_free(r);
}

static void test_compare(void)
{
	struct testrows *r = rows_of("[{\"vars\":{\"x\":\"a\"}},{\"vars\":{\"x\":\"b\"}}]");
	struct evaltable *t = evaltable_new(r);
	struct eval_result res = { .row = 0, .outcome = EVAL_PASSED, .output = "yes", .latency_ms = 1 };
	res.column = 1; /* no comparison yet: ignored */
	evaltable_set_result(t, &res);
	CHECK_INT(t->cells[0].state, ET_EMPTY);
	evaltable_set_compare(t, "claude-other");
	res.column = 0;
	evaltable_set_result(t, &res);
	res.column = 1, res.outcome = EVAL_FAILED, res.output = "no";
	evaltable_set_result(t, &res);
	CHECK_STR(t->cmp[0].first_line, "no");
	CHECK(evaltable_differs(t, 0));
	CHECK(!evaltable_differs(t, 1)); /* not run */
	struct evaltable_summary a, b;
	evaltable_summarize_side(t, 0, &a);
	evaltable_summarize_side(t, 1, &b);
	CHECK_INT(a.passed, 1);
	CHECK_INT(b.failed, 1);
	struct evaltable_layout l;
	evaltable_layout(t, 100, 0, &l);
	CHECK(l.cmp_answer_w >= ET_W_ANSWER_MIN / 2);
	struct buf buf;
	buf_init(&buf, 0);
	evaltable_header_line(t, &l, &buf);
	CHECK(strstr(buf_str(&buf), "claude-other") != NULL);
	int hw = textwrap_width(buf_str(&buf), buf.len);
	CHECK(hw <= 100);
	const char *row = line_of(t, &l, 0, &buf);
	CHECK(strstr(row, "\u2260 no") != NULL);
	CHECK_INT(textwrap_width(row, buf.len), hw);
	evaltable_set_pending(t, 0);
	CHECK_INT(t->cmp[0].state, ET_PENDING);
	evaltable_set_compare(t, NULL);
	CHECK(t->cmp == NULL);
	evaltable_set_compare(t, "again"); /* freed with the table */
	buf_done(&buf);
	evaltable_free(t);
	testrows_free(r);
}

static void test_json_edits(void)
{
	char *err = NULL;
	const char *rows = "[{\"vars\":{\"x\":\"a\"}},{\"description\":\"b\",\"vars\":{\"x\":\"b\"}}]";
	char *t = evaltable_json_set_var(rows, 1, "x", "B \"quoted\"", &err);
	CHECK_STR(t, "[{\"vars\":{\"x\":\"a\"}},{\"description\":\"b\",\"vars\":{\"x\":\"B \\\"quoted\\\"\"}}]");
	free(t);
	t = evaltable_json_set_var("[{}]", 0, "y", "1", &err); /* vars made */
	CHECK_STR(t, "[{\"vars\":{\"y\":\"1\"}}]");
	free(t);
	const char *names[] = { "x", "y" };
	t = evaltable_json_add_row(rows, 0, names, 2, &err);
	CHECK_STR(t, "[{\"vars\":{\"x\":\"a\"}},{\"vars\":{\"x\":\"\",\"y\":\"\"}},{\"description\":\"b\",\"vars\":{\"x\":\"b\"}}]");
	free(t);
	t = evaltable_json_add_row(NULL, -1, names, 1, &err); /* no tests: yet */
	CHECK_STR(t, "[{\"vars\":{\"x\":\"\"}}]");
	free(t);
	t = evaltable_json_delete_row(rows, 0, &err);
	CHECK_STR(t, "[{\"description\":\"b\",\"vars\":{\"x\":\"b\"}}]");
	free(t);
	CHECK(evaltable_json_delete_row(rows, 2, &err) == NULL);
	CHECK_STR(err, "no row 3 in tests:");
	free(err);
	err = NULL;
	CHECK(evaltable_json_set_var("\"rows.csv\"", 0, "x", "1", &err) == NULL);
	CHECK(err && strstr(err, "file") != NULL);
	free(err);
}

static void test_take_results(void)
{
	struct testrows *r = rows_of("[{\"vars\":{\"x\":\"a\"}},{\"vars\":{\"x\":\"b\"}},{\"vars\":{\"x\":\"c\"}}]");
	struct evaltable *t = evaltable_new(r);
	CHECK_INT(t->json_index[2], 2);
	struct eval_result res = { .row = 2, .outcome = EVAL_PASSED, .output = "c!", .latency_ms = 1 };
	evaltable_set_result(t, &res);
	evaltable_set_grade(t, 2, 5);
	/* row 0 deleted: row 2 becomes row 1 */
	struct testrows *r2 = rows_of("[{\"vars\":{\"x\":\"b\"}},{\"vars\":{\"x\":\"c\"}}]");
	struct evaltable *t2 = evaltable_new(r2);
	long map[3] = { -1, 0, 1 };
	evaltable_take_results(t2, t, map);
	CHECK_STR(t2->cells[1].first_line, "c!");
	CHECK_INT(t2->cells[1].grade, 5);
	CHECK_INT(t2->cells[0].state, ET_EMPTY);
	/* read again: the same rows keep their results, a changed one not */
	struct testrows *r3 = rows_of("[{\"vars\":{\"x\":\"b\"}},{\"vars\":{\"x\":\"C\"}}]");
	struct evaltable *t3 = evaltable_new(r3);
	res.row = 0, res.output = "b!";
	evaltable_set_result(t2, &res);
	evaltable_take_same(t3, t2);
	CHECK_STR(t3->cells[0].first_line, "b!");
	CHECK_INT(t3->cells[1].state, ET_EMPTY);
	evaltable_free(t3);
	testrows_free(r3);
	evaltable_free(t);
	evaltable_free(t2);
	testrows_free(r);
	testrows_free(r2);
}

/* Import (rows from a file appended), generated rows (only the prompt's
 * variables), the rows tool's schema, the export (CSV quoting, JSON Lines
 * with the grade) and the failing rows the improver reads. */
static void test_import_export_generate(void)
{
	struct testrows *r = rows_of("[{\"description\":\"d, \\\"q\\\"\",\"vars\":{\"x\":\"a,b\"},"
				     "\"assert\":[{\"type\":\"not-contains\",\"value\":\"z\"}]}]");
	char *err = NULL;
	char *t = evaltable_json_append_rows("[{\"vars\":{\"x\":\"old\"}}]", r, &err);
	CHECK_STR(t, "[{\"vars\":{\"x\":\"old\"}},{\"description\":\"d, \\\"q\\\"\",\"vars\":{\"x\":\"a,b\"},"
		     "\"assert\":[{\"type\":\"not-contains\",\"value\":\"z\"}]}]");
	free(t);
	CHECK(evaltable_json_append_rows("\"rows.csv\"", r, &err) == NULL);
	CHECK(err != NULL);
	free(err);
	err = NULL;

	const char *names[] = { "x", "y" };
	size_t added = 0;
	t = evaltable_json_append_generated(NULL, "{\"rows\":[{\"x\":\"1\",\"y\":\"2\",\"other\":\"no\"},"
					    "{\"description\":\"two\",\"x\":\"3\"}]}",
					    names, 2, &added, &err);
	CHECK_INT(added, 2);
	CHECK_STR(t, "[{\"vars\":{\"x\":\"1\",\"y\":\"2\"}},{\"description\":\"two\",\"vars\":{\"x\":\"3\",\"y\":\"\"}}]");
	free(t);
	CHECK(evaltable_json_append_generated(NULL, "{\"rows\":[]}", names, 2, &added, &err) == NULL);
	free(err);
	err = NULL;
	char *tool = evaltable_rows_tool("write_rows", NULL, names, 2);
	CHECK(strstr(tool, "\"name\":\"write_rows\"") != NULL);
	CHECK(strstr(tool, "\"required\":[\"x\",\"y\"]") != NULL);
	CHECK(strstr(tool, "\"y\":{\"type\":\"string\"}") != NULL);
	free(tool);

	struct evaltable *tb = evaltable_new(r);
	struct eval_check k = { r->v[0].asserts[0], 0, 0, "found z" };
	struct eval_result res = { .row = 0, .outcome = EVAL_FAILED, .output = "has z, \"quoted\"\nline 2",
				   .cost_known = 1, .cost_usd = 0.5, .latency_ms = 1200,
				   .checks = &k, .nchecks = 1 };
	usage_init(&res.usage);
	evaltable_set_result(tb, &res);
	evaltable_set_result_json(tb, 0, 0, eval_result_json(&res, &r->v[0], NULL, "p.yaml", "abcd", "m"));
	evaltable_set_grade(tb, 0, 2);
	char *csv = evaltable_export_csv(tb);
	CHECK_STR(csv, "row,__description,x,outcome,answer,passed,total,cost_usd,latency_ms,grade\r\n"
		       "1,\"d, \"\"q\"\"\",\"a,b\",failed,\"has z, \"\"quoted\"\"\nline 2\",0,1,0.500000,1200,2\r\n");
	free(csv);
	char *jl = evaltable_export_jsonl(tb);
	CHECK(strncmp(jl, "{\"preset\":\"p.yaml\",\"version\":\"abcd\",\"model\":\"m\",\"row\":0,", 56) == 0);
	CHECK(strstr(jl, "\"outcome\":\"failed\"") != NULL);
	CHECK(strstr(jl, "\"grade\":2}\n") != NULL);
	free(jl);
	size_t nf = 0;
	char *f = evaltable_failures_text(tb, &nf);
	CHECK_INT(nf, 1);
	CHECK(strstr(f, "found z") != NULL);
	free(f);
	evaltable_free(tb);
	testrows_free(r);
}

int main(void)
{
	setlocale(LC_CTYPE, "C.UTF-8"); /* wide characters count two columns */
	RUN(test_rows_and_vars);
	RUN(test_results_and_summary);
	RUN(test_pad);
	RUN(test_layout);
	RUN(test_compare);
	RUN(test_json_edits);
	RUN(test_take_results);
	RUN(test_import_export_generate);
	return tap_done();
}
