/* The API client against the local test server (tests/server.py) over real
 * libcurl on loopback, plus the retry policy functions. Run from the repo
 * root (tests/run.sh does). */
#include "tests/unit/tap.h"
#include "tests/unit/testserver.h"

#include "core/api.h"
#include "core/loop.h"
#include "core/stream.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FAKE_KEY "sk-ant-api03-FAKEunitTESTkey0123456789abcdefghijklmnop-ABCD"

static char tmpdir[64];

static char *read_file(const char *path, size_t *len)
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
	if (len)
		*len = got;
	return p;
}

static int server_start(const char *script)
{
	return server_start_in(tmpdir, script);
}

static int server_count(void)
{
	char *log = read_file(log_path, NULL);
	int n = 0;
	for (char *p = log; p && *p; p++)
		n += *p == '\n';
	free(log);
	return n;
}

static void config(struct api_config *cfg)
{
	api_config_init(cfg);
	free(cfg->base_url);
	cfg->base_url = strdup(base_url);
	cfg->api_key = strdup(FAKE_KEY);
}

struct result {
	struct loop *loop;
	struct api_call *call;
	int retries_seen;
	long delays[8];
	int text_events;
	int cancel_after_text; /* cancel from the event hook after this many text events */
};

static void on_retry(void *ud, int attempt, long delay_ms, const struct api_error *why)
{
	struct result *r = ud;
	(void)why;
	if (r->retries_seen < 8)
		r->delays[r->retries_seen] = delay_ms;
	r->retries_seen = attempt;
}

static void on_event(void *ud, const struct stream_event *ev)
{
	struct result *r = ud;
	if (ev->kind == STREAM_EV_TEXT) {
		r->text_events++;
		if (r->cancel_after_text && r->text_events == r->cancel_after_text)
			api_call_cancel(r->call);
	}
}

static struct api_call *run(struct result *r, struct api_config *cfg, enum api_endpoint ep,
			    int stream)
{
	r->loop = loop_new();
	struct api_call_hooks hooks = { .on_event = on_event, .on_retry = on_retry, .ud = r };
	const char *body = "{\"model\":\"claude-test\",\"max_tokens\":10,\"messages\":[]}";
	r->call = api_call_start(r->loop, cfg, ep, body, stream, &hooks);
	api_call_wait(r->loop, r->call);
	return r->call;
}

static void done(struct result *r, struct api_config *cfg)
{
	api_call_free(r->call);
	loop_free(r->loop);
	api_config_done(cfg);
	memset(r, 0, sizeof *r);
}

/* ---- policy ---- */

static void test_should_retry(void)
{
	long yes[] = { 0, 408, 409, 429, 500, 502, 503, 504, 529, 599 };
	long no[] = { 400, 401, 402, 403, 404, 413, 422, 200 };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		CHECK_INT(api_should_retry(yes[i], NULL), 1);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		CHECK_INT(api_should_retry(no[i], NULL), 0);
	CHECK_INT(api_should_retry(400, "true"), 1);
	CHECK_INT(api_should_retry(529, "false"), 0);
	CHECK_INT(api_should_retry(529, "maybe"), 1);
	CHECK_INT(api_should_retry(400, "TRUE"), 0);
}

