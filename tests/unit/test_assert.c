/* core/assert: every assertion type passing, failing and negated, on real
 * answer text; validation diagnostics; the answer extracted from a Message;
 * the llm-rubric request and the grader's verdict. */
#include "core/assert.h"
#include "core/assert-cell.h"
#include "core/diag.h"
#include "core/session.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define T(fn) RUN(fn)

/* Run type (with "not-" allowed) with value_json on text; returns pass and
 * keeps the reason in last_reason. */
static char last_reason[2048];

static int run_full(const char *type, const char *value_json, int has_thr, double thr,
		    const struct assert_answer *ans, const struct session_var *vars, size_t nvars,
		    const char *grader)
{
	int negate = strncmp(type, "not-", 4) == 0;
	struct assertion *a = assertion_new(negate ? type + 4 : type, negate, value_json, has_thr,
					    thr);
	struct diag_list d;
	diag_list_init(&d);
	int errs = assertion_validate(a, &d);
	if (errs) {
		printf("#   unexpected validation error for %s: %s\n", type, d.v[0].message);
		tap_case_failed = 1;
	}
	diag_list_done(&d);
	struct assert_result r;
	int pass = assert_check(a, ans, vars, nvars, grader, &r);
	CHECK(pass == r.pass);
	CHECK(r.reason != NULL);
	snprintf(last_reason, sizeof last_reason, "%s", r.reason ? r.reason : "");
	assert_result_done(&r);
	assertion_free(a);
	return pass;
}

static int run(const char *type, const char *value_json, const char *text)
{
	struct assert_answer ans;
	assert_answer_from_text(text, &ans);
	int pass = run_full(type, value_json, 0, 0, &ans, NULL, 0, NULL);
	assert_answer_done(&ans);
	return pass;
}

