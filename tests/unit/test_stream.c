/* Stream assembly against every fixture in tests/fixtures (read at run time,
 * so a new fixture is a new case): whole, split in two at every byte, in
 * 1-byte chunks; the text_delta fast path against cJSON; caps, cancel,
 * failures from outside. Run from the repository root. */
#include "tests/unit/tap.h"

#include "core/buf.h"
#include "core/stream.h"
#include "core/util.h"

#include <cJSON.h>

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define FIXDIR "tests/fixtures"

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b, 0);
	char tmp[8192];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_append(&b, tmp, n);
	fclose(f);
	*len = b.len;
	return buf_take(&b);
}

/* --- comparing a stream with an .expect.json ---------------------------- */

static char why[1024];

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *outcome_name(enum stream_outcome o)
{
	switch (o) {
	case STREAM_RUNNING: return "running";
	case STREAM_COMPLETE: return "complete";
	case STREAM_ERROR: return "error";
	case STREAM_TRUNCATED: return "truncated";
	case STREAM_CANCELED: return "canceled";
	}
	return "?";
}

static int same_str(const char *what, const char *got, const cJSON *want)
{
	const char *w = cJSON_IsString(want) ? want->valuestring : NULL;
	if (!got && !w)
		return 0;
	if (!got || !w || strcmp(got, w) != 0)
		return fail("%s: got \"%s\", expected \"%s\"", what, got ? got : "(null)",
			    w ? w : "(null)");
	return 0;
}

static int same_json(const char *what, const char *got, const cJSON *want)
{
	if (!want || cJSON_IsNull(want)) {
		if (got)
			return fail("%s: got %s, expected null", what, got);
		return 0;
	}
	if (!got)
		return fail("%s: got null", what);
	cJSON *g = cJSON_Parse(got);
	int ok = g && cJSON_Compare(g, want, 1);
	cJSON_Delete(g);
	if (!ok) {
		char *w = cJSON_PrintUnformatted(want);
		fail("%s: got %s, expected %s", what, got, w);
		cJSON_free(w);
		return -1;
	}
	return 0;
}

static int same_count(const char *what, long got, const cJSON *usage, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(usage, key);
	if (!cJSON_IsNumber(v))
		return 0; /* only the counters present are compared */
	if (got != (long)v->valuedouble)
		return fail("usage.%s: got %ld, expected %.0f", what, got, v->valuedouble);
	return 0;
}

