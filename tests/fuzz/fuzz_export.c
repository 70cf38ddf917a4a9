/* libFuzzer target: core/export over whatever the preset loader accepts.
 * Properties, for every language, streaming and not: memory safety; an
 * export exists exactly when request_build gives a body; only python and js
 * are ever forced to stream, and only when the SDKs' guard says so; the curl
 * script's here-document is request_build's body, JSON-equal; no C output
 * holds "??/" (a trigraph that would splice lines). */
#include "core/diag.h"
#include "core/export.h"
#include "core/preset.h"
#include "core/request.h"
#include "core/session.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

static void check_curl_body(const char *script, const char *body)
{
	/* at a line start: the description's comment lines all start with # */
	static const char open[] = "\n\t--data-binary @- <<'JSON'\n";
	const char *start = strstr(script, open);
	const char *end = start ? strstr(start, "\nJSON\n") : NULL;
	if (!start || !end)
		FUZZ_FAIL("curl script without its here-document:\n%s", script);
	start += strlen(open);
	char *doc = strndup(start, (size_t)(end - start));
	cJSON *a = cJSON_Parse(doc), *b = cJSON_Parse(body);
	if (!a || !b || !cJSON_Compare(a, b, 1))
		FUZZ_FAIL("curl body differs from request_build:\n%s\n%s", doc, body);
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(doc);
}

/* A control character in a value that becomes a header (export refuses it). */
static int header_unsafe(const struct session *s)
{
	const char *v = session_api_version(s);
	for (const char *p = v; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 1;
	for (size_t k = 0; k < s->betas.n; k++)
		for (const char *p = s->betas.v[k]; p && *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	struct diag_list diags;
	diag_list_init(&diags);
	struct preset *p = preset_load_string("fuzz.yaml", (const char *)data, size, &diags);
	diag_list_done(&diags);
	if (!p)
		return 0;
	const struct session *s = preset_session(p);
	for (int lang = EXPORT_C; lang <= EXPORT_CURL; lang++) {
		for (int stream = 0; stream <= 1; stream++) {
			int forced = -1;
			char *out = export_render(s, (enum export_lang)lang, stream, NULL, &forced);
			int sdk = lang == EXPORT_PYTHON || lang == EXPORT_JS;
			if (forced != (sdk && !stream && export_sdk_needs_stream(s)))
				FUZZ_FAIL("forced_stream %d for lang %d stream %d", forced, lang, stream);
			char *body = request_build(s, REQUEST_MESSAGES, stream || forced, NULL);
			/* export also refuses a header value with a control character */
			if (!out != !body && !(!out && header_unsafe(s)))
				FUZZ_FAIL("export %s but request_build %s", out ? "rendered" : "failed",
					  body ? "built a body" : "failed");
			if (out && lang == EXPORT_CURL)
				check_curl_body(out, body);
			if (out && lang == EXPORT_C && strstr(out, "?\?/"))
				FUZZ_FAIL("C output holds a ?\?/ trigraph:\n%s", out);
			free(out);
			free(body);
		}
	}
	preset_free(p);
	return 0;
}