#define REASON_HAS(s) do { if (!strstr(last_reason, (s))) { tap_case_failed = 1; \
	printf("#   %s:%d: reason \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, last_reason, (s)); } } while (0)

static void test_equals(void)
{
	CHECK(run("equals", "\"Paris\"", "Paris"));
	CHECK(!run("equals", "\"Paris\"", "Paris "));
	REASON_HAS("expected exactly \"Paris\"");
	REASON_HAS("found \"Paris \"");
	CHECK(run("not-equals", "\"Paris\"", "Paris."));
	CHECK(!run("not-equals", "\"Paris\"", "Paris"));
	REASON_HAS("negated");
	CHECK(run("equals", "{\"a\":[1,2]}", "{ \"a\": [1, 2] }"));
	CHECK(run("equals", "42", "42"));
}

static void test_contains(void)
{
	CHECK(run("contains", "\"refund\"", "We will refund you."));
	CHECK(!run("contains", "\"Refund\"", "We will refund you."));
	REASON_HAS("does not contain \"Refund\"");
	CHECK(run("not-contains", "\"sorry\"", "We will refund you."));
	CHECK(!run("not-contains", "\"refund\"", "We will refund you."));
	CHECK(run("starts-with", "\"We\"", "We will"));
	CHECK(!run("starts-with", "\"will\"", "We will"));
	CHECK(run("not-starts-with", "\"will\"", "We will"));
}

static void test_icontains_unicode(void)
{
	CHECK(run("icontains", "\"ÉCOLE\"", "une école primaire"));
	CHECK(run("icontains", "\"straße\"", "STRASSE or STRAßE"));
	CHECK(!run("icontains", "\"ÉCOLE\"", "une ecole"));
	REASON_HAS("ignoring case");
	CHECK(run("not-icontains", "\"ΣΟΦΊΑ\"", "wisdom"));
	CHECK(!run("not-icontains", "\"ΣΟΦΊΑ\"", "η σοφία"));
}

static void test_lists(void)
{
	const char *text = "Ship it to Paris, then Lyon.";
	CHECK(run("contains-any", "[\"Rome\",\"Lyon\"]", text));
	CHECK(!run("contains-any", "[\"Rome\",\"Nice\"]", text));
	REASON_HAS("contains none of \"Rome\", \"Nice\"");
	CHECK(run("not-contains-any", "[\"Rome\",\"Nice\"]", text));
	CHECK(run("contains-all", "[\"Paris\",\"Lyon\"]", text));
	CHECK(!run("contains-all", "[\"Paris\",\"Nice\"]", text));
	REASON_HAS("lacks \"Nice\"");
	CHECK(run("not-contains-all", "[\"Paris\",\"Nice\"]", text));
	CHECK(run("icontains-any", "[\"ROME\",\"LYON\"]", text));
	CHECK(!run("icontains-any", "[\"ROME\"]", text));
	CHECK(run("not-icontains-any", "[\"ROME\"]", text));
	CHECK(run("icontains-all", "[\"PARIS\",\"lyon\"]", text));
	CHECK(!run("icontains-all", "[\"PARIS\",\"nice\"]", text));
	CHECK(run("not-icontains-all", "[\"PARIS\",\"nice\"]", text));
	/* a string value is a comma-separated list */
	CHECK(run("contains-all", "\"Paris, \\\"Lyon.\\\"\"", text));
	/* a list emptied by its variables fails rather than passing vacuously */
	struct session_var empty[] = { { "none", "" } };
	struct assert_answer ans;
	assert_answer_from_text(text, &ans);
	CHECK(!run_full("contains-all", "\"{{none}}\"", 0, 0, &ans, empty, 1, NULL));
	REASON_HAS("the list is empty");
	assert_answer_done(&ans);
}

static void test_regex(void)
{
	CHECK(run("regex", "\"^We\\\\b\"", "We will"));
	CHECK(!run("regex", "\"^will\"", "We will"));
	REASON_HAS("does not match /^will/");
	CHECK(run("not-regex", "\"^will\"", "We will"));
	/* $ only at the very end, as in JavaScript */
	CHECK(run("regex", "\"end$\"", "the end"));
	CHECK(!run("regex", "\"end$\"", "the end\n"));
	/* \d is ASCII: Arabic-Indic three (U+0663) is not a digit */
	CHECK(!run("regex", "\"\\\\d\"", "\xd9\xa3"));
	CHECK(run("regex", "\"\\\\d\"", "3"));
	/* \w and \b are ASCII: é is not a word character */
	CHECK(run("regex", "\"\\\\bcat\"", "\xc3\xa9" "cat"));
	CHECK(!run("regex", "\"^\\\\w\"", "\xc3\xa9t\xc3\xa9"));
	/* \u and \x escapes */
	CHECK(run("regex", "\"\\\\u0041\\\\x42\"", "xABy"));
	/* [] matches nothing, [^] anything */
	CHECK(!run("regex", "\"a[]\"", "a"));
	CHECK(run("regex", "\"a[^]b\"", "a\nb"));
	/* . matches neither \n nor \r */
	CHECK(!run("regex", "\"a.b\"", "a\rb"));
	CHECK(!run("regex", "\"a.b\"", "a\nb"));
	CHECK(run("regex", "\"a.b\"", "a\tb"));
	/* a backreference to an unset group matches the empty string */
	CHECK(run("regex", "\"(x)?\\\\1y\"", "y"));
}

static void test_regex_bad_pattern(void)
{
	struct assertion *a = assertion_new("regex", 0, "\"ab(c\"", 0, 0);
	assertion_set_position(a, "p.yaml", 7, 9, "tests[0].assert[1]");
	struct diag_list d;
	diag_list_init(&d);
	CHECK_INT(assertion_validate(a, &d), 1);
	CHECK(d.n == 1 && strstr(d.v[0].message, "offset 4"));
	CHECK(d.n == 1 && strstr(d.v[0].message, "does not compile"));
	CHECK_STR(d.v[0].file, "p.yaml");
	CHECK_INT(d.v[0].line, 7);
	CHECK_INT(d.v[0].col, 9);
	CHECK_STR(d.v[0].path, "tests[0].assert[1]");
	diag_list_done(&d);
	assertion_free(a);
	/* with a variable, the pattern is only known at run time */
	a = assertion_new("regex", 0, "\"{{p}}(\"", 0, 0);
	diag_list_init(&d);
	CHECK_INT(assertion_validate(a, &d), 0);
	diag_list_done(&d);
	assertion_free(a);
}

static void test_is_json(void)
{
	CHECK(run("is-json", NULL, "  {\"a\": [1, 2.5e3, true, null, \"x\\u00e9\"]}\n"));
	CHECK(run("is-json", NULL, "\"just a string\""));
	CHECK(!run("is-json", NULL, "{\"a\": 1} and more"));
	REASON_HAS("not one JSON value");
	CHECK(!run("is-json", NULL, "{'a': 1}"));
	CHECK(!run("is-json", NULL, "01"));
	CHECK(!run("is-json", NULL, "{\"a\": 1,}"));
	CHECK(!run("is-json", NULL, "```json\n{\"a\": 1}\n```"));
	CHECK(run("not-is-json", NULL, "Sure! {\"a\": 1}"));
	CHECK(!run("not-is-json", NULL, "[1]"));
	const char *schema = "{\"type\":\"object\",\"required\":[\"city\"],"
			     "\"properties\":{\"city\":{\"type\":\"string\"}}}";
	CHECK(run("is-json", schema, "{\"city\": \"Paris\"}"));
	CHECK(!run("is-json", schema, "{\"city\": 3}"));
	REASON_HAS("/city: expected type string, found number");
	/* the schema may arrive as a string holding JSON */
	CHECK(run("is-json", "\"{\\\"type\\\":\\\"array\\\"}\"", "[]"));
}

static void test_contains_json(void)
{
	const char *fenced = "Here you go:\n```json\n{\"city\": \"Paris\", \"n\": 2}\n```\nBye.";
	CHECK(run("contains-json", NULL, fenced));
	CHECK(!run("contains-json", NULL, "no json here {not json}"));
	REASON_HAS("no JSON object");
	CHECK(run("not-contains-json", NULL, "plain text"));
	CHECK(!run("not-contains-json", NULL, fenced));
	const char *schema = "{\"type\":\"object\",\"required\":[\"n\"],"
			     "\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":2}}}";
	CHECK(run("contains-json", schema, fenced));
	/* the second object satisfies the schema, the first does not */
	CHECK(run("contains-json", schema, "{\"n\": 1} then {\"n\": 5}"));
	CHECK(!run("contains-json", schema, "{\"n\": 1} then {\"m\": 5}"));
	REASON_HAS("2 JSON objects in output, none satisfies the schema");
	/* an object nested in braces that are not JSON is still found */
	CHECK(run("contains-json", NULL, "{ oops {\"a\": {\"b\": 1}} }"));
}

