#include "core/assert.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/jsonschema.h"
#include "core/jsregex.h"
#include "core/session.h"
#include "core/util.h"
#include "core/vars.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>

/* Found text longer than this is cut, with an ellipsis, in reasons. */
#define EXCERPT_BYTES 160
/* Strict JSON nesting deeper than this is not JSON for is-json/contains-json. */
#define JSON_MAX_DEPTH 512

/* The value kinds are the header's (enum assert_value_kind). */
#define VALUE_NONE ASSERT_VALUE_NONE
#define VALUE_STRING ASSERT_VALUE_STRING
#define VALUE_LIST ASSERT_VALUE_LIST
#define VALUE_SCHEMA ASSERT_VALUE_SCHEMA
#define VALUE_TOOL ASSERT_VALUE_TOOL

/* What a check sees: the assertion, the answer, the value with its
 * {{variables}} expanded. It sets pass (before negation) and detail. */
struct check {
	const struct assertion *a;
	const struct assert_answer *ans;
	const cJSON *value;
	const char *grader;
	double score;
	char *detail; /* what was found, malloc'd */
};

struct assert_type {
	const char *name;
	enum assert_value_kind value;
	int value_required;
	int threshold_required; /* 1: required, 0: optional or none (see takes) */
	int takes_threshold;
	int negatable;
	int (*check)(struct check *c);
	const char *help;
};

/* --- small helpers ------------------------------------------------------ */

/* s cut to EXCERPT_BYTES (at a UTF-8 boundary, with an ellipsis), quoted. */
static char *excerpt(const char *s)
{
	size_t n = strlen(s);
	if (n <= EXCERPT_BYTES)
		return xasprintf("\"%s\"", s);
	size_t cut = EXCERPT_BYTES;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	return xasprintf("\"%.*s\xe2\x80\xa6\"", (int)cut, s);
}

/* Lowercase through Unicode's mapping (libunistring); ASCII if that fails. */
static char *fold(const char *s)
{
	size_t n = strlen(s), len = 0;
	uint8_t *r = u8_tolower((const uint8_t *)s, n, NULL, NULL, NULL, &len);
	if (!r) {
		char *a = xstrdup(s);
		for (char *p = a; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		return a;
	}
	char *out = xmalloc(len + 1);
	memcpy(out, r, len);
	out[len] = 0;
	free(r);
	return out;
}

/* The text of a scalar value: strings as they are, numbers and booleans as
 * written. NULL for objects, arrays and null. malloc'd. */
static char *scalar_text(const cJSON *v)
{
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	if (cJSON_IsBool(v))
		return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNumber(v)) {
		char *t = cJSON_PrintUnformatted(v);
		char *r = xstrdup(t);
		cJSON_free(t);
		return r;
	}
	return NULL;
}

/* --- strict JSON (RFC 8259): cJSON alone accepts 01, +1 and control characters */

static size_t skip_ws(const char *p, size_t n, size_t i)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
		i++;
	return i;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The end of the JSON value starting at p[i], or (size_t)-1 when there is none. */
static size_t json_value_end(const char *p, size_t n, size_t i, int depth)
{
	const size_t bad = (size_t)-1;
	if (i >= n || depth > JSON_MAX_DEPTH)
		return bad;
	char c = p[i];
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		i = skip_ws(p, n, i + 1);
		if (i < n && p[i] == close)
			return i + 1;
		for (;;) {
			if (c == '{') {
				if (i >= n || p[i] != '"')
					return bad;
				i = json_value_end(p, n, i, depth + 1);
				if (i == bad)
					return bad;
				i = skip_ws(p, n, i);
				if (i >= n || p[i] != ':')
					return bad;
				i = skip_ws(p, n, i + 1);
			}
			i = json_value_end(p, n, i, depth + 1);
			if (i == bad)
				return bad;
			i = skip_ws(p, n, i);
			if (i < n && p[i] == close)
				return i + 1;
			if (i >= n || p[i] != ',')
				return bad;
			i = skip_ws(p, n, i + 1);
		}
	}
	if (c == '"') {
		for (i++; i < n; i++) {
			unsigned char ch = (unsigned char)p[i];
			if (ch == '"')
				return i + 1;
			if (ch < 0x20)
				return bad;
			if (ch != '\\')
				continue;
			if (++i >= n)
				return bad;
			if (p[i] == 'u') {
				for (int k = 1; k <= 4; k++)
					if (i + (size_t)k >= n || !isxdigit((unsigned char)p[i + (size_t)k]))
						return bad;
				i += 4;
			} else if (!strchr("\"\\/bfnrt", p[i]) || !p[i]) {
				return bad;
			}
		}
		return bad;
	}
	if (c == '-' || is_digit(c)) {
		if (c == '-')
			i++;
		if (i >= n || !is_digit(p[i]))
			return bad;
		if (p[i] == '0')
			i++;
		else
			while (i < n && is_digit(p[i]))
				i++;
		if (i < n && p[i] == '.') {
			i++;
			if (i >= n || !is_digit(p[i]))
				return bad;
			while (i < n && is_digit(p[i]))
				i++;
		}
		if (i < n && (p[i] == 'e' || p[i] == 'E')) {
			i++;
			if (i < n && (p[i] == '+' || p[i] == '-'))
				i++;
			if (i >= n || !is_digit(p[i]))
				return bad;
			while (i < n && is_digit(p[i]))
				i++;
		}
		return i;
	}
	static const char *const words[] = { "true", "false", "null" };
	for (size_t w = 0; w < 3; w++) {
		size_t wl = strlen(words[w]);
		if (n - i >= wl && memcmp(p + i, words[w], wl) == 0)
			return i + wl;
	}
	return bad;
}

