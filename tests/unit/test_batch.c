/* The Message Batches core: custom_ids, bodies split at lowered limits,
 * the results reader at every split point, MessageBatch parsing, batch
 * prices, the run log's batches, and the create/poll/results driver
 * against the local test server (tests/server.py). Run from the repo root. */
#include "tests/unit/tap.h"
#include "tests/unit/testserver.h"

#include "core/api.h"
#include "core/batch.h"
#include "core/cost.h"
#include "core/loop.h"
#include "core/runlog.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FAKE_KEY "sk-ant-api03-FAKEunitTESTkey0123456789abcdefghijklmnop-ABCD"

static char tmpdir[64];

#define RUNC(fn) RUN(fn)

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)n + 1);
	size_t got = fread(p, 1, (size_t)n, f);
	p[got] = '\0';
	fclose(f);
	return p;
}

/* ---- custom_id -------------------------------------------------------- */

static void test_custom_id(void)
{
	char id[BATCH_CUSTOM_ID_MAX + 1];
	CHECK_INT(batch_custom_id_encode(12, 0, 1, id), 0);
	CHECK_STR(id, "r12-k0-c1");
	long r, k, c;
	CHECK_INT(batch_custom_id_decode(id, &r, &k, &c), 0);
	CHECK(r == 12 && k == 0 && c == 1);
	/* round trip over a range, including the largest numbers */
	const long vals[] = { 0, 1, 9, 10, 99999, 123456789, 2147483647L };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		CHECK_INT(batch_custom_id_encode(vals[i], vals[(i + 1) % 7], vals[(i + 2) % 7], id), 0);
		CHECK(batch_custom_id_valid(id));
		CHECK_INT(batch_custom_id_decode(id, &r, &k, &c), 0);
		CHECK(r == vals[i] && k == vals[(i + 1) % 7] && c == vals[(i + 2) % 7]);
	}
	CHECK_INT(batch_custom_id_encode(-1, 0, 0, id), -1);
	const char *bad[] = { "", "r1-k0", "r1-k0-c", "r01-k0-c0", "r1-k0-c0x", "R1-k0-c0",
			      "r1-k-1-c0", "r+1-k0-c0", "r1_k0_c0", "x", "r1-k0-c0 ",
			      "r99999999999999999999-k0-c0" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = batch_custom_id_decode(bad[i], &r, &k, &c);
		if (rc != -1)
			printf("#   decoded '%s'\n", bad[i]);
		CHECK_INT(rc, -1);
	}
	CHECK(batch_custom_id_valid("my-custom-id_1"));
	CHECK(batch_custom_id_valid("a"));
	CHECK(!batch_custom_id_valid(""));
	CHECK(!batch_custom_id_valid(NULL));
	CHECK(!batch_custom_id_valid("has space"));
	CHECK(!batch_custom_id_valid("dot.ted"));
	CHECK(!batch_custom_id_valid("caf\xc3\xa9"));
	char longid[66];
	memset(longid, 'a', 65);
	longid[65] = '\0';
	CHECK(!batch_custom_id_valid(longid));
	longid[64] = '\0';
	CHECK(batch_custom_id_valid(longid));
}

/* ---- limits and the builder ------------------------------------------- */

static void test_limits_env(void)
{
	struct batch_limits l;
	unsetenv("PWB_BATCH_MAX_REQUESTS");
	unsetenv("PWB_BATCH_MAX_BYTES");
	batch_limits_init(&l);
	CHECK_INT(l.max_requests, 100000);
	CHECK_INT(l.max_bytes, 256000000);
	setenv("PWB_BATCH_MAX_REQUESTS", "7", 1);
	setenv("PWB_BATCH_MAX_BYTES", "5000", 1);
	batch_limits_init(&l);
	CHECK_INT(l.max_requests, 7);
	CHECK_INT(l.max_bytes, 5000);
	/* never raised, never zero or junk */
	setenv("PWB_BATCH_MAX_REQUESTS", "100001", 1);
	setenv("PWB_BATCH_MAX_BYTES", "0", 1);
	batch_limits_init(&l);
	CHECK_INT(l.max_requests, 100000);
	CHECK_INT(l.max_bytes, 256000000);
	setenv("PWB_BATCH_MAX_REQUESTS", "12x", 1);
	batch_limits_init(&l);
	CHECK_INT(l.max_requests, 100000);
	unsetenv("PWB_BATCH_MAX_REQUESTS");
	unsetenv("PWB_BATCH_MAX_BYTES");
}

struct source {
	long next, total;
	int fail_at;        /* -1: never */
	const char *bad_id; /* at index 0 */
	const char *bad_params;
	long big_at;        /* this one has a huge params; -1 none */
};