static void test_cost_latency(void)
{
	struct assert_answer ans;
	assert_answer_from_text("hi", &ans);
	ans.cost_usd = 0.0021;
	ans.latency_ms = 850;
	CHECK(run_full("cost", NULL, 1, 0.003, &ans, NULL, 0, NULL));
	CHECK(!run_full("cost", NULL, 1, 0.002, &ans, NULL, 0, NULL));
	REASON_HAS("over the threshold");
	CHECK(run_full("latency", NULL, 1, 1000, &ans, NULL, 0, NULL));
	CHECK(!run_full("latency", NULL, 1, 500, &ans, NULL, 0, NULL));
	REASON_HAS("850 ms");
	ans.cost_usd = -1;
	CHECK(!run_full("cost", NULL, 1, 1, &ans, NULL, 0, NULL));
	REASON_HAS("unknown");
	assert_answer_done(&ans);
}

static const char message[] =
	"{\"type\":\"message\",\"role\":\"assistant\",\"stop_reason\":\"tool_use\","
	"\"content\":[{\"type\":\"thinking\",\"thinking\":\"secret plan\",\"signature\":\"x\"},"
	"{\"type\":\"text\",\"text\":\"Let me look.\"},"
	"{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"get_weather\","
	"\"input\":{\"city\":\"Paris\",\"unit\":\"C\",\"days\":[1,2]}},"
	"{\"type\":\"text\",\"text\":\"One moment.\"}]}";

static void test_answer_from_message(void)
{
	struct assert_answer ans;
	CHECK(assert_answer_from_message(message, &ans));
	CHECK_STR(ans.text, "Let me look.\n\nOne moment.");
	CHECK_STR(ans.stop_reason, "tool_use");
	CHECK(strstr(ans.tool_calls_json, "\"get_weather\"") != NULL);
	CHECK(strstr(ans.tool_calls_json, "thinking") == NULL);
	CHECK(ans.cost_usd < 0 && ans.latency_ms < 0);
	assert_answer_done(&ans);
	CHECK(!assert_answer_from_message("not json", &ans));
	CHECK_STR(ans.text, "");
	CHECK_STR(ans.tool_calls_json, "[]");
	assert_answer_done(&ans);
}