/* --- the schema of is-json and contains-json ----------------------------- */

/* The schema in v (object, boolean, or string holding JSON), or NULL with
 * *error; *error stays NULL when there is no schema. */
static struct jsonschema *schema_of(const cJSON *v, char **error)
{
	*error = NULL;
	if (!v || cJSON_IsNull(v))
		return NULL;
	if (cJSON_IsString(v))
		return jsonschema_parse(v->valuestring, error);
	if (cJSON_IsObject(v) || cJSON_IsBool(v)) {
		char *t = cJSON_PrintUnformatted(v);
		struct jsonschema *s = jsonschema_parse(t, error);
		cJSON_free(t);
		return s;
	}
	*error = xstrdup("the schema must be an object or JSON text");
	return NULL;
}

/* --- checks -------------------------------------------------------------- */

static const char *value_str(struct check *c, char **owned)
{
	*owned = scalar_text(c->value);
	return *owned ? *owned : "";
}

static int check_equals(struct check *c)
{
	const char *out = c->ans->text;
	char *ex = excerpt(out);
	int pass;
	if (cJSON_IsObject(c->value) || cJSON_IsArray(c->value)) {
		/* A structured value is compared with the output read as JSON. */
		cJSON *o = cJSON_Parse(out);
		pass = o && cJSON_Compare(o, c->value, 1);
		cJSON_Delete(o);
		c->detail = xasprintf("output %s %s the expected JSON", ex,
				      pass ? "equals" : "does not equal");
	} else {
		char *owned;
		const char *want = value_str(c, &owned);
		pass = strcmp(out, want) == 0;
		char *w = excerpt(want);
		c->detail = xasprintf("expected exactly %s, found %s", w, ex);
		free(w);
		free(owned);
	}
	free(ex);
	return pass;
}

static int contains_common(struct check *c, int fold_case, int starts)
{
	char *owned;
	const char *want = value_str(c, &owned);
	char *hay = fold_case ? fold(c->ans->text) : xstrdup(c->ans->text);
	char *needle = fold_case ? fold(want) : xstrdup(want);
	int pass = starts ? strncmp(hay, needle, strlen(needle)) == 0 : strstr(hay, needle) != NULL;
	char *w = excerpt(want), *ex = excerpt(c->ans->text);
	c->detail = xasprintf("%s %s%s %s", ex, pass ? "" : "does not ",
			      starts ? (pass ? "starts with" : "start with")
				     : (pass ? "contains" : "contain"),
			      w);
	if (fold_case) {
		char *d = xasprintf("%s (ignoring case)", c->detail);
		free(c->detail);
		c->detail = d;
	}
	free(w);
	free(ex);
	free(hay);
	free(needle);
	free(owned);
	return pass;
}

static int check_contains(struct check *c)
{
	return contains_common(c, 0, 0);
}

static int check_icontains(struct check *c)
{
	return contains_common(c, 1, 0);
}

static int check_starts_with(struct check *c)
{
	return contains_common(c, 0, 1);
}

/* contains-any / -all, case-sensitive or not. The value is already a list. */
static int list_common(struct check *c, int fold_case, int all)
{
	char *hay = fold_case ? fold(c->ans->text) : xstrdup(c->ans->text);
	struct buf hit, miss;
	buf_init(&hit, 0);
	buf_init(&miss, 0);
	size_t nhit = 0, nmiss = 0;
	for (const cJSON *it = c->value ? c->value->child : NULL; it; it = it->next) {
		char *t = scalar_text(it);
		if (!t)
			continue;
		char *needle = fold_case ? fold(t) : xstrdup(t);
		int found = strstr(hay, needle) != NULL;
		struct buf *b = found ? &hit : &miss;
		buf_printf(b, "%s\"%s\"", b->len ? ", " : "", t);
		*(found ? &nhit : &nmiss) += 1;
		free(needle);
		free(t);
	}
	int pass = all ? nmiss == 0 : nhit > 0;
	char *ex = excerpt(c->ans->text);
	if (!nhit && !nmiss) /* a list emptied by its variables checks nothing */
		c->detail = xasprintf("the list is empty"), pass = 0;
	else if (all)
		c->detail = pass ? xasprintf("%s contains all of %s%s", ex, buf_str(&hit),
					     fold_case ? " (ignoring case)" : "")
				 : xasprintf("%s lacks %s%s", ex, buf_str(&miss),
					     fold_case ? " (ignoring case)" : "");
	else
		c->detail = pass ? xasprintf("%s contains %s%s", ex, buf_str(&hit),
					     fold_case ? " (ignoring case)" : "")
				 : xasprintf("%s contains none of %s%s", ex, buf_str(&miss),
					     fold_case ? " (ignoring case)" : "");
	free(ex);
	free(hay);
	buf_done(&hit);
	buf_done(&miss);
	return pass;
}

static int check_contains_any(struct check *c)
{
	return list_common(c, 0, 0);
}

static int check_contains_all(struct check *c)
{
	return list_common(c, 0, 1);
}