static int next_req(void *ud, char **id, char **params)
{
	struct source *s = ud;
	if (s->next >= s->total)
		return 0;
	long i = s->next++;
	if (i == s->fail_at)
		return -1;
	char buf[BATCH_CUSTOM_ID_MAX + 1];
	batch_custom_id_encode(i, 0, 0, buf);
	*id = strdup(i == 0 && s->bad_id ? s->bad_id : buf);
	if (i == 0 && s->bad_params) {
		*params = strdup(s->bad_params);
	} else if (i == s->big_at) {
		char *p = malloc(3000);
		strcpy(p, "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"");
		size_t l = strlen(p);
		memset(p + l, 'x', 2000);
		strcpy(p + l + 2000, "\"}]}");
		*params = p;
	} else {
		char *p = malloc(200);
		snprintf(p, 200,
			 "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"row %04ld\"}]}",
			 i);
		*params = p;
	}
	return 1;
}

/* Build every batch; check each body parses, its ids match, and record the sizes. */
static int build_all(struct source *s, const struct batch_limits *l, size_t *sizes, size_t max_batches,
		     size_t *body_lens, char **error)
{
	struct batch_builder *b = batch_builder_new(l, next_req, s);
	size_t nb = 0;
	long expect_row = 0;
	*error = NULL;
	for (;;) {
		char *body, **ids;
		size_t count;
		int rc = batch_builder_next(b, &body, &ids, &count, error);
		if (rc <= 0) {
			CHECK(rc == 0 || *error);
			if (rc < 0)
				nb = (size_t)-1;
			break;
		}
		CHECK(nb < max_batches);
		if (nb < max_batches) {
			sizes[nb] = count;
			body_lens[nb] = strlen(body);
		}
		nb++;
		cJSON *j = cJSON_Parse(body);
		const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(j, "requests"), *r;
		CHECK(cJSON_IsArray(reqs));
		CHECK_INT(cJSON_GetArraySize(reqs), count);
		size_t i = 0;
		cJSON_ArrayForEach(r, reqs) {
			const char *cid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "custom_id"));
			CHECK_STR(cid, ids[i]);
			long row, k, c;
			CHECK_INT(batch_custom_id_decode(cid, &row, &k, &c), 0);
			CHECK_INT(row, expect_row);
			expect_row++;
			CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r, "params")));
			i++;
		}
		CHECK(ids[count] == NULL);
		cJSON_Delete(j);
		batch_ids_free(ids);
		free(body);
	}
	batch_builder_free(b);
	return (int)nb;
}

static void test_split_requests(void)
{
	struct source s = { .total = 10, .fail_at = -1, .big_at = -1 };
	struct batch_limits l = { .max_requests = 4, .max_bytes = 256000000 };
	size_t sizes[8], lens[8];
	char *err;
	CHECK_INT(build_all(&s, &l, sizes, 8, lens, &err), 3);
	CHECK(sizes[0] == 4 && sizes[1] == 4 && sizes[2] == 2);
	/* exactly at the limit: one batch, then nothing */
	struct source s2 = { .total = 4, .fail_at = -1, .big_at = -1 };
	CHECK_INT(build_all(&s2, &l, sizes, 8, lens, &err), 1);
	CHECK_INT(sizes[0], 4);
	struct source none = { .total = 0, .fail_at = -1, .big_at = -1 };
	CHECK_INT(build_all(&none, &l, sizes, 8, lens, &err), 0);
}

static void test_split_bytes(void)
{
	/* Every item here is the same size; learn the size of one, two and
	 * three of them, then set the byte limit to exactly three. */
	struct batch_limits big = { .max_requests = 100000, .max_bytes = 256000000 };
	struct source one = { .total = 1, .fail_at = -1, .big_at = -1 };
	struct source three = { .total = 3, .fail_at = -1, .big_at = -1 };
	size_t sizes[16], lens[16];
	char *err;
	build_all(&one, &big, sizes, 16, lens, &err);
	size_t l1 = lens[0];
	build_all(&three, &big, sizes, 16, lens, &err);
	size_t l3 = lens[0];
	struct batch_limits l = { .max_requests = 100000, .max_bytes = l3 };
	struct source s = { .total = 10, .fail_at = -1, .big_at = -1 };
	CHECK_INT(build_all(&s, &l, sizes, 16, lens, &err), 4);
	CHECK(sizes[0] == 3 && sizes[1] == 3 && sizes[2] == 3 && sizes[3] == 1);
	CHECK_INT(lens[0], l3);
	CHECK_INT(lens[3], l1);
	/* one byte less: two per batch */
	l.max_bytes = l3 - 1;
	struct source s2 = { .total = 5, .fail_at = -1, .big_at = -1 };
	CHECK_INT(build_all(&s2, &l, sizes, 16, lens, &err), 3);
	CHECK(sizes[0] == 2 && sizes[1] == 2 && sizes[2] == 1);
	for (int i = 0; i < 3; i++)
		CHECK(lens[i] <= l.max_bytes);
	/* both limits: the tighter one wins */
	l.max_bytes = l3;
	l.max_requests = 2;
	struct source s3 = { .total = 5, .fail_at = -1, .big_at = -1 };
	CHECK_INT(build_all(&s3, &l, sizes, 16, lens, &err), 3);
	CHECK(sizes[0] == 2 && sizes[1] == 2 && sizes[2] == 1);
}

static void test_builder_errors(void)
{
	struct batch_limits l = { .max_requests = 100, .max_bytes = 1000 };
	size_t sizes[16], lens[16];
	char *err;
	struct source bad_id = { .total = 3, .fail_at = -1, .big_at = -1, .bad_id = "has space" };
	CHECK_INT(build_all(&bad_id, &l, sizes, 16, lens, &err), -1);
	CHECK(err && strstr(err, "'has space'"));
	free(err);
	struct source bad_params = { .total = 3, .fail_at = -1, .big_at = -1, .bad_params = "[1]" };
	CHECK_INT(build_all(&bad_params, &l, sizes, 16, lens, &err), -1);
	CHECK(err && strstr(err, "not a JSON object"));
	free(err);
	struct source dup = { .total = 3, .fail_at = -1, .big_at = -1, .bad_id = "r1-k0-c0" };
	CHECK_INT(build_all(&dup, &l, sizes, 16, lens, &err), -1);
	CHECK(err && strstr(err, "'r1-k0-c0' appears twice"));
	free(err);
	/* a request alone above the byte limit, after a batch that fits */
	struct source big = { .total = 3, .fail_at = -1, .big_at = 2 };
	CHECK_INT(build_all(&big, &l, sizes, 16, lens, &err), -1);
	CHECK(err && strstr(err, "'r2-k0-c0' alone"));
	free(err);
	struct source fails = { .total = 3, .fail_at = 1, .big_at = -1 };
	CHECK_INT(build_all(&fails, &l, sizes, 16, lens, &err), -1);
	CHECK(err && strstr(err, "source failed"));
	free(err);
}