static void test_tool_call_stop_reason(void)
{
	struct assert_answer ans;
	assert_answer_from_message(message, &ans);
	CHECK(run_full("tool-call", "\"get_weather\"", 0, 0, &ans, NULL, 0, NULL));
	CHECK(!run_full("tool-call", "\"get_time\"", 0, 0, &ans, NULL, 0, NULL));
	REASON_HAS("expected a call of get_time, found get_weather");
	CHECK(run_full("not-tool-call", "\"get_time\"", 0, 0, &ans, NULL, 0, NULL));
	CHECK(run_full("tool-call", "{\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}", 0,
		       0, &ans, NULL, 0, NULL));
	CHECK(!run_full("tool-call", "{\"name\":\"get_weather\",\"input\":{\"city\":\"Rome\"}}", 0,
			0, &ans, NULL, 0, NULL));
	REASON_HAS("no call's input holds");
	CHECK(!run_full("tool-call", "{\"name\":\"get_weather\",\"input\":{\"days\":[1]}}", 0, 0,
			&ans, NULL, 0, NULL));
	CHECK(run_full("stop-reason", "\"tool_use\"", 0, 0, &ans, NULL, 0, NULL));
	CHECK(!run_full("stop-reason", "\"end_turn\"", 0, 0, &ans, NULL, 0, NULL));
	REASON_HAS("expected stop reason end_turn, found tool_use");
	CHECK(run_full("not-stop-reason", "\"max_tokens\"", 0, 0, &ans, NULL, 0, NULL));
	assert_answer_done(&ans);
}

static void test_variables(void)
{
	struct session_var vars[] = { { "city", "Paris" }, { "n", "2" } };
	struct assert_answer ans;
	assert_answer_from_text("Welcome to Paris, day 2.", &ans);
	CHECK(run_full("contains", "\"{{city}}\"", 0, 0, &ans, vars, 2, NULL));
	CHECK(run_full("regex", "\"{{ city }}, day {{n}}\"", 0, 0, &ans, vars, 2, NULL));
	CHECK(run_full("contains-all", "[\"{{city}}\",\"day {{n}}\"]", 0, 0, &ans, vars, 2, NULL));
	CHECK(!run_full("contains", "\"{{other}}\"", 0, 0, &ans, vars, 2, NULL));
	REASON_HAS("{{other}}");
	CHECK(!run_full("contains", "\"\\\\{{city}}\"", 0, 0, &ans, vars, 2, NULL));
	assert_answer_done(&ans);
}

static void test_truncated_reason(void)
{
	char text[1000];
	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = 0;
	CHECK(!run("contains", "\"y\"", text));
	REASON_HAS("\xe2\x80\xa6\"");
	CHECK(strlen(last_reason) < 400);
}

static void test_llm_rubric(void)
{
	struct assertion *a = assertion_new("llm-rubric", 0, "\"Is polite to {{name}}\"", 0, 0);
	struct session_var vars[] = { { "name", "Ada" } };
	char *body = assert_rubric_request(a, "claude-haiku-4-5", "Hello Ada!", vars, 1);
	CHECK(strstr(body, "\"model\":\"claude-haiku-4-5\"") != NULL);
	CHECK(strstr(body, "\"tool_choice\":{\"type\":\"tool\",\"name\":\"grade\"}") != NULL);
	CHECK(strstr(body, "Is polite to Ada") != NULL);
	CHECK(strstr(body, "Hello Ada!") != NULL);
	CHECK(strstr(body, "\"required\":[\"pass\",\"score\",\"reason\"]") != NULL);
	free(body);
	assertion_free(a);

	const char *good = "{\"content\":[{\"type\":\"tool_use\",\"id\":\"g\",\"name\":\"grade\","
			   "\"input\":{\"pass\":true,\"score\":0.8,\"reason\":\"Polite.\"}}]}";
	const char *bad = "{\"content\":[{\"type\":\"tool_use\",\"id\":\"g\",\"name\":\"grade\","
			  "\"input\":{\"pass\":false,\"score\":0.1,\"reason\":\"Rude.\"}}]}";
	const char *broken = "{\"content\":[{\"type\":\"text\",\"text\":\"I think it passes\"}]}";
	int pass;
	double score;
	char *reason;
	CHECK(assert_rubric_parse(good, &pass, &score, &reason));
	CHECK(pass && fabs(score - 0.8) < 1e-9);
	CHECK_STR(reason, "Polite.");
	free(reason);
	CHECK(!assert_rubric_parse(broken, &pass, &score, &reason));
	CHECK(strstr(reason, "did not call") != NULL);
	free(reason);

	struct assert_answer ans;
	assert_answer_from_text("Hello Ada!", &ans);
	CHECK(run_full("llm-rubric", "\"polite\"", 0, 0, &ans, NULL, 0, good));
	REASON_HAS("Polite.");
	CHECK(!run_full("llm-rubric", "\"polite\"", 0, 0, &ans, NULL, 0, bad));
	CHECK(!run_full("llm-rubric", "\"polite\"", 1, 0.9, &ans, NULL, 0, good));
	REASON_HAS("threshold 0.90");
	CHECK(run_full("not-llm-rubric", "\"polite\"", 0, 0, &ans, NULL, 0, bad));
	CHECK(!run_full("llm-rubric", "\"polite\"", 0, 0, &ans, NULL, 0, NULL));
	REASON_HAS("not graded");
	CHECK(!run_full("llm-rubric", "\"polite\"", 0, 0, &ans, NULL, 0, broken));
	assert_answer_done(&ans);
}