static int check_icontains_any(struct check *c)
{
	return list_common(c, 1, 0);
}

static int check_icontains_all(struct check *c)
{
	return list_common(c, 1, 1);
}

static int check_regex(struct check *c)
{
	char *owned;
	const char *pat = value_str(c, &owned);
	char *err = NULL;
	size_t off = 0;
	int pass = 0;
	struct jsregex *re = jsregex_compile(pat, &err, &off);
	char *ex = excerpt(c->ans->text);
	if (!re) {
		c->detail = xasprintf("the pattern /%s/ does not compile at offset %zu: %s", pat, off,
				      err);
	} else {
		int m = jsregex_search(re, c->ans->text, strlen(c->ans->text), &err);
		pass = m == 1;
		if (m < 0)
			c->detail = xasprintf("matching /%s/ failed: %s", pat, err);
		else
			c->detail = xasprintf("%s %s /%s/", ex, pass ? "matches" : "does not match",
					      pat);
	}
	jsregex_free(re);
	free(err);
	free(ex);
	free(owned);
	return pass;
}

static int check_is_json(struct check *c)
{
	const char *t = c->ans->text;
	size_t n = strlen(t);
	size_t i = skip_ws(t, n, 0);
	size_t end = json_value_end(t, n, i, 0);
	char *ex = excerpt(t);
	if (end == (size_t)-1 || skip_ws(t, n, end) != n) {
		c->detail = xasprintf("output %s is not one JSON value", ex);
		free(ex);
		return 0;
	}
	char *err = NULL;
	struct jsonschema *s = schema_of(c->value, &err);
	int pass = 1;
	if (err) {
		c->detail = xasprintf("bad schema: %s", err);
		pass = 0;
	} else if (s) {
		char *verr = NULL;
		pass = jsonschema_validate(s, t + i, end - i, &verr);
		c->detail = pass ? xasprintf("output is JSON that satisfies the schema")
				 : xasprintf("output is JSON but does not satisfy the schema: %s",
					     verr);
		free(verr);
	} else {
		c->detail = xasprintf("output is JSON");
	}
	jsonschema_free(s);
	free(err);
	free(ex);
	return pass;
}

/* As promptfoo's extractJsonObjects: every '{' that starts a JSON object,
 * scanning on past each object found; the first one the schema accepts wins. */
static int check_contains_json(struct check *c)
{
	const char *t = c->ans->text;
	size_t n = strlen(t);
	char *err = NULL;
	struct jsonschema *s = schema_of(c->value, &err);
	if (err) {
		c->detail = xasprintf("bad schema: %s", err);
		free(err);
		return 0;
	}
	size_t found = 0;
	char *last = NULL;
	int pass = 0;
	for (size_t i = 0; i < n && !pass; i++) {
		if (t[i] != '{')
			continue;
		size_t end = json_value_end(t, n, i, 0);
		if (end == (size_t)-1)
			continue;
		found++;
		char *verr = NULL;
		if (!s || jsonschema_validate(s, t + i, end - i, &verr))
			pass = 1;
		else {
			free(last);
			last = verr;
		}
		i = end - 1;
	}
	char *ex = excerpt(t);
	if (pass)
		c->detail = xasprintf("output holds a JSON object%s", s ? " that satisfies the schema" : "");
	else if (!found)
		c->detail = xasprintf("no JSON object in output %s", ex);
	else
		c->detail = xasprintf("%zu JSON object%s in output, none satisfies the schema: %s",
				      found, found == 1 ? "" : "s", last);
	free(ex);
	free(last);
	jsonschema_free(s);
	return pass;
}

static int check_cost(struct check *c)
{
	double v = c->ans->cost_usd;
	if (v < 0) {
		c->detail = xasprintf("the cost is unknown (no price for the model)");
		return 0;
	}
	int pass = v <= c->a->threshold;
	c->detail = xasprintf("cost $%.6f is %s the threshold $%.6f", v,
			      pass ? "within" : "over", c->a->threshold);
	return pass;
}

static int check_latency(struct check *c)
{
	double v = c->ans->latency_ms;
	if (v < 0) {
		c->detail = xasprintf("the latency is unknown");
		return 0;
	}
	int pass = v <= c->a->threshold;
	c->detail = xasprintf("latency %.0f ms is %s the threshold %.0f ms", v,
			      pass ? "within" : "over", c->a->threshold);
	return pass;
}

/* 1 when every member of want is in have, recursively for objects; arrays
 * and scalars compare equal. */
static int json_subset(const cJSON *want, const cJSON *have)
{
	if (cJSON_IsObject(want)) {
		if (!cJSON_IsObject(have))
			return 0;
		for (const cJSON *m = want->child; m; m = m->next) {
			const cJSON *h = cJSON_GetObjectItemCaseSensitive(have, m->string);
			if (!h || !json_subset(m, h))
				return 0;
		}
		return 1;
	}
	return cJSON_Compare(want, have, 1);
}