/* ---- results lines ---------------------------------------------------- */

struct seen {
	char log[2048];
	int n;
};

static void on_result(void *ud, const struct batch_result *r)
{
	struct seen *s = ud;
	size_t l = strlen(s->log);
	char text[64] = "";
	if (r->message_json) {
		cJSON *m = cJSON_Parse(r->message_json);
		const cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "content"), 0);
		snprintf(text, sizeof text, "%s",
			 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c0, "text")));
		cJSON_Delete(m);
	}
	snprintf(s->log + l, sizeof s->log - l, "%s:%s:%s:%s:%s;", r->custom_id,
		 batch_result_type_name(r->type), text, r->error_type ? r->error_type : "",
		 r->error_message ? r->error_message : "");
	s->n++;
}

static const char *const fixture_ids[] = { "my-custom-id-1", "my-custom-id-2", "my-custom-id-3",
					   "my-custom-id-4" };
static const char fixture_expect[] =
	"my-custom-id-1:succeeded:Hi! My name is Claude.::;"
	"my-custom-id-2:errored::invalid_request_error:Invalid request;"
	"my-custom-id-3:canceled:::;my-custom-id-4:expired:::;";

static void test_results_fixture_every_split(void)
{
	char *text = read_file("tests/fixtures/batch_results.jsonl");
	CHECK(text != NULL);
	if (!text)
		return;
	size_t len = strlen(text);
	/* every single split point, and chunk sizes 1..7 */
	for (size_t cut = 0; cut <= len; cut++) {
		struct seen s = { 0 };
		struct batch_results *r = batch_results_new(fixture_ids, 4, on_result, &s);
		CHECK_INT(batch_results_feed(r, text, cut), 0);
		CHECK_INT(batch_results_feed(r, text + cut, len - cut), 0);
		CHECK_INT(batch_results_end(r), 0);
		if (strcmp(s.log, fixture_expect) != 0) {
			printf("#   cut %zu: %s\n", cut, s.log);
			CHECK(0);
			cut = len;
		}
		CHECK_INT(batch_results_count(r), 4);
		batch_results_free(r);
	}
	for (size_t chunk = 1; chunk <= 7; chunk++) {
		struct seen s = { 0 };
		struct batch_results *r = batch_results_new(fixture_ids, 4, on_result, &s);
		for (size_t i = 0; i < len; i += chunk)
			CHECK_INT(batch_results_feed(r, text + i, i + chunk > len ? len - i : chunk), 0);
		CHECK_INT(batch_results_end(r), 0);
		CHECK_STR(s.log, fixture_expect);
		batch_results_free(r);
	}
	/* no trailing newline, CRLF and blank lines are fine */
	struct seen s = { 0 };
	struct batch_results *r = batch_results_new(NULL, 0, on_result, &s);
	const char crlf[] = "\r\n{\"custom_id\":\"a\",\"result\":{\"type\":\"expired\"}}\r\n\n"
			    "{\"custom_id\":\"b\",\"result\":{\"type\":\"canceled\"}}";
	CHECK_INT(batch_results_feed(r, crlf, strlen(crlf)), 0);
	CHECK_INT(s.n, 1);
	CHECK_INT(batch_results_end(r), 0);
	CHECK_STR(s.log, "a:expired:::;b:canceled:::;");
	batch_results_free(r);
	free(text);
}

static void expect_results_error(const char *const *ids, size_t n, const char *text,
				 const char *want, int at_end)
{
	struct seen s = { 0 };
	struct batch_results *r = batch_results_new(ids, n, on_result, &s);
	int rc = batch_results_feed(r, text, strlen(text));
	if (at_end) {
		CHECK_INT(rc, 0);
		rc = batch_results_end(r);
	}
	CHECK_INT(rc, -1);
	const char *e = batch_results_error(r);
	if (!e || !strstr(e, want)) {
		printf("#   error '%s', wanted '%s'\n", e ? e : "(none)", want);
		CHECK(0);
	}
	/* nothing more is taken after an error */
	CHECK_INT(batch_results_feed(r, "{}\n", 3), -1);
	batch_results_free(r);
}

