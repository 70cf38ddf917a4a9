/* core/export on sessions built in memory: language names, the SDKs' long
 * non-stream guard, escaping in each language, the curl body being exactly
 * request_build's, and errors. The round trips that run the exported
 * programs are in tests/t/export.sh. */
#include "core/diag.h"
#include "core/export.h"
#include "core/request.h"
#include "core/session.h"
#include "tap.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static struct session *basic(const char *text)
{
	struct session *s = session_new();
	s->model = strdup("claude-sonnet-4-5");
	s->max_tokens = strdup("256");
	session_add_message(s, "user", text, NULL);
	return s;
}

static char *render(const struct session *s, enum export_lang lang, int stream)
{
	return export_render(s, lang, stream, NULL, NULL);
}

static void test_lang_names(void)
{
	enum export_lang l;
	CHECK_INT(export_lang_parse("python", &l), 0);
	CHECK_INT(l, EXPORT_PYTHON);
	CHECK_INT(export_lang_parse("curl", &l), 0);
	CHECK_INT(l, EXPORT_CURL);
	CHECK_INT(export_lang_parse("C", &l), -1);
	CHECK_INT(export_lang_parse("rust", &l), -1);
	CHECK_STR(export_lang_name(EXPORT_JS), "js");
	CHECK_STR(export_lang_name(EXPORT_C), "c");
}

static void test_long_nonstream_guard(void)
{
	struct session *s = basic("hi");
	free(s->max_tokens);
	s->max_tokens = strdup("21333"); /* 600.0 s: allowed */
	CHECK_INT(export_sdk_needs_stream(s), 0);
	free(s->max_tokens);
	s->max_tokens = strdup("21334");
	CHECK_INT(export_sdk_needs_stream(s), 1);
	free(s->max_tokens);
	s->max_tokens = strdup("8193");
	CHECK_INT(export_sdk_needs_stream(s), 0);
	free(s->model);
	s->model = strdup("claude-opus-4-20250514"); /* capped at 8192 */
	CHECK_INT(export_sdk_needs_stream(s), 1);

	int forced = -1;
	char *py = export_render(s, EXPORT_PYTHON, 0, NULL, &forced);
	CHECK_INT(forced, 1);
	CHECK(strstr(py, "client.messages.stream(") != NULL);
	CHECK(strstr(py, "max_tokens is 8193") != NULL);
	free(py);
	char *js = export_render(s, EXPORT_JS, 0, NULL, &forced);
	CHECK_INT(forced, 1);
	CHECK(strstr(js, "client.messages.stream({") != NULL);
	free(js);
	/* no SDK, no guard: c and curl send what was asked */
	char *c = export_render(s, EXPORT_C, 0, NULL, &forced);
	CHECK_INT(forced, 0);
	CHECK(strstr(c, "\"stream\"") == NULL);
	free(c);
	char *sh = export_render(s, EXPORT_CURL, 0, NULL, &forced);
	CHECK_INT(forced, 0);
	CHECK(strstr(sh, "\"stream\": true") == NULL);
	free(sh);
	session_free(s);
}

static void test_c_escapes(void)
{
	/* "?\?=" would be a trigraph; "\x01" then "F" would read as \x01F. */
	struct session *s = basic("what?\?= \x01" "F \"q\" back\\slash\ttab");
	char *c = render(s, EXPORT_C, 0);
	CHECK(strstr(c, "what?\\?= \\x01\" \"F \\\"q\\\" back\\\\slash\\ttab") != NULL);
	free(c);
	session_free(s);
}

static void test_c_comment_cannot_close_early(void)
{
	struct session *s = basic("hi");
	s->name = strdup("a */ b ?\?/");
	char *c = render(s, EXPORT_C, 0);
	CHECK(strstr(c, "a * / b") != NULL);
	CHECK(strstr(c, "?\?/") == NULL);
	free(c);
	session_free(s);
}

static void test_python_triple_quotes(void)
{
	struct session *s = basic("line one\nsay \"\"\"x\"\"\" and \\n end\"");
	char *py = render(s, EXPORT_PYTHON, 0);
	CHECK(strstr(py, "MESSAGE_1 = \"\"\"\\\nline one\nsay \\\"\\\"\"x\\\"\\\"\" and \\\\n end\\\"\"\"\"\n") != NULL);
	CHECK(strstr(py, "\"content\": MESSAGE_1") != NULL);
	free(py);
	session_free(s);
}

static void test_js_template(void)
{
	struct session *s = basic("cost ${price} `tick`\r\nnext \\ line\xE2\x80\xA8sep");
	char *js = render(s, EXPORT_JS, 1);
	CHECK(strstr(js, "const MESSAGE_1 = `cost \\${price} \\`tick\\`\\r\nnext \\\\ line\\u2028sep`;") != NULL);
	CHECK(strstr(js, "content: MESSAGE_1") != NULL);
	CHECK(strstr(js, "stream.on('text'") != NULL);
	free(js);
	session_free(s);
}