static int check_tool_call(struct check *c)
{
	const char *name = NULL;
	const cJSON *input = NULL;
	if (cJSON_IsString(c->value)) {
		name = c->value->valuestring;
	} else {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c->value, "name");
		name = cJSON_IsString(nm) ? nm->valuestring : "";
		input = cJSON_GetObjectItemCaseSensitive(c->value, "input");
	}
	cJSON *calls = cJSON_Parse(c->ans->tool_calls_json);
	struct buf seen;
	buf_init(&seen, 0);
	int pass = 0, named = 0;
	const cJSON *call;
	cJSON_ArrayForEach(call, calls) {
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(call, "name");
		if (!cJSON_IsString(nm))
			continue;
		buf_printf(&seen, "%s%s", seen.len ? ", " : "", nm->valuestring);
		if (strcmp(nm->valuestring, name) != 0)
			continue;
		named = 1;
		if (!input || json_subset(input, cJSON_GetObjectItemCaseSensitive(call, "input")))
			pass = 1;
	}
	cJSON_Delete(calls);
	if (pass)
		c->detail = xasprintf("the answer calls %s%s", name, input ? " with that input" : "");
	else if (named)
		c->detail = xasprintf("the answer calls %s but no call's input holds the expected input",
				      name);
	else
		c->detail = xasprintf("expected a call of %s, found %s", name,
				      seen.len ? buf_str(&seen) : "no tool calls");
	buf_done(&seen);
	return pass;
}

static int check_stop_reason(struct check *c)
{
	char *owned;
	const char *want = value_str(c, &owned);
	const char *got = c->ans->stop_reason;
	int pass = got && strcmp(got, want) == 0;
	c->detail = xasprintf("expected stop reason %s, found %s", want, got ? got : "none");
	free(owned);
	return pass;
}

static int check_llm_rubric(struct check *c)
{
	if (!c->grader) {
		c->detail = xasprintf("not graded (no grader answer)");
		return 0;
	}
	int gpass = 0;
	double score = 0;
	char *why = NULL;
	if (!assert_rubric_parse(c->grader, &gpass, &score, &why)) {
		c->detail = xasprintf("the grader's answer is unusable: %s", why);
		free(why);
		return 0;
	}
	c->score = score;
	int pass = gpass && (!c->a->has_threshold || score >= c->a->threshold);
	if (c->a->has_threshold)
		c->detail = xasprintf("grader: %s, score %.2f (threshold %.2f): %s",
				      gpass ? "pass" : "fail", score, c->a->threshold, why);
	else
		c->detail = xasprintf("grader: %s, score %.2f: %s", gpass ? "pass" : "fail", score,
				      why);
	free(why);
	return pass;
}

/* --- the table ------------------------------------------------------------ */

static const struct assert_type types[] = {
	{ .name = "equals", .value = VALUE_STRING, .value_required = 1, .negatable = 1,
	  .check = check_equals, .help = "the output is exactly VALUE (no trimming)" },
	{ .name = "contains", .value = VALUE_STRING, .value_required = 1, .negatable = 1,
	  .check = check_contains, .help = "the output contains VALUE" },
	{ .name = "icontains", .value = VALUE_STRING, .value_required = 1, .negatable = 1,
	  .check = check_icontains, .help = "the output contains VALUE, ignoring case (Unicode)" },
	{ .name = "contains-any", .value = VALUE_LIST, .value_required = 1, .negatable = 1,
	  .check = check_contains_any, .help = "the output contains one of the listed values" },
	{ .name = "contains-all", .value = VALUE_LIST, .value_required = 1, .negatable = 1,
	  .check = check_contains_all, .help = "the output contains every listed value" },
	{ .name = "icontains-any", .value = VALUE_LIST, .value_required = 1, .negatable = 1,
	  .check = check_icontains_any, .help = "contains-any, ignoring case" },
	{ .name = "icontains-all", .value = VALUE_LIST, .value_required = 1, .negatable = 1,
	  .check = check_icontains_all, .help = "contains-all, ignoring case" },
	{ .name = "starts-with", .value = VALUE_STRING, .value_required = 1, .negatable = 1,
	  .check = check_starts_with, .help = "the output starts with VALUE" },
	{ .name = "regex", .value = VALUE_STRING, .value_required = 1, .negatable = 1,
	  .check = check_regex, .help = "the output matches the regular expression VALUE "
					"(JavaScript meaning, no flags)" },
	{ .name = "is-json", .value = VALUE_SCHEMA, .negatable = 1, .check = check_is_json,
	  .help = "the whole output is one JSON value (VALUE: an optional JSON Schema)" },
	{ .name = "contains-json", .value = VALUE_SCHEMA, .negatable = 1,
	  .check = check_contains_json,
	  .help = "the output holds a JSON object, maybe in a code fence (VALUE: an optional "
		  "JSON Schema)" },
	{ .name = "cost", .value = VALUE_NONE, .takes_threshold = 1, .threshold_required = 1,
	  .check = check_cost, .help = "the call cost at most THRESHOLD USD" },
	{ .name = "latency", .value = VALUE_NONE, .takes_threshold = 1, .threshold_required = 1,
	  .check = check_latency, .help = "the answer took at most THRESHOLD ms" },
	{ .name = "tool-call", .value = VALUE_TOOL, .value_required = 1, .negatable = 1,
	  .check = check_tool_call,
	  .help = "the answer calls the tool VALUE ({name, input}: input a subset of the call's)" },
	{ .name = "stop-reason", .value = VALUE_STRING, .value_required = 1, .negatable = 1,
	  .check = check_stop_reason, .help = "the answer stopped for VALUE (end_turn, max_tokens...)" },
	{ .name = "llm-rubric", .value = VALUE_STRING, .value_required = 1, .takes_threshold = 1,
	  .negatable = 1, .check = check_llm_rubric,
	  .help = "a grader model finds that the output meets the rubric VALUE (THRESHOLD: "
		  "the lowest score 0..1 that passes)" },
};

