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
	tap_results++;
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


/* --- events seen by a listener ------------------------------------------- */

static void log_event(void *ud, const struct stream_event *ev)
{
	static const char *const kinds[] = {
		[STREAM_EV_MESSAGE_START] = "start", [STREAM_EV_BLOCK_START] = "block",
		[STREAM_EV_TEXT] = "text",           [STREAM_EV_THINKING] = "thinking",
		[STREAM_EV_BLOCK_STOP] = "stop",     [STREAM_EV_MESSAGE_DELTA] = "delta",
		[STREAM_EV_MESSAGE_STOP] = "end",    [STREAM_EV_ERROR] = "error",
	};
	struct buf *b = ud;
	buf_printf(b, "%s", kinds[ev->kind]);
	if (ev->kind == STREAM_EV_BLOCK_START || ev->kind == STREAM_EV_BLOCK_STOP ||
	    ev->kind == STREAM_EV_TEXT || ev->kind == STREAM_EV_THINKING)
		buf_printf(b, "%zu:%s", ev->index, ev->block_type ? ev->block_type : "?");
	if (ev->text) {
		buf_puts(b, "=");
		buf_append(b, ev->text, ev->len);
	}
	buf_puts(b, " ");
}

/* Everything observable of one run, as one string. */
static char *observe(const char *p, size_t n, int fast, size_t chunk, size_t *hits)
{
	struct buf log;
	buf_init(&log, 0);
	struct stream *s = stream_new(0);
	stream_set_fast_path(s, fast);
	stream_set_listener(s, log_event, &log);
	for (size_t at = 0; at < n; at += chunk)
		if (stream_feed(s, p + at, n - at < chunk ? n - at : chunk) < 0)
			break;
	stream_end(s);
	char *m = stream_message_json(s);
	buf_printf(&log, "| %s | %s | %s | %s", outcome_name(stream_outcome(s)),
		   stream_error_type(s) ? stream_error_type(s) : "-",
		   stream_error_message(s) ? stream_error_message(s) : "-", m ? m : "null");
	for (size_t i = 0; i < stream_block_count(s); i++) {
		struct stream_block b;
		stream_block(s, i, &b);
		buf_printf(&log, " | %s %zu %d %s %s", b.type, b.text_len, b.complete,
			   b.input_json ? b.input_json : "-", b.partial_json ? b.partial_json : "-");
	}
	free(m);
	if (hits)
		*hits = stream_fast_path_hits(s);
	stream_free(s);
	return buf_take(&log);
}

static void test_listener_events(void)
{
	for (size_t i = 0; i < nfixtures; i++) {
		const struct fixture *f = &fixtures[i];
		if (strcmp(f->name, "stream_text_basic.sse") == 0) {
			char *got = observe(f->body, f->len, 1, 7, NULL);
			CHECK(strncmp(got, "start block0:text text0:text=Hello text0:text=! stop0:text delta end | complete",
				      strlen("start block0:text text0:text=Hello text0:text=! stop0:text delta end | complete")) == 0);
			free(got);
		} else if (strcmp(f->name, "stream_error_overloaded_midstream.sse") == 0) {
			char *got = observe(f->body, f->len, 1, 1, NULL);
			CHECK(strncmp(got, "start block0:text text0:text=Hello error=overloaded_error | error",
				      strlen("start block0:text text0:text=Hello error=overloaded_error | error")) == 0);
			free(got);
		} else if (strcmp(f->name, "message_tool_use.json") == 0) {
			struct buf log;
			buf_init(&log, 0);
			struct stream *s = stream_new(0);
			stream_set_listener(s, log_event, &log);
			CHECK_INT(stream_take_json(s, f->body, f->len), 0);
			CHECK_STR(buf_str(&log), "start block0:text text0:text=Okay, let's check the weather "
						 "for San Francisco, CA: stop0:text block1:tool_use "
						 "stop1:tool_use delta end ");
			stream_free(s);
			buf_done(&log);
		}
	}
}

/* --- the fast path against cJSON ------------------------------------------ */