/* The core comparison of tests/fixtures/README.md. Returns 0 or -1 (why). */
static int check_expect(const struct stream *s, const cJSON *exp)
{
	const char *outcome = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(exp, "outcome"));
	if (!outcome || strcmp(outcome, outcome_name(stream_outcome(s))) != 0)
		return fail("outcome: got %s, expected %s (error %s: %s)",
			    outcome_name(stream_outcome(s)), outcome ? outcome : "?",
			    stream_error_type(s) ? stream_error_type(s) : "-",
			    stream_error_message(s) ? stream_error_message(s) : "-");
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(exp, "error");
	if (cJSON_IsObject(err)) {
		if (same_str("error.type", stream_error_type(s),
			     cJSON_GetObjectItemCaseSensitive(err, "type")) ||
		    same_str("error.message", stream_error_message(s),
			     cJSON_GetObjectItemCaseSensitive(err, "message")))
			return -1;
	} else if (stream_error_type(s)) {
		return fail("error: got %s, expected none", stream_error_type(s));
	}
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(exp, "message");
	if (!cJSON_IsObject(m)) {
		if (stream_has_message(s))
			return fail("message: got one, expected null");
		return 0;
	}
	if (!stream_has_message(s))
		return fail("message: got none");
	if (same_str("id", stream_message_id(s), cJSON_GetObjectItemCaseSensitive(m, "id")) ||
	    same_str("model", stream_model(s), cJSON_GetObjectItemCaseSensitive(m, "model")) ||
	    same_str("stop_reason", stream_stop_reason(s),
		     cJSON_GetObjectItemCaseSensitive(m, "stop_reason")) ||
	    same_str("stop_sequence", stream_stop_sequence(s),
		     cJSON_GetObjectItemCaseSensitive(m, "stop_sequence")))
		return -1;
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
	const cJSON *incomplete = cJSON_GetObjectItemCaseSensitive(exp, "incomplete_tool_inputs");
	size_t n = (size_t)cJSON_GetArraySize(content);
	if (stream_block_count(s) != n)
		return fail("content: got %zu blocks, expected %zu", stream_block_count(s), n);
	for (size_t i = 0; i < n; i++) {
		const cJSON *want = cJSON_GetArrayItem(content, (int)i);
		struct stream_block b;
		char what[64];
		if (stream_block(s, i, &b) < 0)
			return fail("block %zu missing", i);
#define FIELD(name) cJSON_GetObjectItemCaseSensitive(want, name)
		snprintf(what, sizeof what, "content[%zu].type", i);
		if (same_str(what, b.type, FIELD("type")))
			return -1;
		if (FIELD("text")) {
			snprintf(what, sizeof what, "content[%zu].text", i);
			if (same_str(what, b.text, FIELD("text")))
				return -1;
		}
		if (FIELD("thinking")) {
			snprintf(what, sizeof what, "content[%zu].thinking", i);
			if (same_str(what, b.text, FIELD("thinking")))
				return -1;
		}
		if (FIELD("signature")) {
			snprintf(what, sizeof what, "content[%zu].signature", i);
			if (same_str(what, b.signature, FIELD("signature")))
				return -1;
		}
		if (FIELD("id")) {
			snprintf(what, sizeof what, "content[%zu].id", i);
			if (same_str(what, b.id, FIELD("id")))
				return -1;
		}
		if (FIELD("name")) {
			snprintf(what, sizeof what, "content[%zu].name", i);
			if (same_str(what, b.name, FIELD("name")))
				return -1;
		}
		if (FIELD("input")) {
			snprintf(what, sizeof what, "content[%zu].input", i);
			if (same_json(what, b.input_json, FIELD("input")))
				return -1;
		}
#undef FIELD
		char key[32];
		snprintf(key, sizeof key, "%zu", i);
		const cJSON *raw = cJSON_GetObjectItemCaseSensitive(incomplete, key);
		if (raw) {
			snprintf(what, sizeof what, "content[%zu] partial input", i);
			if (same_str(what, b.partial_json, raw))
				return -1;
			if (b.complete)
				return fail("content[%zu]: complete, expected incomplete", i);
		}
	}
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(m, "usage");
	struct usage got;
	stream_usage(s, &got);
	if (cJSON_IsObject(u)) {
		const cJSON *cc = cJSON_GetObjectItemCaseSensitive(u, "cache_creation");
		if (same_count("input_tokens", got.input_tokens, u, "input_tokens") ||
		    same_count("output_tokens", got.output_tokens, u, "output_tokens") ||
		    same_count("cache_creation_input_tokens", got.cache_creation_input_tokens, u,
			       "cache_creation_input_tokens") ||
		    same_count("cache_read_input_tokens", got.cache_read_input_tokens, u,
			       "cache_read_input_tokens") ||
		    same_count("cache_creation.ephemeral_5m_input_tokens", got.cache_creation_5m, cc,
			       "ephemeral_5m_input_tokens") ||
		    same_count("cache_creation.ephemeral_1h_input_tokens", got.cache_creation_1h, cc,
			       "ephemeral_1h_input_tokens"))
			return -1;
	} else if (got.input_tokens != -1 || got.output_tokens != -1) {
		return fail("usage: got counters, expected none");
	}
	return 0;
}

/* The whole assembled message, compared as JSON with the expected one. */
static int check_message_json(const struct stream *s, const cJSON *exp)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(exp, "message");
	char *got = stream_message_json(s);
	int rc = same_json("message", got, m);
	free(got);
	return rc;
}

/* --- feeding ------------------------------------------------------------- */

static void feed_chunks(struct stream *s, const char *p, size_t n, const size_t *cuts, size_t ncuts)
{
	size_t at = 0;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : n;
		if (stream_feed(s, p + at, to - at) < 0)
			return;
		at = to;
	}
	stream_end(s);
}

static struct stream *run_whole(const char *p, size_t n, int fast)
{
	struct stream *s = stream_new(0);
	stream_set_fast_path(s, fast);
	feed_chunks(s, p, n, NULL, 0);
	return s;
}

struct fixture {
	char *name;
	char *body;
	size_t len;
	cJSON *expect;
	int json; /* a non-stream body */
};

static struct fixture *fixtures;
static size_t nfixtures;

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct fixture *)a)->name, ((const struct fixture *)b)->name);
}