/* Parse {type, value, threshold} JSON and return the errors' messages joined. */
static int from_json_errors(const char *json, char *msgs, size_t size)
{
	struct diag_list d;
	diag_list_init(&d);
	struct assertion *a = assertion_from_json(json, "p.yaml", "assert[0]", NULL, NULL, &d);
	assertion_free(a);
	int n = (int)diag_count(&d, DIAG_ERROR);
	msgs[0] = 0;
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].level == DIAG_ERROR)
			snprintf(msgs + strlen(msgs), size - strlen(msgs), "%s|", d.v[i].message);
	diag_list_done(&d);
	return n;
}

static int test_locate(void *ud, const char *path, int *line, int *col)
{
	(void)ud;
	if (strcmp(path, "tests[2].assert[0]") == 0) {
		*line = 12;
		*col = 7;
		return 1;
	}
	return 0;
}

static void test_validation(void)
{
	char m[2048];
	CHECK_INT(from_json_errors("{\"type\":\"contains\",\"value\":\"x\"}", m, sizeof m), 0);
	CHECK_INT(from_json_errors("{\"type\":\"not-contains\",\"value\":\"x\"}", m, sizeof m), 0);
	CHECK_INT(from_json_errors("{\"type\":\"similar\",\"value\":\"x\"}", m, sizeof m), 1);
	CHECK(strstr(m, "unknown assertion type 'similar'") && strstr(m, "icontains-all"));
	CHECK_INT(from_json_errors("{\"type\":\"javascript\",\"value\":\"1\"}", m, sizeof m), 1);
	CHECK(strstr(m, "never runs code") != NULL);
	CHECK_INT(from_json_errors("{\"type\":\"not-python\",\"value\":\"1\"}", m, sizeof m), 1);
	CHECK_INT(from_json_errors("{\"type\":\"not-cost\",\"threshold\":0.1}", m, sizeof m), 1);
	CHECK(strstr(m, "cannot be negated") != NULL);
	CHECK_INT(from_json_errors("{\"type\":\"cost\"}", m, sizeof m), 1);
	CHECK(strstr(m, "needs a threshold") != NULL);
	CHECK_INT(from_json_errors("{\"type\":\"cost\",\"value\":0.01}", m, sizeof m), 0);
	CHECK_INT(from_json_errors("{\"type\":\"latency\",\"threshold\":\"fast\"}", m, sizeof m), 1);
	CHECK(strstr(m, "threshold is not a number") != NULL);
	CHECK_INT(from_json_errors("{\"type\":\"contains\"}", m, sizeof m), 1);
	CHECK(strstr(m, "needs a value") != NULL);
	CHECK_INT(from_json_errors("{\"type\":\"contains-any\",\"value\":[]}", m, sizeof m), 1);
	CHECK_INT(from_json_errors("{\"type\":\"contains-any\",\"value\":\" , \"}", m, sizeof m), 1);
	CHECK(strstr(m, "empty") != NULL);
	CHECK_INT(from_json_errors("{\"type\":\"is-json\",\"value\":{\"type\":\"object\","
				   "\"properties\":{\"a\":{\"oneOf\":[]}}}}", m, sizeof m), 1);
	CHECK(strstr(m, "unsupported JSON Schema keyword 'oneOf'") && strstr(m, "/properties/a"));
	CHECK_INT(from_json_errors("{\"type\":\"regex\",\"value\":\"[a-\"}", m, sizeof m), 1);
	CHECK(strstr(m, "offset") != NULL);
	CHECK_INT(from_json_errors("{\"type\":\"tool-call\",\"value\":{\"input\":{}}}", m, sizeof m), 1);
	CHECK_INT(from_json_errors("[1]", m, sizeof m), 1);
	/* a threshold on a type without one is a warning, not an error */
	CHECK_INT(from_json_errors("{\"type\":\"contains\",\"value\":\"x\",\"threshold\":2}", m,
				   sizeof m), 0);

	/* the position comes from the locate callback */
	struct diag_list d;
	diag_list_init(&d);
	struct assertion *a = assertion_from_json("{\"type\":\"containz\",\"value\":\"x\"}", "p.yaml",
						  "tests[2].assert[0]", test_locate, NULL, &d);
	CHECK(a == NULL);
	CHECK_INT(d.n, 1);
	CHECK_INT(d.v[0].line, 12);
	CHECK_INT(d.v[0].col, 7);
	CHECK_STR(d.v[0].file, "p.yaml");
	diag_list_done(&d);
}