static void test_fast_path_fixtures(void)
{
	size_t total_hits = 0;
	for (size_t i = 0; i < nfixtures; i++) {
		const struct fixture *f = &fixtures[i];
		if (f->json)
			continue;
		size_t hits;
		char *fast = observe(f->body, f->len, 1, f->len ? f->len : 1, &hits);
		char *slow = observe(f->body, f->len, 0, f->len ? f->len : 1, NULL);
		if (strcmp(fast, slow) != 0)
			printf("#   %s\n", f->name);
		CHECK_STR(fast, slow);
		total_hits += hits;
		free(fast);
		free(slow);
	}
	/* The fast path was really taken on the shipped fixtures. */
	CHECK(total_hits >= 20);
}

static const char stream_head[] =
	"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_v\","
	"\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-haiku-4-5\",\"content\":[],"
	"\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n"
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
	"\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
	"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,"
	"\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n";
static const char stream_tail[] =
	"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
	"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
	"\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}\n\n"
	"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

/* One stream with a single content_block_delta whose data line is data. */
static int compare_variant(const char *data, size_t *hits)
{
	struct buf in;
	buf_init(&in, 0);
	buf_puts(&in, stream_head);
	buf_printf(&in, "event: content_block_delta\ndata: %s\n\n", data);
	buf_puts(&in, stream_tail);
	size_t h = 0;
	char *fast = observe(in.data, in.len, 1, in.len, &h);
	char *slow = observe(in.data, in.len, 0, in.len, NULL);
	int same = strcmp(fast, slow) == 0;
	if (!same) {
		tap_case_failed = 1;
		printf("#   data: %s\n#   fast: %s\n#   cJSON: %s\n", data, fast, slow);
	}
	*hits += h;
	free(fast);
	free(slow);
	buf_done(&in);
	return same;
}

static void test_fast_path_variants(void)
{
	/* String bodies as they appear inside the JSON quotes. */
	static const char *const texts[] = {
		"Hello", "", " ", "a\\nb", "\\\"quoted\\\"", "back\\\\slash", "\\/slash",
		"\\b\\f\\n\\r\\t", "caf\\u00e9", "\\u00E9\\u00e9", "\\u65e5\\u672C",
		"\\ud83d\\ude00", "\\uD83D\\uDE00 tail", "x\\u0041y", "\\u007f\\u0080\\u07ff\\u0800\\uffff",
		"\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80 raw utf-8", "\xff\xfe invalid utf-8 bytes",
		/* cases the fast path must hand over to cJSON */
		"\\ud83d alone", "\\ude00 low alone", "\\ud83d\\u0041", "\\u0000nul", "\\x bad escape",
		"\\u12", "\\u12G4", "tab\there", "trailing backslash \\",
	};
	/* Wrappers around the string: %s is replaced by the text. */
	static const char *const shapes[] = {
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"} }   ",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}\t}\t",
		" {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}",
		"{ \"type\": \"content_block_delta\", \"index\": 0, \"delta\": { \"type\": \"text_delta\", \"text\": \"%s\" } }",
		"{\"index\":0,\"type\":\"content_block_delta\",\"delta\":{\"text\":\"%s\",\"type\":\"text_delta\"}}",
		"{\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"},\"type\":\"content_block_delta\",\"index\":0}",
		"{\"type\":\"content_block_delta\",\"index\":00,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}",
		"{\"type\":\"content_block_delta\",\"index\":0.0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}",
		"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}",
		"{\"type\":\"content_block_delta\",\"index\":7,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}",
		"{\"type\":\"content_block_delta\",\"index\":-1,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\",\"text\":\"dup\"}}",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}x",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}}",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"%s\"}}",
		"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"%s\"}}",
		"{\"type\":\"content_block_stop\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}",
	};
	size_t hits = 0, n = 0;
	char data[1024];
	for (size_t t = 0; t < sizeof texts / sizeof *texts; t++)
		for (size_t w = 0; w < sizeof shapes / sizeof *shapes; w++) {
			const char *pct = strstr(shapes[w], "%s");
			snprintf(data, sizeof data, "%.*s%s%s", (int)(pct - shapes[w]), shapes[w],
				 texts[t], pct + 2);
			compare_variant(data, &hits);
			n++;
		}
	/* Random strings built from the same pieces, in the exact API shape
	 * (mostly fast) and padded (fast) forms. */
	static const char *const pieces[] = {
		"a", "Z", " ", "\\n", "\\\"", "\\\\", "\\/", "\\t", "\\u00e9", "\\ud83d\\ude00",
		"\\uDBFF\\uDFFF", "\xe2\x80\x94", "\\u2014", "{", "}", ":", ",", "\\u001f", "'",
		"\\ud800", "\\u0000", "\x01",
	};
	unsigned long seed = 12345;
	for (int r = 0; r < 1500; r++) {
		char text[512];
		size_t len = 0;
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		int count = (int)((seed >> 33) % 12);
		for (int k = 0; k < count; k++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			size_t pi = (size_t)((seed >> 33) % (sizeof pieces / sizeof *pieces));
			/* The last three pieces make cJSON and the fast path differ in
			 * kind (errors, truncation); keep them rare. */
			if (pi >= sizeof pieces / sizeof *pieces - 3 && (seed >> 40) % 8)
				pi = 0;
			len += (size_t)snprintf(text + len, sizeof text - len, "%s", pieces[pi]);
		}
		snprintf(data, sizeof data,
			 "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}%s",
			 text, r % 3 == 0 ? "  " : "");
		compare_variant(data, &hits);
		n++;
	}
	printf("# %zu variants, %zu decoded by the fast path\n", n, hits);
	CHECK(hits > 1000);
}