#define NTYPES (sizeof types / sizeof types[0])

static const struct assert_type *type_find(const char *name)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (strcmp(types[i].name, name) == 0)
			return &types[i];
	return NULL;
}

int assert_type_shape(const char *name, enum assert_value_kind *value, int *takes_threshold)
{
	const struct assert_type *t = type_find(name);
	if (!t)
		return -1;
	*value = t->value;
	*takes_threshold = t->takes_threshold;
	return 0;
}

size_t assert_type_count(void)
{
	return NTYPES;
}

const char *assert_type_name(size_t i)
{
	return i < NTYPES ? types[i].name : NULL;
}

int assert_type_known(const char *name)
{
	return name && type_find(name) != NULL;
}

char *assert_help_text(void)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < NTYPES; i++) {
		const struct assert_type *t = &types[i];
		char *usage = xasprintf("%s%s%s%s", t->negatable ? "[not-]" : "", t->name,
					t->takes_threshold ? "(THRESHOLD)" : "",
					t->value == VALUE_NONE ? ""
					: t->value_required ? ":VALUE" : "[:VALUE]");
		buf_printf(&b, "  %-32s %s\n", usage, t->help);
		free(usage);
	}
	return buf_take(&b);
}

static const char *const code_types[] = {
	"javascript", "python", "ruby", "webhook", "fn", "eval", "file", NULL,
};

int assert_is_code_type(const char *name)
{
	if (!name)
		return 0;
	if (strncmp(name, "not-", 4) == 0)
		name += 4;
	if (strncmp(name, "file://", 7) == 0)
		return 1;
	for (size_t i = 0; code_types[i]; i++)
		if (strcmp(code_types[i], name) == 0)
			return 1;
	return 0;
}

/* --- assertions ------------------------------------------------------------ */

struct assertion *assertion_new(const char *type, int negate, const char *value_json,
				int has_threshold, double threshold)
{
	struct assertion *a = xcalloc(1, sizeof *a);
	a->type = xstrdup(type);
	a->negate = negate;
	a->value_json = xstrdup(value_json);
	a->has_threshold = has_threshold;
	a->threshold = threshold;
	return a;
}

struct assertion *assertion_copy(const struct assertion *a)
{
	struct assertion *c = assertion_new(a->type, a->negate, a->value_json, a->has_threshold,
					    a->threshold);
	assertion_set_position(c, a->file, a->line, a->col, a->path);
	return c;
}

void assertion_free(struct assertion *a)
{
	if (!a)
		return;
	free(a->type);
	free(a->value_json);
	free(a->file);
	free(a->path);
	free(a);
}

void assertion_set_position(struct assertion *a, const char *file, int line, int col,
			    const char *path)
{
	str_set(&a->file, file);
	str_set(&a->path, path);
	a->line = line;
	a->col = col;
}

static void add_error(struct diag_list *diags, const struct assertion *a, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_error(struct diag_list *diags, const struct assertion *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	struct diag *d = diag_add_at(diags, DIAG_ERROR, a->file, a->line, a->col, "%s", m);
	if (a->path)
		str_set(&d->path, a->path);
	free(m);
}

static char *names_list(void)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < NTYPES; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", types[i].name);
	return buf_take(&b);
}

