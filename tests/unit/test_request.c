/* Request body building and {{variables}}: what goes on the wire. */
#include "core/diag.h"
#include "core/request.h"
#include "core/session.h"
#include "core/vars.h"
#include "tests/unit/tap.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct session *basic(void)
{
	struct session *s = session_new();
	s->model = strdup("claude-sonnet-4-6");
	s->max_tokens = strdup("1024");
	session_add_message(s, "user", "Hello", NULL);
	return s;
}

static void test_minimal_body(void)
{
	struct session *s = basic();
	char *body = request_build(s, REQUEST_MESSAGES, 0, NULL);
	CHECK_STR(body, "{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":1024,"
			"\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
	free(body);
	session_free(s);
}

static void test_numbers_as_written(void)
{
	struct session *s = basic();
	s->temperature = strdup("0.3");
	s->top_p = strdup("0.90");
	s->top_k = strdup("40");
	char *body = request_build(s, REQUEST_MESSAGES, 1, NULL);
	CHECK(strstr(body, "\"temperature\":0.3,") != NULL);
	CHECK(strstr(body, "\"top_p\":0.90,") != NULL);
	CHECK(strstr(body, "\"top_k\":40") != NULL);
	CHECK(strstr(body, "\"stream\":true") != NULL);
	free(body);
	session_free(s);
}

static void test_bad_number_is_error(void)
{
	struct session *s = basic();
	s->temperature = strdup("0.3x");
	struct diag_list d;
	diag_list_init(&d);
	char *body = request_build(s, REQUEST_MESSAGES, 0, &d);
	CHECK(body == NULL);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 1);
	diag_list_done(&d);
	session_free(s);
}

static void test_unset_fields_not_sent(void)
{
	struct session *s = basic();
	char *body = request_build(s, REQUEST_MESSAGES, 0, NULL);
	CHECK(strstr(body, "system") == NULL);
	CHECK(strstr(body, "temperature") == NULL);
	CHECK(strstr(body, "stream") == NULL);
	CHECK(strstr(body, "stop_sequences") == NULL);
	free(body);
	s->stop_sequences.set = 1; /* present but empty is sent as [] */
	body = request_build(s, REQUEST_MESSAGES, 0, NULL);
	CHECK(strstr(body, "\"stop_sequences\":[]") != NULL);
	free(body);
	session_free(s);
}

static void test_json_fields_verbatim(void)
{
	struct session *s = basic();
	session_json_set(s, "tools", "[{\"name\":\"t\",\"input_schema\":{\"type\":\"object\","
				     "\"properties\":{\"x\":{\"type\":\"number\",\"minimum\":1.50}}}}]");
	session_json_set(s, "thinking", "{\"type\":\"enabled\",\"budget_tokens\":2048}");
	session_json_set(s, "metadata", "{\"user_id\":\"u1\"}");
	char *body = request_build(s, REQUEST_MESSAGES, 0, NULL);
	CHECK(strstr(body, "\"minimum\":1.50") != NULL);
	cJSON *j = cJSON_Parse(body);
	CHECK(j != NULL);
	CHECK(cJSON_GetObjectItem(j, "tools") != NULL);
	CHECK_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "thinking"), "budget_tokens")->valueint, 2048);
	cJSON_Delete(j);
	free(body);
	session_free(s);
}

static void test_count_tokens_subset(void)
{
	struct session *s = basic();
	s->temperature = strdup("0.5");
	s->system = strdup("Be brief.");
	strlist_push(&s->stop_sequences, "END");
	session_json_set(s, "metadata", "{\"user_id\":\"u1\"}");
	session_json_set(s, "service_tier", "\"auto\"");
	session_json_set(s, "tools", "[]");
	session_json_set(s, "thinking", "{\"type\":\"disabled\"}");
	session_json_set(s, "output_config", "{\"effort\":\"low\"}");
	session_json_set(s, "cache_control", "{\"type\":\"ephemeral\"}");
	session_json_set(s, "tool_choice", "{\"type\":\"auto\"}");
	char *body = request_build(s, REQUEST_COUNT_TOKENS, 1, NULL);
	cJSON *j = cJSON_Parse(body);
	const char *allowed[] = { "model", "messages", "system", "tools", "tool_choice",
				  "thinking", "output_config", "cache_control" };
	int n = 0;
	cJSON *it;
	cJSON_ArrayForEach(it, j) {
		int ok = 0;
		for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
			ok |= strcmp(it->string, allowed[i]) == 0;
		if (!ok)
			printf("#   unexpected field %s\n", it->string);
		CHECK(ok);
		n++;
	}
	CHECK_INT(n, 8);
	cJSON_Delete(j);
	free(body);
	session_free(s);
}