static void test_retry_delay(void)
{
	long long now = 1764300000; /* Fri, 28 Nov 2025 03:20:00 GMT */
	/* retry-after-ms first, then retry-after seconds. */
	CHECK_INT(api_retry_delay_ms(0, "1500", "30", 0.0, now), 1500);
	CHECK_INT(api_retry_delay_ms(0, NULL, "30", 0.0, now), 30000);
	CHECK_INT(api_retry_delay_ms(0, NULL, " 2.5 ", 0.0, now), 2500);
	CHECK_INT(api_retry_delay_ms(0, NULL, "60", 0.0, now), 60000);
	/* An unparseable retry-after-ms falls through to retry-after. */
	CHECK_INT(api_retry_delay_ms(0, "soon", "3", 0.0, now), 3000);
	/* A parsed but out-of-range retry-after-ms does not: backoff. */
	CHECK_INT(api_retry_delay_ms(0, "90000", "3", 0.0, now), 500);
	/* Over 60 s, zero or negative: backoff. */
	CHECK_INT(api_retry_delay_ms(0, NULL, "61", 0.0, now), 500);
	CHECK_INT(api_retry_delay_ms(1, NULL, "3600", 0.0, now), 1000);
	CHECK_INT(api_retry_delay_ms(0, NULL, "0", 0.0, now), 500);
	CHECK_INT(api_retry_delay_ms(0, NULL, "-5", 0.0, now), 500);
	CHECK_INT(api_retry_delay_ms(0, NULL, "garbage", 0.0, now), 500);
	/* HTTP dates: 20 s ahead honoured, 2 min ahead or in the past not. */
	CHECK_INT(api_retry_delay_ms(0, NULL, "Fri, 28 Nov 2025 03:20:20 GMT", 0.0, now), 20000);
	CHECK_INT(api_retry_delay_ms(0, NULL, "Fri, 28 Nov 2025 03:22:00 GMT", 0.0, now), 500);
	CHECK_INT(api_retry_delay_ms(0, NULL, "Fri, 28 Nov 2025 03:19:00 GMT", 0.0, now), 500);
	/* Backoff min(0.5 * 2^n, 8) * (1 - 0.25 * random). */
	CHECK_INT(api_retry_delay_ms(0, NULL, NULL, 0.0, now), 500);
	CHECK_INT(api_retry_delay_ms(0, NULL, NULL, 0.5, now), 437);
	CHECK_INT(api_retry_delay_ms(1, NULL, NULL, 0.0, now), 1000);
	CHECK_INT(api_retry_delay_ms(2, NULL, NULL, 0.0, now), 2000);
	CHECK_INT(api_retry_delay_ms(3, NULL, NULL, 0.0, now), 4000);
	CHECK_INT(api_retry_delay_ms(4, NULL, NULL, 0.0, now), 8000);
	CHECK_INT(api_retry_delay_ms(5, NULL, NULL, 0.0, now), 8000);
	CHECK_INT(api_retry_delay_ms(2000, NULL, NULL, 0.0, now), 8000);
	CHECK_INT(api_retry_delay_ms(4, NULL, NULL, 0.999999, now), 6000);
	long d = api_retry_delay_ms(1, NULL, NULL, 0.999, now);
	CHECK(d >= 750 && d <= 1000);
}

/* ---- fixtures through the client ---- */

/* Compare what the stream assembled with expect.json's core fields. */
static int message_matches(const char *got_json, const cJSON *want, const char *name)
{
	cJSON *got = cJSON_Parse(got_json);
	int ok = got != NULL;
	const char *fields[] = { "stop_reason", "stop_sequence", "id", "model", "role" };
	for (size_t i = 0; ok && i < 5; i++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(got, fields[i]);
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(want, fields[i]);
		if (b && !(a && cJSON_Compare(a, b, 1))) {
			printf("#   %s: field %s differs\n", name, fields[i]);
			ok = 0;
		}
	}
	const cJSON *gc = cJSON_GetObjectItemCaseSensitive(got, "content");
	const cJSON *wc = cJSON_GetObjectItemCaseSensitive(want, "content");
	if (ok && cJSON_GetArraySize(gc) != cJSON_GetArraySize(wc)) {
		printf("#   %s: %d blocks, expected %d\n", name, cJSON_GetArraySize(gc),
		       cJSON_GetArraySize(wc));
		ok = 0;
	}
	const char *bf[] = { "type", "text", "thinking", "signature", "id", "name", "input" };
	for (int i = 0; ok && i < cJSON_GetArraySize(wc); i++) {
		const cJSON *gb = cJSON_GetArrayItem(gc, i), *wb = cJSON_GetArrayItem(wc, i);
		for (size_t k = 0; k < 7; k++) {
			const cJSON *b = cJSON_GetObjectItemCaseSensitive(wb, bf[k]);
			if (!b)
				continue;
			const cJSON *a = cJSON_GetObjectItemCaseSensitive(gb, bf[k]);
			if (!(a && cJSON_Compare(a, b, 1))) {
				printf("#   %s: block %d field %s differs\n", name, i, bf[k]);
				ok = 0;
			}
		}
	}
	const cJSON *gu = cJSON_GetObjectItemCaseSensitive(got, "usage");
	const cJSON *wu = cJSON_GetObjectItemCaseSensitive(want, "usage");
	const cJSON *it;
	cJSON_ArrayForEach(it, wu) {
		if (!cJSON_IsNumber(it))
			continue;
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(gu, it->string);
		if (!(a && cJSON_Compare(a, it, 1))) {
			printf("#   %s: usage.%s differs\n", name, it->string);
			ok = 0;
		}
	}
	cJSON_Delete(got);
	return ok;
}