int assertion_validate(const struct assertion *a, struct diag_list *diags)
{
	size_t before = diag_count(diags, DIAG_ERROR);
	const char *label = a->path ? a->path : "assertion";
	if (assert_is_code_type(a->type)) {
		add_error(diags, a, "%s: assertion type '%s' asks to run code; pwb never runs code "
			  "from tests", label, a->type);
		return 1;
	}
	const struct assert_type *t = type_find(a->type);
	if (!t) {
		char *names = names_list();
		add_error(diags, a, "%s: unknown assertion type '%s' (supported: %s)", label,
			  a->type, names);
		free(names);
		return 1;
	}
	if (a->negate && !t->negatable)
		add_error(diags, a, "%s: '%s' cannot be negated (not-%s): write the bound you want "
			  "as the threshold", label, t->name, t->name);
	if (t->threshold_required && !a->has_threshold)
		add_error(diags, a, "%s: '%s' needs a threshold (e.g. %s(%s))", label, t->name,
			  t->name, strcmp(t->name, "cost") == 0 ? "0.01" : "5000");
	if (a->has_threshold && !t->takes_threshold) {
		struct diag *d = diag_add_at(diags, DIAG_WARNING, a->file, a->line, a->col,
					     "%s: '%s' takes no threshold; it is ignored", label,
					     t->name);
		str_set(&d->path, a->path);
	} else if (a->has_threshold && !isfinite(a->threshold))
		add_error(diags, a, "%s: the threshold is not a number", label);
	cJSON *v = a->value_json ? cJSON_Parse(a->value_json) : NULL;
	if (a->value_json && !v)
		add_error(diags, a, "%s: the value is not valid JSON", label);
	if (!v && t->value_required)
		add_error(diags, a, "%s: '%s' needs a value", label, t->name);
	if (v) {
		switch (t->value) {
		case VALUE_NONE:
			break;
		case VALUE_STRING:
			if (!cJSON_IsString(v) && !cJSON_IsNumber(v) && !cJSON_IsBool(v) &&
			    !(strcmp(t->name, "equals") == 0 && (cJSON_IsObject(v) || cJSON_IsArray(v))))
				add_error(diags, a, "%s: the value of '%s' must be a string", label,
					  t->name);
			else if (strcmp(t->name, "regex") == 0 && cJSON_IsString(v) &&
				 !vars_present(v->valuestring)) {
				char *err = NULL;
				size_t off = 0;
				struct jsregex *re = jsregex_compile(v->valuestring, &err, &off);
				if (!re)
					add_error(diags, a, "%s: the regex /%s/ does not compile at "
						  "offset %zu: %s", label, v->valuestring, off, err);
				jsregex_free(re);
				free(err);
			}
			break;
		case VALUE_LIST: {
			int ok = cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0;
			const cJSON *it;
			cJSON_ArrayForEach(it, v)
				if (!cJSON_IsString(it) && !cJSON_IsNumber(it))
					ok = 0;
			if (cJSON_IsString(v)) {
				char *err = NULL, *list = assert_list_to_json(v->valuestring, &err);
				ok = list != NULL;
				if (!ok)
					add_error(diags, a, "%s: %s", label, err);
				free(list);
				free(err);
				break;
			}
			if (!ok)
				add_error(diags, a, "%s: the value of '%s' must be a non-empty list of "
					  "strings", label, t->name);
			break;
		}
		case VALUE_SCHEMA:
			if (!cJSON_IsNull(v)) {
				char *err = NULL;
				struct jsonschema *s = schema_of(v, &err);
				if (err)
					add_error(diags, a, "%s: bad JSON Schema: %s", label, err);
				jsonschema_free(s);
				free(err);
			}
			break;
		case VALUE_TOOL: {
			const cJSON *nm = cJSON_GetObjectItemCaseSensitive(v, "name");
			if (!cJSON_IsString(v) && !(cJSON_IsObject(v) && cJSON_IsString(nm)))
				add_error(diags, a, "%s: the value of 'tool-call' must be a tool name "
					  "or {name, input}", label);
			break;
		}
		}
	}
	cJSON_Delete(v);
	return (int)(diag_count(diags, DIAG_ERROR) - before);
}

static int locate_or(assert_locate_fn locate, void *ud, const char *path, int *line, int *col)
{
	*line = *col = 0;
	return locate && path && locate(ud, path, line, col);
}

struct assertion *assertion_from_json(const char *json, const char *file, const char *path,
				      assert_locate_fn locate, void *locate_ud,
				      struct diag_list *diags)
{
	int line, col;
	locate_or(locate, locate_ud, path, &line, &col);
	const char *label = path ? path : "assertion";
	cJSON *o = cJSON_Parse(json);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
	if (!cJSON_IsObject(o) || !cJSON_IsString(type)) {
		diag_add_at(diags, DIAG_ERROR, file, line, col,
			    "%s: an assertion is an object with a 'type'", label);
		cJSON_Delete(o);
		return NULL;
	}
	const char *name = type->valuestring;
	int negate = strncmp(name, "not-", 4) == 0;
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(o, "value");
	const cJSON *thr = cJSON_GetObjectItemCaseSensitive(o, "threshold");
	char *vjson = value ? cJSON_PrintUnformatted(value) : NULL;
	struct assertion *a = assertion_new(negate ? name + 4 : name, negate, vjson, thr != NULL,
					    cJSON_IsNumber(thr) ? thr->valuedouble : NAN);
	cJSON_free(vjson);
	assertion_set_position(a, file, line, col, path);
	/* cost and latency also take their bound as a number value */
	const struct assert_type *t = type_find(a->type);
	if (t && t->value == VALUE_NONE && t->takes_threshold && cJSON_IsNumber(value) && !thr) {
		a->has_threshold = 1;
		a->threshold = value->valuedouble;
		free(a->value_json);
		a->value_json = NULL;
	}
	for (const cJSON *k = o->child; k; k = k->next)
		if (strcmp(k->string, "type") && strcmp(k->string, "value") &&
		    strcmp(k->string, "threshold"))
			diag_add_at(diags, DIAG_WARNING, file, line, col,
				    "%s: '%s' is not used by pwb and is ignored", label, k->string);
	cJSON_Delete(o);
	if (assertion_validate(a, diags) && !t) {
		assertion_free(a);
		return NULL;
	}
	return a;
}

/* --- lists ------------------------------------------------------------------ */

char *assert_list_to_json(const char *text, char **error)
{
	cJSON *arr = cJSON_CreateArray();
	const char *p = text;
	struct buf item;
	buf_init(&item, 0);
	*error = NULL;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		buf_clear(&item);
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p) {
					*error = xstrdup("a list item's quote is not closed");
					goto out;
				}
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
					buf_append(&item, p + 1, 1);
					p += 2;
				} else if (*p == '"' && p[1] == '"') {
					buf_append(&item, p, 1);
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					buf_append(&item, p++, 1);
				}
			}
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p && *p != ',') {
				*error = xasprintf("text after a quoted list item: %s", p);
				goto out;
			}
			cJSON_AddItemToArray(arr, cJSON_CreateString(buf_str(&item)));
		} else {
			const char *e = strchr(p, ',');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			while (n && strchr(" \t\r\n", p[n - 1]))
				n--;
			if (n) {
				buf_append(&item, p, n);
				cJSON_AddItemToArray(arr, cJSON_CreateString(buf_str(&item)));
			}
			p += n;
			while (*p && *p != ',')
				p++;
		}
		if (*p != ',')
			break;
		p++;
	}
	if (cJSON_GetArraySize(arr) == 0)
		*error = xstrdup("the list is empty");
