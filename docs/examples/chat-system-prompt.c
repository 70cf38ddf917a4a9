/*
 * Plain chat with a system prompt
 * The simplest useful preset: one system prompt that sets the role, tone and
 * limits, and one user question. Change the system prompt and press send
 * again to see how much of the answer it controls.
 * The response below was written by hand as an illustration; record a real
 * one with: pwb run presets/chat-system-prompt.yaml --record
 *
 * Exported by pwb: sends the same request with libcurl and cJSON, and prints
 * the answer's text. Save as request.c and build with
 *     cc request.c -o request $(pkg-config --cflags --libs libcurl libcjson)
 * The key comes from ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL, when set, replaces
 * https://api.anthropic.com.
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SYSTEM[] =
	"You are a senior site reliability engineer mentoring a junior colleague.\n"
	"Answer in plain English, in at most three short paragraphs.\n"
	"When a command helps, show it in a code block and say what it does.\n"
	"If a question is ambiguous, state the assumption you make before answering.\n";

static const char MESSAGE_1[] =
	"Our web server's disk filled up overnight. How do I find out what is "
	"using the space?";

static void add_message(cJSON *messages, const char *role, cJSON *content)
{
	cJSON *message = cJSON_CreateObject();
	cJSON_AddStringToObject(message, "role", role);
	cJSON_AddItemToObject(message, "content", content);
	cJSON_AddItemToArray(messages, message);
}

static cJSON *build_body(void)
{
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "model", "claude-sonnet-4-6");
	cJSON_AddNumberToObject(body, "max_tokens", 1024);
	cJSON *messages = cJSON_AddArrayToObject(body, "messages");
	add_message(messages, "user", cJSON_CreateString(MESSAGE_1));
	cJSON_AddStringToObject(body, "system", SYSTEM);
	cJSON_AddNumberToObject(body, "temperature", 0.7);
	return body;
}

struct response {
	char *data; /* the body so far, NUL-terminated */
	size_t len;
};

static size_t on_data(char *data, size_t size, size_t n, void *userdata)
{
	struct response *r = userdata;
	char *grown = realloc(r->data, r->len + size * n + 1);
	if (!grown)
		return 0;
	memcpy(grown + r->len, data, size * n);
	r->data = grown;
	r->len += size * n;
	r->data[r->len] = '\0';
	return size * n;
}

/* Prints the text blocks of the Message in body; 0 when it is not one. */
static int print_answer(const char *body)
{
	cJSON *message = cJSON_Parse(body);
	cJSON *content = cJSON_GetObjectItemCaseSensitive(message, "content");
	cJSON *block;
	if (!cJSON_IsArray(content)) {
		fprintf(stderr, "unexpected response: %s\n", body);
		cJSON_Delete(message);
		return 0;
	}
	cJSON_ArrayForEach(block, content) {
		cJSON *type = cJSON_GetObjectItemCaseSensitive(block, "type");
		cJSON *text = cJSON_GetObjectItemCaseSensitive(block, "text");
		if (cJSON_IsString(type) && strcmp(type->valuestring, "text") == 0 &&
		    cJSON_IsString(text))
			fputs(text->valuestring, stdout);
	}
	putchar('\n');
	cJSON_Delete(message);
	return 1;
}

int main(void)
{
	const char *key = getenv("ANTHROPIC_API_KEY");
	const char *base = getenv("ANTHROPIC_BASE_URL");
	char url[2048], key_header[512];

	if (!key || !*key) {
		fputs("set ANTHROPIC_API_KEY\n", stderr);
		return 1;
	}
	if (!base || !*base)
		base = "https://api.anthropic.com";
	int base_len = (int)strlen(base);
	if (base[base_len - 1] == '/')
		base_len--;
	if (snprintf(url, sizeof url, "%.*s/v1/messages", base_len, base) >= (int)sizeof url ||
	    snprintf(key_header, sizeof key_header, "x-api-key: %s", key) >=
		    (int)sizeof key_header) {
		fputs("ANTHROPIC_BASE_URL or ANTHROPIC_API_KEY is too long\n", stderr);
		return 1;
	}

	cJSON *body = build_body();
	char *json = cJSON_PrintUnformatted(body);
	struct curl_slist *headers = NULL;
	headers = curl_slist_append(headers, "content-type: application/json");
	headers = curl_slist_append(headers, "anthropic-version: 2023-06-01");
	headers = curl_slist_append(headers, key_header);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *curl = curl_easy_init();
	struct response response = { 0 };
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
	CURLcode rc = curl_easy_perform(curl);
	long status = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);

	int ok = 0;
	if (rc != CURLE_OK)
		fprintf(stderr, "request failed: %s\n", curl_easy_strerror(rc));
	else if (status != 200)
		fprintf(stderr, "HTTP %ld: %s\n", status, response.data ? response.data : "");
	else
		ok = print_answer(response.data);

	free(response.data);
	curl_easy_cleanup(curl);
	curl_slist_free_all(headers);
	curl_global_cleanup();
	cJSON_free(json);
	cJSON_Delete(body);
	return ok ? 0 : 1;
}