static void load_fixtures(void)
{
	DIR *d = opendir(FIXDIR);
	if (!d)
		return;
	struct dirent *e;
	size_t alloc = 0;
	while ((e = readdir(d)) != NULL) {
		int sse = ends_with(e->d_name, ".sse");
		int json = ends_with(e->d_name, ".json") && !ends_with(e->d_name, ".expect.json");
		if (!sse && !json)
			continue;
		size_t base = strlen(e->d_name) - (sse ? 4 : 5);
		char *path = xasprintf(FIXDIR "/%.*s.expect.json", (int)base, e->d_name);
		size_t elen;
		char *etext = read_all(path, &elen);
		free(path);
		cJSON *exp = etext ? cJSON_Parse(etext) : NULL;
		free(etext);
		/* .json fixtures count only when they stand for a Messages answer. */
		if (!exp || (json && !cJSON_GetObjectItemCaseSensitive(exp, "message"))) {
			cJSON_Delete(exp);
			continue;
		}
		if (nfixtures == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			fixtures = xrealloc(fixtures, alloc * sizeof *fixtures);
		}
		struct fixture *f = &fixtures[nfixtures++];
		f->name = xstrdup(e->d_name);
		path = xasprintf(FIXDIR "/%s", e->d_name);
		f->body = read_all(path, &f->len);
		free(path);
		f->expect = exp;
		f->json = json;
	}
	closedir(d);
	qsort(fixtures, nfixtures, sizeof *fixtures, by_name);
}

static void free_fixtures(void)
{
	for (size_t i = 0; i < nfixtures; i++) {
		free(fixtures[i].name);
		free(fixtures[i].body);
		cJSON_Delete(fixtures[i].expect);
	}
	free(fixtures);
}

static void report(const char *name, int failed)
{
	printf("%s - fixture %s\n", failed ? "not ok" : "ok", name);
	if (failed)
		tap_any_failed = 1;
}

static void test_sse_fixture(const struct fixture *f)
{
	char name[256];
	int bad = 0;
	struct stream *s = run_whole(f->body, f->len, 1);
	if (check_expect(s, f->expect) < 0) {
		printf("#   whole: %s\n", why);
		bad = 1;
	}
	snprintf(name, sizeof name, "%s whole", f->name);
	report(name, bad);

	bad = check_message_json(s, f->expect) < 0;
	if (bad)
		printf("#   %s\n", why);
	snprintf(name, sizeof name, "%s message JSON equals the expected message", f->name);
	report(name, bad);
	stream_free(s);

	bad = 0;
	for (size_t k = 0; k <= f->len && !bad; k++) {
		s = stream_new(0);
		feed_chunks(s, f->body, f->len, &k, 1);
		if (check_expect(s, f->expect) < 0) {
			printf("#   split at %zu: %s\n", k, why);
			bad = 1;
		}
		stream_free(s);
	}
	snprintf(name, sizeof name, "%s split in two at every byte", f->name);
	report(name, bad);

	s = stream_new(0);
	size_t *cuts = xcalloc(f->len + 1, sizeof *cuts);
	for (size_t k = 1; k < f->len; k++)
		cuts[k - 1] = k;
	feed_chunks(s, f->body, f->len, cuts, f->len ? f->len - 1 : 0);
	free(cuts);
	bad = check_expect(s, f->expect) < 0;
	if (bad)
		printf("#   1-byte chunks: %s\n", why);
	snprintf(name, sizeof name, "%s in 1-byte chunks", f->name);
	report(name, bad);
	stream_free(s);
}

static void test_json_fixture(const struct fixture *f)
{
	char name[256];
	struct stream *s = stream_new(0);
	stream_take_json(s, f->body, f->len);
	int bad = check_expect(s, f->expect) < 0;
	if (bad)
		printf("#   %s\n", why);
	if (!bad && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(f->expect, "message"))) {
		bad = check_message_json(s, f->expect) < 0;
		if (bad)
			printf("#   %s\n", why);
	}
	snprintf(name, sizeof name, "%s taken as a JSON body", f->name);
	report(name, bad);
	stream_free(s);
}

static void test_fixtures_found(void)
{
	size_t sse = 0, json = 0;
	for (size_t i = 0; i < nfixtures; i++)
		fixtures[i].json ? json++ : sse++;
	CHECK(sse >= 10);
	CHECK(json >= 2);
}

int main(void)
{
	load_fixtures();
	RUN(test_fixtures_found);
	for (size_t i = 0; i < nfixtures; i++) {
		if (fixtures[i].json)
			test_json_fixture(&fixtures[i]);
		else
			test_sse_fixture(&fixtures[i]);
	}
	free_fixtures();
	return tap_done();
}