/* --- outcomes ------------------------------------------------------------ */

static const struct fixture *fixture_named(const char *name)
{
	for (size_t i = 0; i < nfixtures; i++)
		if (strcmp(fixtures[i].name, name) == 0)
			return &fixtures[i];
	return NULL;
}

static void test_cap(void)
{
	const struct fixture *f = fixture_named("stream_tool_use.sse");
	CHECK(f != NULL);
	if (!f)
		return;
	struct stream *s = stream_new(1000);
	int rc = 0;
	size_t fed = 0;
	while (fed < f->len && (rc = stream_feed(s, f->body + fed, 100)) == 0)
		fed += 100;
	CHECK_INT(rc, -1);
	CHECK_INT(stream_outcome(s), STREAM_ERROR);
	CHECK_STR(stream_error_type(s), "response_too_large");
	CHECK(stream_has_message(s)); /* the partial message is kept */
	CHECK(stream_bytes(s) > 1000);
	CHECK_INT(stream_feed(s, "x", 1), -1);
	stream_end(s);
	CHECK_INT(stream_outcome(s), STREAM_ERROR);
	stream_free(s);

	/* One huge line passes the cap inside the SSE parser too. */
	s = stream_new(4096);
	char junk[1000];
	memset(junk, 'a', sizeof junk);
	for (int i = 0; i < 5 && stream_feed(s, junk, sizeof junk) == 0; i++)
		;
	CHECK_INT(stream_outcome(s), STREAM_ERROR);
	CHECK_STR(stream_error_type(s), "response_too_large");
	CHECK(!stream_has_message(s));
	stream_free(s);

	/* take_json honours the cap as well. */
	s = stream_new(10);
	CHECK_INT(stream_take_json(s, "{\"type\":\"message\",\"content\":[]}", 32), -1);
	CHECK_STR(stream_error_type(s), "response_too_large");
	stream_free(s);
}