static void check_fixture(const char *fixture, int stream, int nth)
{
	char path[256];
	snprintf(path, sizeof path, "tests/fixtures/%s", fixture);
	char *dot = strrchr(path, '.');
	snprintf(dot, sizeof path - (size_t)(dot - path), ".expect.json");
	char *exp_text = read_file(path, NULL);
	cJSON *exp = cJSON_Parse(exp_text);
	CHECK(exp != NULL);
	struct api_config cfg;
	config(&cfg);
	cfg.max_retries = 0;
	struct result r = { 0 };
	struct api_call *c = run(&r, &cfg, API_MESSAGES, stream);
	const cJSON *outcome = cJSON_GetObjectItemCaseSensitive(exp, "outcome");
	const cJSON *want_msg = cJSON_GetObjectItemCaseSensitive(exp, "message");
	const cJSON *want_err = cJSON_GetObjectItemCaseSensitive(exp, "error");
	const struct stream *s = api_call_stream(c);
	CHECK(s != NULL);
	char *got = s ? stream_message_json(s) : NULL;
	if (strcmp(outcome->valuestring, "complete") == 0) {
		CHECK_INT(api_call_failure(c), API_FAIL_NONE);
		CHECK(api_call_error(c) == NULL);
	} else {
		CHECK(api_call_failure(c) != API_FAIL_NONE);
		const struct api_error *e = api_call_error(c);
		CHECK(e != NULL);
		if (e && want_err) {
			CHECK_STR(e->type, cJSON_GetObjectItemCaseSensitive(want_err, "type")->valuestring);
			CHECK_STR(e->message,
				  cJSON_GetObjectItemCaseSensitive(want_err, "message")->valuestring);
		}
	}
	if (cJSON_IsNull(want_msg) || !want_msg) {
		CHECK(got == NULL);
	} else {
		CHECK(got != NULL);
		if (got && !message_matches(got, want_msg, fixture))
			CHECK(!"message differs");
	}
	const cJSON *rid = cJSON_GetObjectItemCaseSensitive(exp, "request_id");
	if (cJSON_IsString(rid) && api_call_error(c))
		CHECK_STR(api_call_error(c)->request_id, rid->valuestring);
	CHECK_INT(server_count(), nth);
	if (tap_case_failed)
		printf("#   (fixture %s)\n", fixture);
	free(got);
	done(&r, &cfg);
	cJSON_Delete(exp);
	free(exp_text);
}

/* Every fixture, whole and in 7-byte chunks, from one server whose script
 * lists them in the order the calls are made. */
static void test_fixtures(void)
{
	const char *sse[] = {
		"stream_text_basic.sse", "stream_tool_use.sse", "stream_thinking.sse",
		"stream_error_overloaded_midstream.sse", "stream_error_overloaded_first_event.sse",
		"stream_text_sdk_hello_there.sse", "stream_tool_use_sdk_paris.sse",
		"stream_tool_use_truncated_max_tokens.sse", "stream_refusal.sse",
		"stream_thinking_refusal_padded.sse",
	};
	const char *json[] = {
		"message_text.json", "message_tool_use.json", "error_400_invalid_request.json",
		"error_401_authentication.json",
	};
	size_t nsse = sizeof sse / sizeof sse[0], njson = sizeof json / sizeof json[0];
	char script[8192] = "[";
	for (size_t i = 0; i < nsse; i++)
		snprintf(script + strlen(script), sizeof script - strlen(script),
			 "{\"fixture\": \"%s\"}, {\"fixture\": \"%s\", \"chunk\": 7},", sse[i], sse[i]);
	for (size_t i = 0; i < njson; i++)
		snprintf(script + strlen(script), sizeof script - strlen(script),
			 "%s{\"fixture\": \"%s\"}", i ? ", " : "", json[i]);
	strcat(script, "]");
	if (server_start(script) != 0) {
		CHECK(0);
		return;
	}
	int n = 0;
	for (size_t i = 0; i < nsse; i++) {
		check_fixture(sse[i], 1, ++n);
		check_fixture(sse[i], 1, ++n);
	}
	for (size_t i = 0; i < njson; i++)
		check_fixture(json[i], 0, ++n);
}

