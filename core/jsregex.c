#include "core/jsregex.h"
#include "core/util.h"

#include <stdlib.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct jsregex {
	pcre2_code *code;
};

static char *pcre_message(int rc)
{
	PCRE2_UCHAR msg[256];
	if (pcre2_get_error_message(rc, msg, sizeof msg) < 0)
		return xasprintf("PCRE2 error %d", rc);
	return xstrdup((const char *)msg);
}

struct jsregex *jsregex_compile(const char *pattern, char **error, size_t *offset)
{
	/* No PCRE2_UCP: JavaScript's \d \w \b are ASCII without the u flag. */
	uint32_t opts = PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX |
			PCRE2_ALLOW_EMPTY_CLASS | PCRE2_MATCH_UNSET_BACKREF;
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
	if (!cc)
		abort();
	pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_ALT_BSUX);
	/* JavaScript's . matches neither \n nor \r */
	pcre2_set_newline(cc, PCRE2_NEWLINE_ANYCRLF);
	int rc = 0;
	PCRE2_SIZE off = 0;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &rc,
					 &off, cc);
	pcre2_compile_context_free(cc);
	if (!code) {
		if (error)
			*error = pcre_message(rc);
		if (offset)
			*offset = off;
		return NULL;
	}
	struct jsregex *re = xmalloc(sizeof *re);
	re->code = code;
	return re;
}

int jsregex_search(const struct jsregex *re, const char *subject, size_t len, char **error)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
	if (!md)
		abort();
	int rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (error)
		*error = pcre_message(rc);
	return -1;
}

void jsregex_free(struct jsregex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	free(re);
}