static void test_results_errors(void)
{
	const char *ids[] = { "r0-k0-c0", "r1-k0-c0" };
	expect_results_error(ids, 2,
			     "{\"custom_id\":\"r0-k0-c0\",\"result\":{\"type\":\"expired\"}}\n"
			     "{\"custom_id\":\"r7-k0-c0\",\"result\":{\"type\":\"expired\"}}\n",
			     "results line 2: unknown custom_id 'r7-k0-c0'", 0);
	expect_results_error(ids, 2,
			     "{\"custom_id\":\"r1-k0-c0\",\"result\":{\"type\":\"expired\"}}\n"
			     "{\"custom_id\":\"r1-k0-c0\",\"result\":{\"type\":\"canceled\"}}\n",
			     "results line 2: duplicate custom_id 'r1-k0-c0'", 0);
	/* duplicates are caught without expected ids too */
	expect_results_error(NULL, 0,
			     "{\"custom_id\":\"x\",\"result\":{\"type\":\"expired\"}}\n"
			     "{\"custom_id\":\"x\",\"result\":{\"type\":\"expired\"}}\n",
			     "duplicate custom_id 'x'", 0);
	expect_results_error(ids, 2, "{\"custom_id\":\"r1-k0-c0\",\"result\":{\"type\":\"expired\"}}\n",
			     "lack 1 custom_id (first: 'r0-k0-c0')", 1);
	expect_results_error(ids, 2, "not json\n", "results line 1 is not a JSON object", 0);
	expect_results_error(ids, 2, "{\"result\":{\"type\":\"expired\"}}\n", "has no custom_id", 0);
	expect_results_error(ids, 2, "{\"custom_id\":\"r0-k0-c0\",\"result\":{\"type\":\"weird\"}}\n",
			     "unknown result type 'weird'", 0);
	expect_results_error(ids, 2, "{\"custom_id\":\"r0-k0-c0\",\"result\":{\"type\":\"succeeded\"}}\n",
			     "succeeded without a message", 0);
}

/* ---- MessageBatch, prices --------------------------------------------- */

static void test_info_and_cost(void)
{
	char *text = read_file("tests/fixtures/batch_status_ended.json");
	struct batch_info b;
	CHECK_INT(batch_info_parse(&b, text), 0);
	CHECK_STR(b.id, "msgbatch_013Zva2CMHLNnXjNJJKqJ2EF");
	CHECK(batch_info_ended(&b));
	CHECK(b.counts.succeeded == 1 && b.counts.errored == 1 && b.counts.canceled == 1 &&
	      b.counts.expired == 1 && b.counts.processing == 0);
	CHECK_INT(batch_counts_total(&b.counts), 4);
	CHECK_STR(b.results_url,
		  "https://api.anthropic.com/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/results");
	CHECK(b.cancel_initiated_at == NULL);
	batch_info_done(&b);
	free(text);
	text = read_file("tests/fixtures/batch_status_in_progress.json");
	CHECK_INT(batch_info_parse(&b, text), 0);
	CHECK(!batch_info_ended(&b));
	CHECK_INT(b.counts.processing, 2);
	CHECK(b.results_url == NULL);
	batch_info_done(&b);
	free(text);
	CHECK_INT(batch_info_parse(&b, "{\"type\":\"message_batch\"}"), -1);
	CHECK_INT(batch_info_parse(&b, "nope"), -1);

	struct usage u;
	usage_init(&u);
	u.input_tokens = 1000000;
	u.output_tokens = 1000000;
	double full, half;
	CHECK_INT(cost_of_usage("claude-sonnet-4-5", &u, &full), 1);
	CHECK_INT(cost_of_usage_batch("claude-sonnet-4-5", &u, &half), 1);
	CHECK(fabs(half - full / 2) < 1e-9);
	CHECK(full > 0);
	CHECK_INT(cost_of_usage_batch("no-such-model", &u, &half), 0);
	CHECK_INT(cost_estimate("claude-sonnet-4-5", 1000, 1000, &full), 1);
	CHECK_INT(cost_estimate_batch("claude-sonnet-4-5", 1000, 1000, &half), 1);
	CHECK(fabs(half - full / 2) < 1e-12);
}

/* ---- the run log's batches -------------------------------------------- */