static void test_short_strings_stay_inline(void)
{
	struct session *s = basic("It's 100% {{not}} $(x)");
	char *js = render(s, EXPORT_JS, 0);
	/* double quotes rather than escaping the apostrophe */
	CHECK(strstr(js, "content: \"It's 100% {{not}} $(x)\"") != NULL);
	CHECK(strstr(js, "const MESSAGE_1") == NULL);
	free(js);
	char *py = render(s, EXPORT_PYTHON, 0);
	CHECK(strstr(py, "\"content\": \"It's 100% {{not}} $(x)\"") != NULL);
	free(py);
	session_free(s);
}

/* The curl script's here-document is request_build's body, JSON-equal. */
static void test_curl_body_is_request_body(void)
{
	struct session *s = basic("Hello {{name}} \xF0\x9F\x98\x80");
	session_set_var(s, "name", "J\"o");
	s->temperature = strdup("0.3");
	s->json.tools = strdup("[{\"name\":\"t\",\"input_schema\":{\"type\":\"object\"}}]");
	strlist_push(&s->betas, "b1");
	strlist_push(&s->betas, "b2");
	for (int stream = 0; stream <= 1; stream++) {
		char *sh = render(s, EXPORT_CURL, stream);
		char *want = request_build(s, REQUEST_MESSAGES, stream, NULL);
		const char *start = strstr(sh, "\n\t--data-binary @- <<'JSON'\n");
		const char *end = strstr(sh, "\nJSON\n");
		CHECK(start && end);
		if (start && end) {
			start += strlen("\n\t--data-binary @- <<'JSON'\n");
			char *doc = strndup(start, (size_t)(end - start));
			cJSON *a = cJSON_Parse(doc), *b = cJSON_Parse(want);
			CHECK(a && b && cJSON_Compare(a, b, 1));
			cJSON_Delete(a);
			cJSON_Delete(b);
			free(doc);
		}
		CHECK(strstr(sh, "-H 'anthropic-beta: b1,b2'") != NULL);
		CHECK(strstr(sh, "-H 'anthropic-version: 2023-06-01'") != NULL);
		CHECK(strstr(sh, "printf 'x-api-key: %s\\n' \"$ANTHROPIC_API_KEY\"") != NULL);
		CHECK((strstr(sh, "curl -sSN ") != NULL) == stream);
		free(want);
		free(sh);
	}
	session_free(s);
}

static void test_headers_pinned(void)
{
	struct session *s = basic("hi");
	s->api_version = strdup("2026-10-21");
	strlist_push(&s->betas, "context-1m-2025-08-07");
	char *py = render(s, EXPORT_PYTHON, 0);
	CHECK(strstr(py, "\"anthropic-version\": \"2026-10-21\"") != NULL);
	CHECK(strstr(py, "\"anthropic-beta\": \"context-1m-2025-08-07\"") != NULL);
	CHECK(strstr(py, "api_key=os.environ[\"ANTHROPIC_API_KEY\"]") != NULL);
	free(py);
	char *js = render(s, EXPORT_JS, 0);
	CHECK(strstr(js, "'anthropic-version': '2026-10-21'") != NULL);
	CHECK(strstr(js, "Authorization: null") != NULL);
	free(js);
	char *c = render(s, EXPORT_C, 0);
	CHECK(strstr(c, "\"anthropic-version: 2026-10-21\"") != NULL);
	CHECK(strstr(c, "\"anthropic-beta: context-1m-2025-08-07\"") != NULL);
	free(c);
	session_free(s);
}

static void test_python_extra_body(void)
{
	struct session *s = basic("hi");
	s->json.speed = strdup("\"fast\"");
	char *py = render(s, EXPORT_PYTHON, 0);
	CHECK(strstr(py, "    extra_body={\n        \"speed\": \"fast\",\n    },\n") != NULL);
	free(py);
	session_free(s);
}

static void test_undefined_variable_fails(void)
{
	struct session *s = basic("Hello {{who}}");
	struct diag_list d;
	diag_list_init(&d);
	CHECK(export_render(s, EXPORT_JS, 0, &d, NULL) == NULL);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 1);
	diag_list_done(&d);
	session_free(s);
}

int main(void)
{
	RUN(test_lang_names);
	RUN(test_long_nonstream_guard);
	RUN(test_c_escapes);
	RUN(test_c_comment_cannot_close_early);
	RUN(test_python_triple_quotes);
	RUN(test_js_template);
	RUN(test_short_strings_stay_inline);
	RUN(test_curl_body_is_request_body);
	RUN(test_headers_pinned);
	RUN(test_python_extra_body);
	RUN(test_undefined_variable_fails);
	return tap_done();
}