static void test_variables(void)
{
	struct session *s = basic();
	free(s->messages[0].text);
	s->messages[0].text = strdup("Weather in {{ city }}? {{x-y}} \\{{city}} {{city}}");
	s->system = strdup("You work for {{company}}.");
	session_set_var(s, "city", "Paris");
	session_set_var(s, "company", "Acme");
	session_set_var(s, "unused", "1");
	struct diag_list d;
	diag_list_init(&d);
	char *body = request_build(s, REQUEST_MESSAGES, 0, &d);
	CHECK(body != NULL);
	cJSON *j = cJSON_Parse(body);
	CHECK_STR(cJSON_GetObjectItem(j, "system")->valuestring, "You work for Acme.");
	cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "messages"), 0);
	CHECK_STR(cJSON_GetObjectItem(m, "content")->valuestring,
		  "Weather in Paris? {{x-y}} {{city}} Paris");
	CHECK_INT(diag_count(&d, DIAG_ERROR), 0);
	CHECK_INT(diag_count(&d, DIAG_WARNING), 1);
	CHECK(d.n == 1 && strstr(d.v[0].message, "'unused'") != NULL);
	cJSON_Delete(j);
	free(body);
	diag_list_done(&d);
	session_free(s);
}

static void test_undefined_variable(void)
{
	struct session *s = basic();
	session_add_message(s, "assistant", "ok", NULL);
	session_add_message(s, "user", "{{missing}}", NULL);
	struct diag_list d;
	diag_list_init(&d);
	char *body = request_build(s, REQUEST_MESSAGES, 0, &d);
	CHECK(body == NULL);
	CHECK_INT(diag_count(&d, DIAG_ERROR), 1);
	CHECK(d.n >= 1 && strstr(d.v[0].message, "'missing'") != NULL);
	CHECK(d.n >= 1 && strstr(d.v[0].message, "messages[2].content") != NULL);
	CHECK_STR(d.v[0].path, "messages[2].content");
	diag_list_done(&d);
	session_free(s);
}

static void test_variables_in_blocks(void)
{
	struct session *s = basic();
	session_add_message(s, "assistant", NULL,
			    "[{\"type\":\"text\",\"text\":\"Hi {{name}}\"},"
			    "{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"f\",\"input\":{\"q\":\"{{name}}\"}}]");
	session_set_var(s, "name", "Ann");
	char *body = request_build(s, REQUEST_MESSAGES, 0, NULL);
	cJSON *j = cJSON_Parse(body);
	cJSON *c = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "messages"), 1), "content");
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(c, 0), "text")->valuestring, "Hi Ann");
	/* only text blocks are templated: tool input stays as written */
	CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(c, 1), "input"), "q")->valuestring,
		  "{{name}}");
	cJSON_Delete(j);
	free(body);
	session_free(s);
}