static void test_runlog_batches(void)
{
	char path[128];
	snprintf(path, sizeof path, "%s/log.db", tmpdir);
	char *err = NULL;
	struct runlog *log = runlog_open(path, FAKE_KEY, &err);
	CHECK(log != NULL);
	if (!log) {
		printf("#   %s\n", err ? err : "?");
		free(err);
		return;
	}
	CHECK(runlog_schema_version() >= 3);
	struct runlog_batch b1 = { .batch_id = "msgbatch_a", .version_id = "0123abcd",
				   .rows_fingerprint = "fp1", .custom_ids_json = "[\"r0-k0-c0\"]",
				   .state = "in_progress", .created_at = "2026-11-01T00:00:00Z",
				   .request_count = 1 };
	struct runlog_batch b2 = { .batch_id = "msgbatch_b", .version_id = "0123abcd",
				   .rows_fingerprint = "fp1", .custom_ids_json = "[\"x " FAKE_KEY "\"]",
				   .state = "in_progress", .request_count = 2 };
	struct runlog_batch b3 = { .batch_id = "msgbatch_c", .version_id = "0123abcd",
				   .rows_fingerprint = "fp2", .state = "ended", .request_count = 3 };
	CHECK_INT(runlog_batch_record(log, &b1), 0);
	CHECK_INT(runlog_batch_record(log, &b2), 0);
	CHECK_INT(runlog_batch_record(log, &b3), 0);
	struct runlog_batch_line *l;
	size_t n;
	CHECK_INT(runlog_batch_find_unfinished(log, "0123abcd", "fp1", &l, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(l[0].batch_id, "msgbatch_a");
		CHECK_STR(l[0].created_at, "2026-11-01T00:00:00Z");
		CHECK_STR(l[0].custom_ids_json, "[\"r0-k0-c0\"]");
		CHECK_INT(l[0].request_count, 1);
		CHECK(l[0].updated_at == NULL);
		CHECK_STR(l[1].batch_id, "msgbatch_b");
		CHECK(l[1].created_at && strlen(l[1].created_at) == 24);
		CHECK(!strstr(l[1].custom_ids_json, FAKE_KEY)); /* the key is never stored */
	}
	runlog_batch_lines_free(l, n);
	CHECK_INT(runlog_batch_set_state(log, "msgbatch_a", RUNLOG_BATCH_DONE), 0);
	CHECK_INT(runlog_batch_set_state(log, "msgbatch_nope", "ended"), -1);
	CHECK(strstr(runlog_error(log), "msgbatch_nope") != NULL);
	CHECK_INT(runlog_batch_find_unfinished(log, "0123abcd", "fp1", &l, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(l[0].batch_id, "msgbatch_b");
	}
	runlog_batch_lines_free(l, n);
	CHECK_INT(runlog_batch_find_unfinished(log, "0123abcd", "fp-other", &l, &n), 0);
	CHECK_INT(n, 0);
	runlog_batch_lines_free(l, n);
	CHECK_INT(runlog_batches(log, 0, &l, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(l[0].batch_id, "msgbatch_c");
		CHECK_STR(l[2].batch_id, "msgbatch_a");
		CHECK_STR(l[2].state, RUNLOG_BATCH_DONE);
		CHECK(l[2].updated_at != NULL);
	}
	runlog_batch_lines_free(l, n);
	CHECK_INT(runlog_batches(log, 1, &l, &n), 0);
	CHECK_INT(n, 1);
	runlog_batch_lines_free(l, n);
	runlog_close(log);
	/* a NULL log records nothing and finds nothing */
	CHECK_INT(runlog_batch_record(NULL, &b1), 0);
	CHECK_INT(runlog_batch_find_unfinished(NULL, "0123abcd", "fp1", &l, &n), 0);
	CHECK_INT(n, 0);
}

/* ---- the driver against the test server ------------------------------- */

static int server_start(const char *script)
{
	return server_start_in(tmpdir, script);
}

/* How many logged requests have this method and path. */
static int server_count_of(const char *method, const char *path)
{
	char *log = read_file(log_path);
	int n = 0;
	char needle[256];
	snprintf(needle, sizeof needle, "\"method\": \"%s\", \"path\": \"%s\"", method, path);
	for (char *p = log; p && (p = strstr(p, needle)); p++)
		n++;
	free(log);
	return n;
}

static void config(struct api_config *cfg)
{
	api_config_init(cfg);
	free(cfg->base_url);
	cfg->base_url = strdup(base_url);
	cfg->api_key = strdup(FAKE_KEY);
	cfg->max_retries = 0;
}

struct drive {
	struct seen seen;
	int created, statuses, poll_errors, done, stop_after_status;
	struct batch_run *run;
	char created_id[64];
	long last_delay;
};

static void d_created(void *ud, const struct batch_info *b)
{
	struct drive *d = ud;
	d->created++;
	snprintf(d->created_id, sizeof d->created_id, "%s", b->id);
	CHECK_STR(b->processing_status, "in_progress");
	CHECK_INT(b->counts.processing, 3);
}

static void d_status(void *ud, const struct batch_info *b)
{
	struct drive *d = ud;
	d->statuses++;
	(void)b;
	if (d->stop_after_status && d->statuses == d->stop_after_status)
		batch_run_stop(d->run);
}

static void d_poll_error(void *ud, const char *why, long delay_ms)
{
	struct drive *d = ud;
	d->poll_errors++;
	d->last_delay = delay_ms;
	CHECK(why && strstr(why, "529"));
}

static void d_done(void *ud, struct batch_run *run)
{
	struct drive *d = ud;
	(void)run;
	d->done++;
}

static const char three_body[] =
	"{\"requests\":["
	"{\"custom_id\":\"r0-k0-c0\",\"params\":{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"zero\"}]}},"
	"{\"custom_id\":\"r1-k0-c0\",\"params\":{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"one\"}]}]}},"
	"{\"custom_id\":\"r2-k0-c0\",\"params\":{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"two\"}]}}]}";
static const char *const three_ids[] = { "r0-k0-c0", "r1-k0-c0", "r2-k0-c0" };

static void drive(struct loop *loop, struct drive *d)
{
	for (int i = 0; i < 2000 && !d->done; i++)
		loop_once(loop, 100);
}

/* The seen log sorted by line, so the shuffled order does not matter. */
static int has(const struct drive *d, const char *entry)
{
	return strstr(d->seen.log, entry) != NULL;
}

static void stop_on_result(void *ud, const struct batch_result *r)
{
	struct drive *d = ud;
	on_result(ud, r);
	batch_run_stop(d->run);
}

static void test_driver_create_poll_results(void)
{
	if (server_start("{\"batches\": {\"polls\": 2, \"results_chunk\": 5, \"outcomes\": "
			 "{\"r1-k0-c0\": {\"type\": \"errored\", \"error_type\": \"overloaded_error\", "
			 "\"message\": \"busy\"}, \"r2-k0-c0\": \"expired\"}}}") != 0) {
		CHECK(0);
		return;
	}
	struct api_config cfg;
	config(&cfg);
	struct loop *loop = loop_new();
	struct drive d = { 0 };
	struct batch_run_options o = { .poll_ms = 10, .custom_ids = three_ids, .n_custom_ids = 3 };
	struct batch_run_hooks h = { .on_created = d_created, .on_status = d_status,
				     .on_result = on_result, .on_done = d_done, .ud = &d };
	/* on_result's ud is the seen log at the start of struct drive */
	d.run = batch_run_create(loop, &cfg, three_body, &o, &h);
	CHECK_INT(batch_run_phase(d.run), BATCH_PHASE_CREATING);
	drive(loop, &d);
	CHECK_INT(d.done, 1);
	CHECK_INT(d.created, 1);
	CHECK_INT(d.statuses, 3); /* two in_progress, then ended */
	CHECK_INT(batch_run_failure(d.run), API_FAIL_NONE);
	CHECK(batch_run_error(d.run) == NULL);
	CHECK_INT(batch_run_phase(d.run), BATCH_PHASE_DONE);
	CHECK_INT(d.seen.n, 3);
	CHECK(has(&d, "r0-k0-c0:succeeded:batch: zero::;"));
	CHECK(has(&d, "r1-k0-c0:errored::overloaded_error:busy;"));
	CHECK(has(&d, "r2-k0-c0:expired:::;"));
	const struct batch_info *b = batch_run_info(d.run);
	CHECK(batch_info_ended(b));
	CHECK(b->counts.succeeded == 1 && b->counts.errored == 1 && b->counts.expired == 1);
	CHECK_INT(server_count_of("POST", "/v1/messages/batches"), 1);
	char p[128];
	snprintf(p, sizeof p, "/v1/messages/batches/%s", d.created_id);
	CHECK_INT(server_count_of("GET", p), 3);
	snprintf(p, sizeof p, "/v1/messages/batches/%s/results", d.created_id);
	CHECK_INT(server_count_of("GET", p), 1);
	batch_run_free(d.run);

	/* resume the same (ended) batch: no create, one poll, the same results */
	struct drive d2 = { 0 };
	h.ud = &d2;
	d2.run = batch_run_resume(loop, &cfg, d.created_id, &o, &h);
	drive(loop, &d2);
	CHECK_INT(d2.done, 1);
	CHECK_INT(d2.created, 0);
	CHECK_INT(d2.statuses, 1);
	CHECK_INT(d2.seen.n, 3);
	CHECK_INT(batch_run_failure(d2.run), API_FAIL_NONE);
	CHECK_INT(server_count_of("POST", "/v1/messages/batches"), 1);
	batch_run_free(d2.run);

	/* resume with a custom_id the results lack: a protocol error naming it */
	const char *four[] = { "r0-k0-c0", "r1-k0-c0", "r2-k0-c0", "r3-k0-c0" };
	struct batch_run_options o4 = { .poll_ms = 10, .custom_ids = four, .n_custom_ids = 4 };
	struct drive d3 = { 0 };
	h.ud = &d3;
	d3.run = batch_run_resume(loop, &cfg, d.created_id, &o4, &h);
	drive(loop, &d3);
	CHECK_INT(batch_run_failure(d3.run), API_FAIL_PROTOCOL);
	CHECK(batch_run_error(d3.run) && strstr(batch_run_error(d3.run), "'r3-k0-c0'"));
	batch_run_free(d3.run);

	/* a stop from on_result: no more results, the run ends canceled */
	struct drive d5 = { 0 };
	h.ud = &d5;
	h.on_result = stop_on_result;
	d5.run = batch_run_resume(loop, &cfg, d.created_id, &o, &h);
	drive(loop, &d5);
	CHECK_INT(d5.done, 1);
	CHECK_INT(d5.seen.n, 1);
	CHECK_INT(batch_run_failure(d5.run), API_FAIL_CANCELED);
	batch_run_free(d5.run);
	h.on_result = on_result;

	/* an unknown batch: 404 is not retried */
	struct drive d4 = { 0 };
	h.ud = &d4;
	d4.run = batch_run_resume(loop, &cfg, "msgbatch_nope", &o, &h);
	drive(loop, &d4);
	CHECK_INT(batch_run_failure(d4.run), API_FAIL_HTTP);
	CHECK(batch_run_error(d4.run) && strstr(batch_run_error(d4.run), "404"));
	CHECK_INT(d4.poll_errors, 0);
	batch_run_free(d4.run);
	loop_free(loop);
	api_config_done(&cfg);
}

static void test_driver_unknown_id_and_faults(void)
{
	if (server_start("{\"batches\": {\"polls\": 0, \"get_faults\": [529, 529], \"extra_lines\": "
			 "[{\"custom_id\": \"r9-k0-c0\", \"result\": {\"type\": \"expired\"}}]}}") != 0) {
		CHECK(0);
		return;
	}
	struct api_config cfg;
	config(&cfg);
	struct loop *loop = loop_new();
	struct drive d = { 0 };
	struct batch_run_options o = { .poll_ms = 5, .custom_ids = three_ids, .n_custom_ids = 3 };
	struct batch_run_hooks h = { .on_created = d_created, .on_status = d_status,
				     .on_poll_error = d_poll_error, .on_result = on_result,
				     .on_done = d_done, .ud = &d };
	d.run = batch_run_create(loop, &cfg, three_body, &o, &h);
	drive(loop, &d);
	CHECK_INT(d.done, 1);
	CHECK_INT(d.poll_errors, 2); /* two 529s, retried with backoff, then ended */
	CHECK(d.last_delay >= 2 * 5);
	CHECK_INT(d.statuses, 1);
	CHECK_INT(d.seen.n, 3);      /* the three known ones came before the stray line */
	CHECK_INT(batch_run_failure(d.run), API_FAIL_PROTOCOL);
	CHECK(batch_run_error(d.run) && strstr(batch_run_error(d.run), "unknown custom_id 'r9-k0-c0'"));
	batch_run_free(d.run);

	/* polls give up after max_poll_errors */
	server_start("{\"batches\": {\"polls\": 5, \"get_faults\": [529, 529, 529, 529]}}");
	api_config_done(&cfg);
	config(&cfg); /* a new server, a new port */
	struct drive d2 = { 0 };
	struct batch_run_options o2 = { .poll_ms = 5, .max_poll_errors = 2 };
	h.ud = &d2;
	d2.run = batch_run_create(loop, &cfg, three_body, &o2, &h);
	drive(loop, &d2);
	CHECK_INT(d2.poll_errors, 1);
	CHECK_INT(batch_run_failure(d2.run), API_FAIL_HTTP_RETRYABLE);
	batch_run_free(d2.run);

	/* stop while polling: the batch is not canceled at the API */
	server_start("{\"batches\": {\"polls\": 100}}");
	api_config_done(&cfg);
	config(&cfg);
	struct drive d3 = { .stop_after_status = 2 };
	h.ud = &d3;
	d3.run = batch_run_create(loop, &cfg, three_body, &o, &h);
	drive(loop, &d3);
	CHECK_INT(d3.done, 1);
	CHECK_INT(d3.statuses, 2);
	CHECK_INT(batch_run_failure(d3.run), API_FAIL_CANCELED);
	char p[128];
	snprintf(p, sizeof p, "/v1/messages/batches/%s/cancel", d3.created_id);
	CHECK_INT(server_count_of("POST", p), 0);
	batch_run_free(d3.run);

	/* a create the server refuses (duplicate custom_id): 400, no polls */
	struct drive d4 = { 0 };
	h.ud = &d4;
	d4.run = batch_run_create(loop, &cfg,
				  "{\"requests\":[{\"custom_id\":\"a\",\"params\":{\"model\":\"m\",\"max_tokens\":1,\"messages\":[]}},"
				  "{\"custom_id\":\"a\",\"params\":{\"model\":\"m\",\"max_tokens\":1,\"messages\":[]}}]}",
				  &o, &h);
	drive(loop, &d4);
	CHECK_INT(batch_run_failure(d4.run), API_FAIL_HTTP);
	CHECK(batch_run_error(d4.run) && strstr(batch_run_error(d4.run), "duplicate custom_id 'a'"));
	CHECK_INT(d4.created, 0);
	batch_run_free(d4.run);
	loop_free(loop);
	api_config_done(&cfg);
}

static void list_done(void *ud, struct batch_op *op)
{
	(void)op;
	*(int *)ud = 1;
}

static void test_ops_list_cancel(void)
{
	if (server_start("{\"batches\": {\"existing\": 5, \"polls\": 3, \"cancel_polls\": 1}}") != 0) {
		CHECK(0);
		return;
	}
	struct api_config cfg;
	config(&cfg);
	struct loop *loop = loop_new();
	int done = 0;
	struct batch_op *op = batch_list(loop, &cfg, 2, NULL, list_done, &done);
	while (!done)
		loop_once(loop, 100);
	size_t n;
	int more;
	const char *last;
	const struct batch_info *items = batch_op_list(op, &n, &more, &last);
	CHECK_INT(n, 2);
	CHECK(more);
	CHECK_STR(last, "msgbatch_old_003");
	if (n == 2)
		CHECK_STR(items[0].id, "msgbatch_old_004");
	char *after = strdup(last);
	batch_op_free(op);
	done = 0;
	op = batch_list(loop, &cfg, 2, after, list_done, &done);
	while (!done)
		loop_once(loop, 100);
	items = batch_op_list(op, &n, &more, &last);
	CHECK_INT(n, 2);
	if (n == 2)
		CHECK_STR(items[0].id, "msgbatch_old_002");
	CHECK(more);
	free(after);
	batch_op_free(op);

	/* a bad id never reaches the network */
	done = 0;
	op = batch_get(loop, &cfg, "../etc", list_done, &done);
	while (!done)
		loop_once(loop, 100);
	CHECK_INT(batch_op_failure(op), API_FAIL_PROTOCOL);
	batch_op_free(op);

	/* create, cancel: canceling, then ended with the requests canceled */
	done = 0;
	op = batch_create(loop, &cfg, three_body, list_done, &done);
	while (!done)
		loop_once(loop, 100);
	char *id = strdup(batch_op_info(op)->id);
	batch_op_free(op);
	done = 0;
	op = batch_cancel(loop, &cfg, id, list_done, &done);
	while (!done)
		loop_once(loop, 100);
	CHECK_STR(batch_op_info(op)->processing_status, "canceling");
	CHECK(batch_op_info(op)->cancel_initiated_at != NULL);
	batch_op_free(op);
	const char *want[] = { "canceling", "ended" };
	for (int i = 0; i < 2; i++) {
		done = 0;
		op = batch_get(loop, &cfg, id, list_done, &done);
		while (!done)
			loop_once(loop, 100);
		CHECK_STR(batch_op_info(op)->processing_status, want[i]);
		if (i == 1)
			CHECK_INT(batch_op_info(op)->counts.canceled, 3);
		batch_op_free(op);
	}
	free(id);
	loop_free(loop);
	api_config_done(&cfg);
}

struct raw_done {
	int done;
	size_t got;
};

static int count_bytes(void *ud, const char *bytes, size_t n)
{
	(void)bytes;
	((struct raw_done *)ud)->got += n;
	return 0;
}

static void raw_done_fn(void *ud, struct batch_op *op)
{
	(void)op;
	((struct raw_done *)ud)->done = 1;
}

/* Results arrive in chunks; a stall longer than the idle timeout fails the
 * download (exit 4 kind), with no whole-call time limit otherwise. */
static void test_results_raw_idle(void)
{
	if (server_start("{\"/v1/messages/batches/msgbatch_s/results\": [{\"body\": "
			 "\"0123456789abcdefghij\", \"content_type\": \"application/x-jsonl\", "
			 "\"chunk\": 5, \"delay_ms\": 60}, {\"body\": \"0123456789\", "
			 "\"chunk\": 5, \"delay_ms\": 3000}]}") != 0) {
		CHECK(0);
		return;
	}
	struct api_config cfg;
	config(&cfg);
	cfg.idle_timeout_ms = 1000;
	cfg.timeout_ms = 100; /* not applied to a results download */
	struct loop *loop = loop_new();
	struct raw_done d = { 0 };
	struct batch_op *op = batch_results_raw(loop, &cfg, "msgbatch_s", count_bytes, raw_done_fn,
						&d);
	while (!d.done)
		loop_once(loop, 100);
	CHECK_INT(batch_op_failure(op), API_FAIL_NONE);
	CHECK_INT(d.got, 20);
	batch_op_free(op);
	d.got = 0;
	d.done = 0;
	op = batch_results_raw(loop, &cfg, "msgbatch_s", count_bytes, raw_done_fn, &d);
	while (!d.done)
		loop_once(loop, 100);
	CHECK_INT(batch_op_failure(op), API_FAIL_TIMEOUT);
	CHECK_INT(d.got, 5);
	batch_op_free(op);
	loop_free(loop);
	api_config_done(&cfg);
}

static void test_time_and_find_created(void)
{
	CHECK(fabs(batch_time_epoch("1970-01-01T00:00:00Z")) < 1e-9);
	CHECK(fabs(batch_time_epoch("2024-08-20T18:37:24.100435Z") - 1724179044.100435) < 1e-5);
	CHECK(fabs(batch_time_epoch("2024-08-20T20:37:24+02:00") - 1724179044.0) < 1e-9);
	CHECK(batch_time_epoch("2024-08-20 18:37:24Z") < 0);
	CHECK(batch_time_epoch("2024-08-20T18:37:24") < 0);
	CHECK(batch_time_epoch("2024-13-20T18:37:24Z") < 0);
	CHECK(batch_time_epoch(NULL) < 0);

	/* 150 old batches (00:01 .. 02:30, zero requests), then one of three */
	if (server_start("{\"batches\": {\"existing\": 150}}") != 0) {
		CHECK(0);
		return;
	}
	struct api_config cfg;
	config(&cfg);
	struct loop *loop = loop_new();
	int done = 0;
	struct batch_op *op = batch_create(loop, &cfg, three_body, list_done, &done);
	while (!done)
		loop_once(loop, 100);
	CHECK_STR(batch_op_info(op)->id, "msgbatch_test0151");
	batch_op_free(op);
	done = 0;
	op = batch_find_created(loop, &cfg, batch_time_epoch("2026-11-01T00:30:00Z"), 3, list_done,
				&done);
	while (!done)
		loop_once(loop, 100);
	size_t n;
	int more;
	const struct batch_info *found = batch_op_list(op, &n, &more, NULL);
	CHECK_INT(batch_op_failure(op), API_FAIL_NONE);
	CHECK_INT(n, 1);
	CHECK(!more);
	if (n == 1)
		CHECK_STR(found[0].id, "msgbatch_test0151");
	batch_op_free(op);
	/* the empty ones since old_020 (00:21): 130 matches over two pages, then stop */
	done = 0;
	op = batch_find_created(loop, &cfg, batch_time_epoch("2026-11-01T00:21:00Z"), 0, list_done,
				&done);
	while (!done)
		loop_once(loop, 100);
	found = batch_op_list(op, &n, &more, NULL);
	CHECK_INT(n, 130);
	if (n == 130) {
		CHECK_STR(found[0].id, "msgbatch_old_149");
		CHECK_STR(found[129].id, "msgbatch_old_020");
	}
	/* two pages for each search: the first page holds none older than since */
	CHECK_INT(server_count_of("GET", "/v1/messages/batches"), 4);
	batch_op_free(op);
	loop_free(loop);
	api_config_done(&cfg);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	setenv("no_proxy", "127.0.0.1,localhost", 1);
	setenv("NO_PROXY", "127.0.0.1,localhost", 1);
	unsetenv("http_proxy");
	snprintf(tmpdir, sizeof tmpdir, "/tmp/pwb-test-batch.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("1..0 # SKIP mkdtemp: %s\n", strerror(errno));
		return 0;
	}
	RUNC(test_custom_id);
	RUNC(test_limits_env);
	RUNC(test_split_requests);
	RUNC(test_split_bytes);
	RUNC(test_builder_errors);
	RUNC(test_results_fixture_every_split);
	RUNC(test_results_errors);
	RUNC(test_info_and_cost);
	RUNC(test_runlog_batches);
	RUNC(test_driver_create_poll_results);
	RUNC(test_driver_unknown_id_and_faults);
	RUNC(test_ops_list_cancel);
	RUNC(test_time_and_find_created);
	RUNC(test_results_raw_idle);
	server_stop();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return tap_done();
}