static void test_request_headers(void)
{
	server_start("[{\"fixture\": \"stream_text_basic.sse\"}]");
	struct api_config cfg;
	config(&cfg);
	cfg.betas = strdup("interleaved-thinking-2025-05-14,files-api-2025-04-14");
	struct result r = { 0 };
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_NONE);
	char *log = read_file(log_path, NULL);
	cJSON *req = cJSON_Parse(log);
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(req, "headers");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "method")), "POST");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "path")), "/v1/messages");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "x-api-key")), FAKE_KEY);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "anthropic-version")),
		  "2023-06-01");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "anthropic-beta")),
		  "interleaved-thinking-2025-05-14,files-api-2025-04-14");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "content-type")),
		  "application/json");
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "user-agent")),
		  "pwb/" PWB_VERSION);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "body")),
		  "{\"model\":\"claude-test\",\"max_tokens\":10,\"messages\":[]}");
	cJSON_Delete(req);
	free(log);
	done(&r, &cfg);
}

static void test_retry_then_success(void)
{
	server_start("[{\"fixture\": \"error_529_overloaded\", \"headers\": {\"retry-after-ms\": \"20\"}},"
		     " {\"status\": 500, \"body\": \"<html>oops</html>\", \"headers\": {\"retry-after\": \"0.05\"}},"
		     " {\"fixture\": \"stream_text_basic.sse\", \"chunk\": 3}]");
	struct api_config cfg;
	config(&cfg);
	struct result r = { 0 };
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_NONE);
	CHECK_INT(api_call_retries(r.call), 2);
	CHECK_INT(r.retries_seen, 2);
	CHECK_INT(r.delays[0], 20);
	CHECK_INT(r.delays[1], 50);
	CHECK_INT(server_count(), 3);
	CHECK_INT(api_call_http_status(r.call), 200);
	done(&r, &cfg);
}

static void test_give_up(void)
{
	server_start("[{\"fixture\": \"error_529_overloaded\", \"headers\": {\"retry-after-ms\": \"10\"}}]");
	struct api_config cfg;
	config(&cfg);
	cfg.max_retries = 3;
	struct result r = { 0 };
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_HTTP_RETRYABLE);
	CHECK_INT(server_count(), 4);
	const struct api_error *e = api_call_error(r.call);
	CHECK(e && strstr(e->message, "gave up after 3 retries"));
	CHECK_STR(e ? e->type : NULL, "overloaded_error");
	CHECK_INT(e ? e->http_status : 0, 529);
	CHECK_STR(e ? e->request_id : NULL, "req_011COverloadedExample0001");
	done(&r, &cfg);
}

static void test_not_retried(void)
{
	const long codes[] = { 400, 401, 402, 403, 404, 413, 422 };
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		char script[256];
		snprintf(script, sizeof script,
			 "[{\"status\": %ld, \"json\": {\"type\": \"error\", \"error\": {\"type\": \"t%ld\","
			 " \"message\": \"m\"}, \"request_id\": \"req_body\"}}]", codes[i], codes[i]);
		server_start(script);
		struct api_config cfg;
		config(&cfg);
		struct result r = { 0 };
		run(&r, &cfg, API_MESSAGES, 1);
		CHECK_INT(api_call_failure(r.call), API_FAIL_HTTP);
		CHECK_INT(server_count(), 1);
		CHECK_INT(api_call_error(r.call)->http_status, codes[i]);
		/* The header request-id wins over the body's. */
		CHECK(strncmp(api_call_error(r.call)->request_id, "req_test_", 9) == 0);
		done(&r, &cfg);
	}
	/* x-should-retry: false stops a 529; true makes a 400 retried. */
	server_start("[{\"fixture\": \"error_529_overloaded\", \"headers\": {\"x-should-retry\": \"false\"}}]");
	struct api_config cfg;
	config(&cfg);
	struct result r = { 0 };
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_HTTP_RETRYABLE);
	CHECK_INT(server_count(), 1);
	done(&r, &cfg);
	server_start("[{\"fixture\": \"error_400_invalid_request\", \"headers\": {\"x-should-retry\": \"true\","
		     " \"retry-after-ms\": \"5\"}}]");
	config(&cfg);
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_HTTP);
	CHECK_INT(server_count(), 3);
	done(&r, &cfg);
}