out:
	buf_done(&item);
	char *json = NULL;
	if (!*error) {
		char *t = cJSON_PrintUnformatted(arr);
		json = xstrdup(t);
		cJSON_free(t);
	}
	cJSON_Delete(arr);
	return json;
}

char *assertion_describe(const struct assertion *a)
{
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "%s%s", a->negate ? "not-" : "", a->type);
	if (a->has_threshold)
		buf_printf(&b, "(%g)", a->threshold);
	if (a->value_json) {
		cJSON *v = cJSON_Parse(a->value_json);
		if (cJSON_IsString(v))
			buf_printf(&b, ": %s", v->valuestring);
		else
			buf_printf(&b, ": %s", a->value_json);
		cJSON_Delete(v);
	}
	return buf_take(&b);
}

/* --- the answer -------------------------------------------------------------- */

int assert_answer_from_message(const char *message_json, struct assert_answer *out)
{
	memset(out, 0, sizeof *out);
	out->cost_usd = out->latency_ms = -1;
	cJSON *m = message_json ? cJSON_Parse(message_json) : NULL;
	struct buf text;
	buf_init(&text, 0);
	cJSON *calls = cJSON_CreateArray();
	int ok = cJSON_IsObject(m);
	const cJSON *block;
	int first = 1;
	cJSON_ArrayForEach(block, cJSON_GetObjectItemCaseSensitive(m, "content")) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(block, "type");
		if (!cJSON_IsString(type))
			continue;
		if (strcmp(type->valuestring, "text") == 0) {
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(block, "text");
			if (!cJSON_IsString(t))
				continue;
			if (!first)
				buf_puts(&text, "\n\n");
			buf_puts(&text, t->valuestring);
			first = 0;
		} else if (strcmp(type->valuestring, "tool_use") == 0) {
			cJSON_AddItemToArray(calls, cJSON_Duplicate(block, 1));
		}
	}
	const cJSON *sr = cJSON_GetObjectItemCaseSensitive(m, "stop_reason");
	out->stop_reason = cJSON_IsString(sr) ? xstrdup(sr->valuestring) : NULL;
	out->text = buf_take(&text);
	char *t = cJSON_PrintUnformatted(calls);
	out->tool_calls_json = xstrdup(t);
	cJSON_free(t);
	cJSON_Delete(calls);
	cJSON_Delete(m);
	return ok;
}

void assert_answer_from_text(const char *text, struct assert_answer *out)
{
	memset(out, 0, sizeof *out);
	out->cost_usd = out->latency_ms = -1;
	out->text = xstrdup(text ? text : "");
	out->tool_calls_json = xstrdup("[]");
}

void assert_answer_done(struct assert_answer *a)
{
	free(a->text);
	free(a->tool_calls_json);
	free(a->stop_reason);
	memset(a, 0, sizeof *a);
}

/* --- running -------------------------------------------------------------- */

/* Expand {{variables}} in every string of v, in place. */
static void expand_strings(cJSON *v, const struct session *s)
{
	if (cJSON_IsString(v) && vars_present(v->valuestring)) {
		char *e = vars_expand(s, v->valuestring, NULL, NULL, NULL);
		cJSON_SetValuestring(v, e);
		free(e);
		return;
	}
	for (cJSON *c = v ? v->child : NULL; c; c = c->next)
		expand_strings(c, s);
}

/* A session holding only the row's variables, which is all vars_expand reads. */
static void vars_session(struct session *s, const struct session_var *vars, size_t nvars)
{
	memset(s, 0, sizeof *s);
	s->vars = (struct session_var *)vars;
	s->nvars = nvars;
}

int assert_check(const struct assertion *a, const struct assert_answer *ans,
		 const struct session_var *vars, size_t nvars, const char *grader_message,
		 struct assert_result *out)
{
	memset(out, 0, sizeof *out);
	const struct assert_type *t = type_find(a->type);
	char *desc = assertion_describe(a);
	if (!t || assert_is_code_type(a->type)) {
		out->reason = xasprintf("%s: not a supported assertion", desc);
		free(desc);
		return 0;
	}
	struct session s;
	vars_session(&s, vars, nvars);
	cJSON *value = a->value_json ? cJSON_Parse(a->value_json) : NULL;
	expand_strings(value, &s);
	if (t->value == VALUE_LIST && cJSON_IsString(value)) {
		char *err = NULL, *list = assert_list_to_json(value->valuestring, &err);
		cJSON_Delete(value);
		value = list ? cJSON_Parse(list) : cJSON_CreateArray();
		free(list);
		free(err);
	}
	struct check c = { .a = a, .ans = ans, .value = value, .grader = grader_message };
	int raw = t->check(&c);
	out->pass = a->negate ? !raw : raw;
	out->score = t->check == check_llm_rubric && !a->negate ? c.score : out->pass;
	if (a->negate)
		out->reason = xasprintf("%s: %s: %s, and the assertion is negated", desc,
					out->pass ? "passed" : "failed", c.detail);
	else
		out->reason = xasprintf("%s: %s: %s", desc, out->pass ? "passed" : "failed",
					c.detail);
	free(c.detail);
	free(desc);
	cJSON_Delete(value);
	return out->pass;
}