static void test_cancel_and_fail(void)
{
	const struct fixture *f = fixture_named("stream_text_basic.sse");
	CHECK(f != NULL);
	if (!f)
		return;
	/* Cut just before the text block's stop: both deltas are in. */
	const char *cut = strstr(f->body, "event: content_block_stop");
	CHECK(cut != NULL);
	if (!cut)
		return;
	size_t half = (size_t)(cut - f->body);
	struct stream *s = stream_new(0);
	CHECK_INT(stream_feed(s, f->body, half), 0);
	CHECK_INT(stream_outcome(s), STREAM_RUNNING);
	stream_cancel(s);
	CHECK_INT(stream_outcome(s), STREAM_CANCELED);
	CHECK(stream_error_type(s) == NULL);
	CHECK_INT(stream_feed(s, f->body + half, f->len - half), -1);
	stream_end(s);
	CHECK_INT(stream_outcome(s), STREAM_CANCELED);
	CHECK_INT(stream_block_count(s), 1);
	struct stream_block b;
	CHECK_INT(stream_block(s, 0, &b), 0);
	CHECK_STR(b.text, "Hello!");
	CHECK_INT(b.complete, 0);
	CHECK_INT(stream_block(s, 1, &b), -1);
	char *m = stream_message_json(s);
	CHECK(m && strstr(m, "\"text\":\"Hello!\"") != NULL);
	free(m);
	stream_free(s);

	s = stream_new(0);
	stream_feed(s, f->body, half);
	stream_fail(s, STREAM_ERROR, "network", "connection reset by peer");
	CHECK_INT(stream_outcome(s), STREAM_ERROR);
	CHECK_STR(stream_error_type(s), "network");
	CHECK_STR(stream_error_message(s), "connection reset by peer");
	stream_fail(s, STREAM_TRUNCATED, "timeout", "later failures do not overwrite");
	CHECK_STR(stream_error_type(s), "network");
	CHECK(stream_has_message(s));
	stream_free(s);

	s = stream_new(0);
	stream_feed(s, f->body, half);
	stream_fail(s, STREAM_TRUNCATED, "timeout", "no byte for 60 s");
	CHECK_INT(stream_outcome(s), STREAM_TRUNCATED);
	CHECK_STR(stream_error_type(s), "timeout");
	stream_free(s);

	/* A complete stream stays complete. */
	s = stream_new(0);
	CHECK_INT(stream_feed(s, f->body, f->len), -1); /* ended at message_stop */
	CHECK_INT(stream_outcome(s), STREAM_COMPLETE);
	stream_end(s);
	stream_cancel(s);
	stream_fail(s, STREAM_ERROR, "network", "x");
	CHECK_INT(stream_outcome(s), STREAM_COMPLETE);
	CHECK(stream_error_type(s) == NULL);
	stream_free(s);

	/* Nothing at all is truncated, with no message. */
	s = stream_new(0);
	CHECK(stream_message_json(s) == NULL);
	stream_end(s);
	CHECK_INT(stream_outcome(s), STREAM_TRUNCATED);
	CHECK_STR(stream_error_type(s), "truncated");
	CHECK(stream_message_json(s) == NULL);
	CHECK(stream_stop_reason(s) == NULL);
	struct usage u;
	stream_usage(s, &u);
	CHECK_INT(u.output_tokens, -1);
	stream_free(s);
	stream_free(NULL);
}

static void expect_protocol(const char *sse, const char *needle)
{
	struct stream *s = stream_new(0);
	CHECK_INT(stream_feed(s, sse, strlen(sse)), -1);
	CHECK_INT(stream_outcome(s), STREAM_ERROR);
	CHECK_STR(stream_error_type(s), "protocol");
	if (!stream_error_message(s) || !strstr(stream_error_message(s), needle))
		printf("#   message \"%s\" lacks \"%s\"\n", stream_error_message(s), needle);
	CHECK(stream_error_message(s) && strstr(stream_error_message(s), needle));
	stream_free(s);
}

#define MSTART "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"content\":[]}}\n\n"