static void test_header_injection_refused(void)
{
	server_start("[{\"fixture\": \"stream_text_basic.sse\"}]");
	struct api_config cfg;
	config(&cfg);
	free(cfg.betas);
	cfg.betas = strdup("a\r\nx-evil: 1");
	struct result r = { 0 };
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_PROTOCOL);
	CHECK(strstr(api_call_error(r.call)->message, "control character") != NULL);
	CHECK_INT(server_count(), 0);
	done(&r, &cfg);
}

static void test_non_json_error(void)
{
	server_start("[{\"status\": 502, \"content_type\": \"text/html\","
		     " \"body\": \"<html><body><h1>502 Bad Gateway</h1></body></html>\"}]");
	struct api_config cfg;
	config(&cfg);
	cfg.max_retries = 0;
	struct result r = { 0 };
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_HTTP_RETRYABLE);
	const struct api_error *e = api_call_error(r.call);
	CHECK_STR(e->type, "api_error");
	CHECK(strstr(e->message, "HTTP 502") != NULL);
	CHECK(strstr(e->message, "502 Bad Gateway") != NULL);
	done(&r, &cfg);
}

static void test_key_never_in_errors(void)
{
	server_start("[{\"status\": 401, \"json\": {\"type\": \"error\", \"error\": {\"type\":"
		     " \"authentication_error\", \"message\": \"invalid x-api-key " FAKE_KEY "\"}}}]");
	struct api_config cfg;
	config(&cfg);
	struct result r = { 0 };
	run(&r, &cfg, API_MESSAGES, 1);
	const struct api_error *e = api_call_error(r.call);
	CHECK(e && strstr(e->message, FAKE_KEY) == NULL);
	CHECK(e && strstr(e->message, "[REDACTED]") != NULL);
	char *d = api_error_describe(e);
	CHECK(strstr(d, FAKE_KEY) == NULL);
	free(d);
	done(&r, &cfg);
}

static void test_drop_midstream(void)
{
	server_start("[{\"fixture\": \"stream_text_basic.sse\", \"drop_after\": 700}]");
	struct api_config cfg;
	config(&cfg);
	struct result r = { 0 };
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_TRUNCATED);
	CHECK_INT(server_count(), 1);
	CHECK_INT(stream_outcome(api_call_stream(r.call)), STREAM_TRUNCATED);
	CHECK(stream_has_message(api_call_stream(r.call)));
	CHECK_STR(api_call_error(r.call)->type, "truncated");
	done(&r, &cfg);
}

static void test_connection_errors(void)
{
	/* Reset before any byte: retried. */
	server_start("[{\"reset\": true}, {\"fixture\": \"stream_text_basic.sse\"}]");
	struct api_config cfg;
	config(&cfg);
	struct result r = { 0 };
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_NONE);
	CHECK_INT(server_count(), 2);
	done(&r, &cfg);
	/* Refused: nothing listens on the port any more. */
	server_stop();
	config(&cfg);
	cfg.max_retries = 1;
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_NETWORK);
	CHECK_INT(api_call_retries(r.call), 1);
	CHECK_STR(api_call_error(r.call)->type, "network");
	done(&r, &cfg);
}