void assert_result_done(struct assert_result *r)
{
	free(r->reason);
	r->reason = NULL;
}

/* --- llm-rubric ----------------------------------------------------------- */

static const char grader_system[] =
	"You grade the output of an AI assistant against a rubric. Read the rubric and the "
	"output, then call the " ASSERT_GRADER_TOOL " tool once: pass is true when the output "
	"meets the rubric, score is how well it meets it from 0 to 1, reason says why in one "
	"or two sentences.";

char *assert_rubric_request(const struct assertion *a, const char *model, const char *output,
			    const struct session_var *vars, size_t nvars)
{
	struct session s;
	vars_session(&s, vars, nvars);
	cJSON *v = a->value_json ? cJSON_Parse(a->value_json) : NULL;
	char *rubric = cJSON_IsString(v) ? vars_expand(&s, v->valuestring, NULL, NULL, NULL)
					 : xstrdup("");
	cJSON_Delete(v);
	char *user = xasprintf("<rubric>\n%s\n</rubric>\n\n<output>\n%s\n</output>", rubric,
			       output ? output : "");
	free(rubric);
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "model", model ? model : "");
	cJSON_AddNumberToObject(body, "max_tokens", 1024);
	cJSON_AddStringToObject(body, "system", grader_system);
	cJSON *msgs = cJSON_AddArrayToObject(body, "messages");
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", "user");
	cJSON_AddStringToObject(m, "content", user);
	cJSON_AddItemToArray(msgs, m);
	free(user);
	cJSON *tools = cJSON_AddArrayToObject(body, "tools");
	cJSON *tool = cJSON_CreateObject();
	cJSON_AddStringToObject(tool, "name", ASSERT_GRADER_TOOL);
	cJSON_AddStringToObject(tool, "description", "Record the verdict on the output.");
	cJSON *schema = cJSON_AddObjectToObject(tool, "input_schema");
	cJSON_AddStringToObject(schema, "type", "object");
	cJSON *props = cJSON_AddObjectToObject(schema, "properties");
	cJSON *pp = cJSON_AddObjectToObject(props, "pass");
	cJSON_AddStringToObject(pp, "type", "boolean");
	cJSON *ps = cJSON_AddObjectToObject(props, "score");
	cJSON_AddStringToObject(ps, "type", "number");
	cJSON_AddNumberToObject(ps, "minimum", 0);
	cJSON_AddNumberToObject(ps, "maximum", 1);
	cJSON *pr = cJSON_AddObjectToObject(props, "reason");
	cJSON_AddStringToObject(pr, "type", "string");
	cJSON *req = cJSON_AddArrayToObject(schema, "required");
	cJSON_AddItemToArray(req, cJSON_CreateString("pass"));
	cJSON_AddItemToArray(req, cJSON_CreateString("score"));
	cJSON_AddItemToArray(req, cJSON_CreateString("reason"));
	cJSON_AddItemToArray(tools, tool);
	cJSON *choice = cJSON_AddObjectToObject(body, "tool_choice");
	cJSON_AddStringToObject(choice, "type", "tool");
	cJSON_AddStringToObject(choice, "name", ASSERT_GRADER_TOOL);
	char *t = cJSON_PrintUnformatted(body);
	char *r = xstrdup(t);
	cJSON_free(t);
	cJSON_Delete(body);
	return r;
}

int assert_rubric_parse(const char *message_json, int *pass, double *score, char **reason)
{
	*pass = 0;
	*score = 0;
	*reason = NULL;
	cJSON *m = message_json ? cJSON_Parse(message_json) : NULL;
	const cJSON *input = NULL, *block;
	cJSON_ArrayForEach(block, cJSON_GetObjectItemCaseSensitive(m, "content")) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(block, "type");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(block, "name");
		if (cJSON_IsString(type) && strcmp(type->valuestring, "tool_use") == 0 &&
		    cJSON_IsString(name) && strcmp(name->valuestring, ASSERT_GRADER_TOOL) == 0) {
			input = cJSON_GetObjectItemCaseSensitive(block, "input");
			break;
		}
	}
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(input, "pass");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(input, "score");
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(input, "reason");
	int ok = 0;
	if (!m)
		*reason = xstrdup("the grader's answer is not JSON");
	else if (!input)
		*reason = xstrdup("the grader did not call the " ASSERT_GRADER_TOOL " tool");
	else if (!cJSON_IsBool(p) || !cJSON_IsNumber(s) || !cJSON_IsString(r))
		*reason = xstrdup("the grader's verdict lacks pass (boolean), score (number) or "
				  "reason (string)");
	else if (!(s->valuedouble >= 0 && s->valuedouble <= 1))
		*reason = xasprintf("the grader's score %g is outside 0..1", s->valuedouble);
	else {
		ok = 1;
		*pass = cJSON_IsTrue(p);
		*score = s->valuedouble;
		*reason = xstrdup(r->valuestring);
	}
	cJSON_Delete(m);
	return ok;
}