static void test_protocol_errors(void)
{
	expect_protocol("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
			"\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
			"before message_start");
	expect_protocol(MSTART MSTART, "second message_start");
	expect_protocol(MSTART "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
			       "\"index\":3,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n",
			"never started");
	expect_protocol(MSTART "event: content_block_stop\ndata: {\"type\":\"content_block_stop\"}\n\n",
			"valid index");
	expect_protocol(MSTART "event: content_block_start\ndata: {\"type\":\"content_block_start\","
			       "\"index\":0,\"content_block\":\"text\"}\n\n",
			"content_block");
	expect_protocol("event: message_start\ndata: {\"type\":\"message_start\",\"message\":[]}\n\n",
			"message object");
	expect_protocol("event: message_start\ndata: [1,2]\n\n", "malformed JSON");
	/* One JSON value and nothing after it but whitespace. */
	expect_protocol("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}} x\n\n",
			"malformed JSON");
	expect_protocol(MSTART "event: message_stop\ndata: {\"type\":\"message_stop\"}{}\n\n",
			"malformed JSON");
	expect_protocol("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", "before message_start");
	expect_protocol(MSTART "event: message_delta\ndata: {\"delta\":{}}\n\n", "type (none)");
	/* A ping's data is never parsed; an error event without details is
	 * still an error. */
	struct stream *s = stream_new(0);
	CHECK_INT(stream_feed(s, "event: ping\ndata: not json\n\n" MSTART, strlen("event: ping\ndata: not json\n\n" MSTART)), 0);
	static const char bare_error[] = "event: error\ndata: {\"type\":\"error\"}\n\n";
	CHECK_INT(stream_feed(s, bare_error, sizeof bare_error - 1), -1);
	CHECK_INT(stream_outcome(s), STREAM_ERROR);
	CHECK_STR(stream_error_type(s), "api_error");
	stream_free(s);
	/* An error event whose data is not JSON: its text is the message. */
	s = stream_new(0);
	static const char text_error[] = "event: error\ndata: upstream connect error\n\n";
	CHECK_INT(stream_feed(s, text_error, sizeof text_error - 1), -1);
	CHECK_STR(stream_error_type(s), "api_error");
	CHECK_STR(stream_error_message(s), "upstream connect error");
	CHECK(!stream_has_message(s));
	stream_free(s);
}

static void test_take_json_errors(void)
{
	struct stream *s = stream_new(0);
	CHECK_INT(stream_take_json(s, "<html>502 Bad Gateway</html>", 28), -1);
	CHECK_STR(stream_error_type(s), "protocol");
	stream_free(s);
	s = stream_new(0);
	CHECK_INT(stream_take_json(s, "{\"input_tokens\": 5}", 19), -1);
	CHECK_STR(stream_error_type(s), "protocol");
	stream_free(s);
	s = stream_new(0);
	CHECK_INT(stream_take_json(s, "{\"type\":\"message\",\"content\":[{\"text\":\"no type\"}]}", 48), -1);
	CHECK_STR(stream_error_type(s), "protocol");
	stream_free(s);
	s = stream_new(0);
	static const char body[] = "{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],"
				   "\"usage\":{\"input_tokens\":3,\"output_tokens\":4,\"cache_creation\":"
				   "{\"ephemeral_5m_input_tokens\":5,\"ephemeral_1h_input_tokens\":6}}}";
	CHECK_INT(stream_take_json(s, body, sizeof body - 1), 0);
	struct usage u;
	stream_usage(s, &u);
	CHECK_INT(u.input_tokens, 3);
	CHECK_INT(u.output_tokens, 4);
	CHECK_INT(u.cache_creation_5m, 5);
	CHECK_INT(u.cache_creation_1h, 6);
	CHECK_INT(u.cache_read_input_tokens, -1);
	CHECK_INT(stream_take_json(s, body, sizeof body - 1), -1); /* only once */
	stream_free(s);
	/* Counts that do not fit a long, or are negative, are no counts. */
	s = stream_new(0);
	static const char huge[] = "{\"type\":\"message\",\"content\":[],\"usage\":{\"input_tokens\":9e300,"
				   "\"output_tokens\":-5,\"cache_read_input_tokens\":1e19}}";
	CHECK_INT(stream_take_json(s, huge, sizeof huge - 1), 0);
	stream_usage(s, &u);
	CHECK_INT(u.input_tokens, -1);
	CHECK_INT(u.output_tokens, -1);
	CHECK_INT(u.cache_read_input_tokens, -1);
	CHECK_INT(stream_feed(s, "data: x\n\n", 9), -1);
	stream_free(s);
}