static void test_cells(void)
{
	char *err = NULL;
	struct assertion *a = assertion_from_cell("  not-icontains:  Refund  ", &err);
	CHECK(a && !err);
	CHECK_STR(a->type, "icontains");
	CHECK(a->negate);
	CHECK_STR(a->value_json, "\"Refund\"");
	assertion_free(a);
	a = assertion_from_cell("Exactly this: text", &err);
	CHECK_STR(a->type, "equals");
	CHECK_STR(a->value_json, "\"Exactly this: text\"");
	assertion_free(a);
	a = assertion_from_cell("contains :x", &err); /* a space before the colon: equals */
	CHECK_STR(a->type, "equals");
	assertion_free(a);
	a = assertion_from_cell("Contains:x", &err); /* case-sensitive type names */
	CHECK_STR(a->type, "equals");
	assertion_free(a);
	a = assertion_from_cell("llm-rubric(0.5): is kind", &err);
	CHECK_STR(a->type, "llm-rubric");
	CHECK(a->has_threshold && a->threshold == 0.5);
	CHECK_STR(a->value_json, "\"is kind\"");
	assertion_free(a);
	a = assertion_from_cell("grade: is kind", &err);
	CHECK_STR(a->type, "llm-rubric");
	CHECK_STR(a->value_json, "\"is kind\"");
	assertion_free(a);
	a = assertion_from_cell("cost:0.002", &err);
	CHECK_STR(a->type, "cost");
	CHECK(a->has_threshold && a->threshold == 0.002 && !a->value_json);
	assertion_free(a);
	a = assertion_from_cell("latency(1500)", &err);
	CHECK(a->has_threshold && a->threshold == 1500);
	assertion_free(a);
	a = assertion_from_cell("contains-any: a, \"b, c\" ,\"say \\\"hi\\\"\", \"x\"\"y\"", &err);
	CHECK_STR(a->value_json, "[\"a\",\"b, c\",\"say \\\"hi\\\"\",\"x\\\"y\"]");
	assertion_free(a);
	a = assertion_from_cell("contains-all:", &err);
	CHECK(!a && err && strstr(err, "empty"));
	free(err);
	a = assertion_from_cell("javascript: output.length > 3", &err);
	CHECK(!a && err && strstr(err, "never runs code"));
	free(err);
	a = assertion_from_cell("file://check.py", &err);
	CHECK(!a && err);
	free(err);
	a = assertion_from_cell("   ", &err);
	CHECK(!a && !err);
}

static void test_help(void)
{
	char *h = assert_help_text();
	for (size_t i = 0; i < assert_type_count(); i++)
		CHECK(strstr(h, assert_type_name(i)) != NULL);
	CHECK(strstr(h, "cost(THRESHOLD)") != NULL);
	CHECK(strstr(h, "[not-]contains:VALUE") != NULL);
	free(h);
	CHECK(assert_type_known("icontains-all"));
	CHECK(!assert_type_known("not-contains"));
	CHECK(assert_is_code_type("webhook"));
	CHECK(!assert_is_code_type("contains"));
}

int main(void)
{
	T(test_equals);
	T(test_contains);
	T(test_icontains_unicode);
	T(test_lists);
	T(test_regex);
	T(test_regex_bad_pattern);
	T(test_is_json);
	T(test_contains_json);
	T(test_cost_latency);
	T(test_answer_from_message);
	T(test_tool_call_stop_reason);
	T(test_variables);
	T(test_truncated_reason);
	T(test_llm_rubric);
	T(test_validation);
	T(test_cells);
	T(test_help);
	return tap_done();
}