static void test_content_type_and_cap(void)
{
	server_start("[{\"status\": 200, \"content_type\": \"text/html\", \"body\": \"<html>hi</html>\"}]");
	struct api_config cfg;
	config(&cfg);
	struct result r = { 0 };
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_PROTOCOL);
	CHECK_STR(api_call_error(r.call)->type, "protocol");
	CHECK(strstr(api_call_error(r.call)->message, "text/html") != NULL);
	CHECK_INT(server_count(), 1);
	done(&r, &cfg);

	server_start("[{\"generate\": {\"deltas\": 2000, \"size\": 50}}]");
	config(&cfg);
	cfg.max_response_bytes = 20000;
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_PROTOCOL);
	CHECK_STR(api_call_error(r.call)->type, "protocol");
	CHECK(strncmp(api_call_error(r.call)->message, "response_too_large", 18) == 0);
	CHECK(r.text_events > 0);
	CHECK(stream_has_message(api_call_stream(r.call)));
	CHECK_INT(server_count(), 1);
	done(&r, &cfg);

	server_start("[{\"status\": 200, \"content_type\": \"text/event-stream\","
		     " \"body\": \"event: message_start\\ndata: {not json\\n\\n\"}]");
	config(&cfg);
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_PROTOCOL);
	CHECK_INT(server_count(), 1);
	done(&r, &cfg);
}

static void test_timeouts(void)
{
	server_start("[{\"hang\": true}]");
	struct api_config cfg;
	config(&cfg);
	cfg.timeout_ms = 300;
	cfg.max_retries = 1;
	struct result r = { 0 };
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_TIMEOUT);
	CHECK_STR(api_call_error(r.call)->type, "timeout");
	CHECK_INT(server_count(), 2);
	done(&r, &cfg);

	/* Idle: the first events come, then silence longer than idle_timeout_ms. */
	server_start("[{\"fixture\": \"stream_text_basic.sse\", \"chunk\": 400, \"delay_ms\": 3000}]");
	config(&cfg);
	cfg.idle_timeout_ms = 300;
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_TIMEOUT);
	CHECK_INT(server_count(), 1);
	CHECK(stream_has_message(api_call_stream(r.call)));
	done(&r, &cfg);
}

static void test_cancel(void)
{
	server_start("[{\"generate\": {\"deltas\": 50, \"size\": 3}, \"chunk\": 60, \"delay_ms\": 20}]");
	struct api_config cfg;
	config(&cfg);
	struct result r = { .cancel_after_text = 3 };
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_CANCELED);
	CHECK(api_call_error(r.call) == NULL);
	CHECK_INT(stream_outcome(api_call_stream(r.call)), STREAM_CANCELED);
	struct stream_block b;
	CHECK_INT(stream_block(api_call_stream(r.call), 0, &b), 0);
	/* No event reaches the hook after the cancel; the stream may have
	 * assembled the rest of the bytes it was handed with that event. */
	CHECK_INT(r.text_events, 3);
	CHECK(b.text_len >= 9 && b.text_len % 3 == 0 && b.text_len < 150);
	CHECK(strncmp(b.text, "aaabbbccc", 9) == 0);
	CHECK_INT(server_count(), 1);
	done(&r, &cfg);

	/* A cancel from the hook while a whole JSON Message is announced. */
	server_start("[{\"fixture\": \"message_text.json\"}]");
	config(&cfg);
	r.cancel_after_text = 1;
	run(&r, &cfg, API_MESSAGES, 0);
	CHECK_INT(api_call_failure(r.call), API_FAIL_CANCELED);
	CHECK_INT(api_call_state(r.call), API_DONE);
	done(&r, &cfg);
}