static void test_tool_input_parse(void)
{
	static const char *const inputs[][2] = {
		{ "{\\\"a\\\": 1}  ", "{\"a\":1}" },
		{ "{\\\"a\\\": 1} x", NULL },   /* text after the value */
		{ "{\\\"a\\\": ", NULL },       /* cut short */
		{ "[1, 2]", "[1,2]" },
		{ "", "{}" },                         /* no fragments: the start value */
	};
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
		struct buf in;
		buf_init(&in, 0);
		buf_printf(&in, MSTART "event: content_block_start\ndata: {\"type\":\"content_block_start\","
				"\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\","
				"\"input\":{}}}\n\n");
		if (*inputs[i][0])
			buf_printf(&in, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\","
					"\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"%s\"}}\n\n",
				   inputs[i][0]);
		buf_puts(&in, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
		struct stream *s = stream_new(0);
		CHECK_INT(stream_feed(s, in.data, in.len), 0);
		struct stream_block b;
		CHECK_INT(stream_block(s, 0, &b), 0);
		CHECK_INT(b.complete, 1);
		if (inputs[i][1])
			CHECK_STR(b.input_json, inputs[i][1]);
		else
			CHECK(b.input_json == NULL && b.partial_json != NULL);
		char *m = stream_message_json(s);
		CHECK(m && strstr(m, inputs[i][1] ? inputs[i][1] : "\"input\":null"));
		free(m);
		stream_free(s);
		buf_done(&in);
	}
}

/* A long answer: 100,000 text deltas and 100,000 input_json_delta fragments,
 * fed in network-sized chunks. Checks the result, not the time (the
 * benchmark measures that). */
static void test_long_stream(void)
{
	struct buf in;
	buf_init(&in, 0);
	buf_puts(&in, stream_head);
	for (int i = 0; i < 100000; i++)
		buf_printf(&in, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
				"\"delta\":{\"type\":\"text_delta\",\"text\":\"w%d \"}}\n\n", i % 10);
	buf_puts(&in, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,"
		      "\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":{}}}\n\n");
	for (int i = 0; i < 100000; i++)
		buf_printf(&in, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,"
				"\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"%s\"}}\n\n",
			   i == 0 ? "[" : i == 99999 ? "1]" : "1,");
	buf_puts(&in, "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}\n\n");
	buf_puts(&in, stream_tail);
	struct stream *s = stream_new(0);
	for (size_t at = 0; at < in.len; at += 16384)
		if (stream_feed(s, in.data + at, in.len - at < 16384 ? in.len - at : 16384) < 0)
			break;
	CHECK_INT(stream_outcome(s), STREAM_COMPLETE);
	CHECK_INT(stream_fast_path_hits(s), 100000);
	struct stream_block b;
	CHECK_INT(stream_block(s, 0, &b), 0);
	CHECK_INT(b.text_len, 300000);
	CHECK(b.text && strncmp(b.text, "w0 w1 w2 ", 9) == 0);
	CHECK_INT(stream_block(s, 2, &b), 0);
	CHECK(b.input_json && strlen(b.input_json) == 199999);
	stream_free(s);
	buf_done(&in);
}

int main(void)
{
	load_fixtures();
	RUN(test_fixtures_found);
	RUN(test_listener_events);
	RUN(test_fast_path_fixtures);
	RUN(test_fast_path_variants);
	RUN(test_cap);
	RUN(test_cancel_and_fail);
	RUN(test_protocol_errors);
	RUN(test_take_json_errors);
	RUN(test_tool_input_parse);
	RUN(test_long_stream);
	for (size_t i = 0; i < nfixtures; i++) {
		if (fixtures[i].json)
			test_json_fixture(&fixtures[i]);
		else
			test_sse_fixture(&fixtures[i]);
	}
	free_fixtures();
	return tap_done();
}
