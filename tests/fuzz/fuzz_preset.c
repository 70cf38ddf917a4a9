/* libFuzzer target: the preset loader (core/preset.c over libyaml), with
 * validation, the request builder and the emitter behind it. Properties:
 * memory safety everywhere; and for an input that loads without errors,
 * the round trip the preset format promises: emit, load the emitted text
 * (no errors), emit again gives identical bytes and the same request body. */
#include "core/diag.h"
#include "core/keys.h"
#include "core/preset.h"
#include "core/request.h"
#include "core/session.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

static void print_diags(const struct diag_list *d)
{
	diag_print_all(stderr, d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	char *text = malloc(size ? size : 1);
	memcpy(text, data, size);
	struct diag_list diags;
	diag_list_init(&diags);
	struct preset *p = preset_load_string("fuzz.yaml", text, size, &diags);
	free(text);
	/* every diagnostic must print */
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		diag_print_all(null, &diags);
		fclose(null);
	}
	if (!p) {
		diag_list_done(&diags);
		return 0;
	}
	int clean = diag_count(&diags, DIAG_ERROR) == 0;
	preset_validate(p, &diags);
	clean = clean && diag_count(&diags, DIAG_ERROR) == 0;
	struct session *s = preset_session(p);
	struct session *copy = session_clone(s);
	char *req = request_build(s, REQUEST_MESSAGES, 1, NULL);
	char *count = request_build(s, REQUEST_COUNT_TOKENS, 0, NULL);
	if (req)
		fuzz_check_json(req, "request_build");
	if (count)
		fuzz_check_json(count, "request_build (count_tokens)");
	char *emitted = preset_emit(s);
	if (!emitted)
		FUZZ_FAIL("preset_emit returned NULL");
	size_t off, len;
	(void)keys_find_shaped(emitted, strlen(emitted), &off, &len);

	if (clean) {
		struct diag_list d2;
		diag_list_init(&d2);
		struct preset *p2 = preset_load_string("emitted.yaml", emitted, strlen(emitted), &d2);
		if (!p2 || diag_count(&d2, DIAG_ERROR) != 0) {
			fprintf(stderr, "--- emitted text:\n%s\n--- diagnostics:\n", emitted);
			print_diags(&d2);
			FUZZ_FAIL("a clean preset's emitted text does not load back cleanly");
		}
		char *emitted2 = preset_emit(preset_session(p2));
		if (strcmp(emitted, emitted2) != 0)
			FUZZ_FAIL("emit, load, emit changed the text:\n--- first\n%s\n--- second\n%s",
				  emitted, emitted2);
		char *req2 = request_build(preset_session(p2), REQUEST_MESSAGES, 1, NULL);
		if (!fuzz_str_eq(req, req2))
			FUZZ_FAIL("the request body changed across a round trip:\n  %s\n  %s",
				  req ? req : "NULL", req2 ? req2 : "NULL");
		free(req2);
		free(emitted2);
		preset_free(p2);
		diag_list_done(&d2);
	}
	/* the clone must emit the same text as the original */
	char *emitted_copy = preset_emit(copy);
	if (strcmp(emitted, emitted_copy) != 0)
		FUZZ_FAIL("session_clone emits differently");
	free(emitted_copy);
	free(emitted);
	free(req);
	free(count);
	session_free(copy);
	preset_free(p);
	diag_list_done(&diags);
	return 0;
}