static void test_ratelimit_and_other_endpoints(void)
{
	server_start("{\"messages\": [{\"fixture\": \"error_429_rate_limit\"}],"
		     " \"count_tokens\": [{\"json\": {\"input_tokens\": 42}}]}");
	struct api_config cfg;
	config(&cfg);
	cfg.max_retries = 0;
	struct result r = { 0 };
	run(&r, &cfg, API_MESSAGES, 1);
	CHECK_INT(api_call_failure(r.call), API_FAIL_HTTP_RETRYABLE);
	const struct api_ratelimit *rl = api_call_ratelimit(r.call);
	CHECK_INT(rl->requests_limit, 1000);
	CHECK_INT(rl->requests_remaining, 999);
	CHECK_INT(rl->input_tokens_remaining, 0);
	CHECK_INT(rl->tokens_limit, 96000);
	CHECK_STR(rl->output_tokens_reset, "2025-08-21T12:41:00Z");
	CHECK_STR(api_call_request_id(r.call), "req_011CRateLimitExample000001");
	done(&r, &cfg);

	config(&cfg);
	run(&r, &cfg, API_COUNT_TOKENS, 0);
	CHECK_INT(api_call_failure(r.call), API_FAIL_NONE);
	CHECK_STR(api_call_body(r.call), "{\"input_tokens\": 42}");
	done(&r, &cfg);

	config(&cfg);
	run(&r, &cfg, API_MODELS, 0);
	CHECK_INT(api_call_failure(r.call), API_FAIL_NONE);
	CHECK(strstr(api_call_body(r.call), "claude-test-opus-9") != NULL);
	char *log = read_file(log_path, NULL);
	CHECK(strstr(log, "\"method\": \"GET\", \"path\": \"/v1/models\", \"query\": \"limit=1000\"") != NULL);
	free(log);
	done(&r, &cfg);
}

static void check_url(const char *url, int want_ok, const char *want_in_why)
{
	char *why = NULL;
	int rc = api_base_url_check(url, &why);
	CHECK_INT(rc, want_ok ? 0 : -1);
	if (want_in_why && (!why || !strstr(why, want_in_why)))
		printf("#   %s: '%s' not in '%s'\n", url, want_in_why, why ? why : "(null)"),
			tap_case_failed = 1;
	free(why);
}

static void test_base_url(void)
{
	unsetenv("PWB_ALLOW_INSECURE");
	check_url("https://api.anthropic.com", 1, NULL);
	check_url("https://example.com:8443/prefix/", 1, NULL);
	check_url("http://127.0.0.1:8080", 1, NULL);
	check_url("http://127.200.1.1", 1, NULL);
	check_url("http://localhost:1234/", 1, NULL);
	check_url("http://[::1]:99", 1, NULL);
	check_url("http://example.com", 0, "not loopback");
	check_url("http://127.0.0.1.example.com", 0, "not loopback");
	check_url("http://10.0.0.1", 0, "PWB_ALLOW_INSECURE=1");
	check_url("ftp://127.0.0.1", 0, "not a valid");
	check_url("127.0.0.1:80", 0, "not a valid");
	check_url("http://", 0, "not a valid");
	check_url("", 0, "not a valid");
	check_url("https://exa mple.com", 0, "not a valid");
	check_url("https://a\r\nb.com", 0, "a^M\nb.com");
	setenv("PWB_ALLOW_INSECURE", "1", 1);
	check_url("http://example.com", 1, NULL);
	unsetenv("PWB_ALLOW_INSECURE");
	char *d = api_url_display("https://user:pw@host.example/x@y");
	CHECK_STR(d, "https://host.example/x@y");
	free(d);
	d = api_url_display("http://a\x1b]0;t\x07" "b");
	CHECK_STR(d, "http://a^[]0;t^Gb");
	free(d);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	/* libcurl honours proxy variables: loopback must never go through one. */
	setenv("no_proxy", "127.0.0.1,localhost", 1);
	setenv("NO_PROXY", "127.0.0.1,localhost", 1);
	snprintf(tmpdir, sizeof tmpdir, "/tmp/pwb-test-api.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("not ok - mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	RUN(test_should_retry);
	RUN(test_retry_delay);
	RUN(test_fixtures);
	RUN(test_request_headers);
	RUN(test_retry_then_success);
	RUN(test_give_up);
	RUN(test_not_retried);
	RUN(test_non_json_error);
	RUN(test_header_injection_refused);
	RUN(test_key_never_in_errors);
	RUN(test_drop_midstream);
	RUN(test_connection_errors);
	RUN(test_content_type_and_cap);
	RUN(test_timeouts);
	RUN(test_cancel);
	RUN(test_ratelimit_and_other_endpoints);
	RUN(test_base_url);
	server_stop();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return tap_done();
}