static void test_sniff_media_type(void)
{
	static const struct {
		const char *bytes;
		size_t n;
		const char *want;
	} cases[] = {
		{ "\x89PNG\r\n\x1a\nxxxx", 12, "image/png" },
		{ "\xff\xd8\xff\xe0", 4, "image/jpeg" },
		{ "GIF89a..", 8, "image/gif" },
		{ "GIF87a..", 8, "image/gif" },
		{ "RIFF\x10\0\0\0WEBPVP8 ", 16, "image/webp" },
		{ "%PDF-1.7\n", 9, "application/pdf" },
		{ "RIFF\x10\0\0\0WAVE", 12, NULL },
		{ "\x89PNG", 4, NULL },
		{ "hello", 5, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = request_sniff_media_type((const unsigned char *)cases[i].bytes, cases[i].n);
		if (cases[i].want)
			CHECK_STR(got, cases[i].want);
		else
			CHECK(got == NULL);
	}
}

/* A block {type: image, path} is read relative to base_dir and sent as a
 * base64 source; a missing file, a file of the wrong kind or one over the
 * limit is an error naming it. */
static void test_attachments(void)
{
	char dir[] = "/tmp/pwb-request-XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	char path[256];
	snprintf(path, sizeof path, "%s/a.gif", dir);
	FILE *f = fopen(path, "wb");
	fputs("GIF89a!", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/d.pdf", dir);
	f = fopen(path, "wb");
	fputs("%PDF-1.4", f);
	fclose(f);
	struct session *s = session_new();
	s->model = strdup("m");
	s->max_tokens = strdup("1");
	s->base_dir = strdup(dir);
	session_add_message(s, "user", NULL, "[{\"type\":\"image\",\"path\":\"a.gif\"}]");
	char *body = request_build(s, REQUEST_MESSAGES, 0, NULL);
	CHECK(body && strstr(body, "\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\","
			       "\"media_type\":\"image/gif\",\"data\":\"R0lGODlhIQ==\"}}]"));
	free(body);
	/* a PDF given as an image, a missing file */
	session_add_message(s, "user", NULL, "[{\"type\":\"image\",\"path\":\"d.pdf\"},"
			    "{\"type\":\"document\",\"path\":\"none.pdf\"}]");
	struct diag_list d;
	diag_list_init(&d);
	body = request_build(s, REQUEST_MESSAGES, 0, &d);
	CHECK(body == NULL);
	CHECK_INT(d.n, 2);
	if (d.n == 2) {
		CHECK(strstr(d.v[0].message, "messages[1].content[0]: d.pdf is a PDF: use {type: document}") != NULL);
		CHECK(strstr(d.v[1].message, "none.pdf cannot be read") != NULL);
	}
	diag_list_done(&d);
	/* a source given stays as it is; the path is not read */
	session_free(s);
	s = basic();
	session_add_message(s, "user", NULL, "[{\"type\":\"image\",\"path\":\"x.png\","
			    "\"source\":{\"type\":\"url\",\"url\":\"https://e/x.png\"}}]");
	body = request_build(s, REQUEST_MESSAGES, 0, NULL);
	CHECK(body && strstr(body, "\"url\":\"https://e/x.png\""));
	free(body);
	session_free(s);
	snprintf(path, sizeof path, "%s/a.gif", dir);
	remove(path);
	snprintf(path, sizeof path, "%s/d.pdf", dir);
	remove(path);
	rmdir(dir);
}

static void test_json_number_grammar(void)
{
	CHECK(request_is_json_number("0"));
	CHECK(request_is_json_number("-0.5"));
	CHECK(request_is_json_number("1e-3"));
	CHECK(request_is_json_number("1024"));
	CHECK(!request_is_json_number("01"));
	CHECK(!request_is_json_number(".5"));
	CHECK(!request_is_json_number("1."));
	CHECK(!request_is_json_number("+1"));
	CHECK(!request_is_json_number(""));
	CHECK(!request_is_json_number("NaN"));
}

static void test_betas_and_version(void)
{
	struct session *s = basic();
	CHECK(request_betas(s) == NULL);
	CHECK_STR(session_api_version(s), "2023-06-01");
	strlist_push(&s->betas, "a-1");
	strlist_push(&s->betas, "b-2");
	char *b = request_betas(s);
	CHECK_STR(b, "a-1,b-2");
	free(b);
	s->api_version = strdup("2026-10-21");
	CHECK_STR(session_api_version(s), "2026-10-21");
	session_free(s);
}

static void test_clone_is_deep(void)
{
	struct session *s = basic();
	session_set_var(s, "a", "1");
	session_json_set(s, "tools", "[]");
	struct session *c = session_clone(s);
	session_free(s);
	char *body = request_build(c, REQUEST_MESSAGES, 0, NULL);
	CHECK(body && strstr(body, "\"tools\":[]"));
	CHECK_STR(session_get_var(c, "a"), "1");
	free(body);
	session_free(c);
}

int main(void)
{
	RUN(test_minimal_body);
	RUN(test_numbers_as_written);
	RUN(test_bad_number_is_error);
	RUN(test_unset_fields_not_sent);
	RUN(test_json_fields_verbatim);
	RUN(test_count_tokens_subset);
	RUN(test_variables);
	RUN(test_undefined_variable);
	RUN(test_variables_in_blocks);
	RUN(test_json_number_grammar);
	RUN(test_sniff_media_type);
	RUN(test_attachments);
	RUN(test_betas_and_version);
	RUN(test_clone_is_deep);
	return tap_done();
}
