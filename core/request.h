/* Builds the JSON body of a Messages API request from a session.
 * cJSON stays inside request.c. Unset fields are not sent; numbers go out
 * as the text the user wrote; JSON fields are inserted verbatim. */
#ifndef PWB_REQUEST_H
#define PWB_REQUEST_H

struct session;
struct diag_list;

enum request_kind {
	REQUEST_MESSAGES,     /* POST /v1/messages */
	REQUEST_COUNT_TOKENS, /* POST /v1/messages/count_tokens: only model, messages,
				 system, tools, tool_choice, thinking, output_config,
				 cache_control */
};

/* The compact JSON body, {{variables}} substituted; stream adds
 * "stream": true (messages only). Variable and JSON problems go to diags
 * (an undefined variable or a JSON field that does not parse is an error, an
 * unused variable a warning). Returns a malloc'd string the caller frees, or
 * NULL when diags gained an error. diags may be NULL. */
char *request_build(const struct session *s, enum request_kind kind, int stream,
		    struct diag_list *diags);

/* The anthropic-beta header value (betas joined with ","), malloc'd, or
 * NULL when there are none. */
char *request_betas(const struct session *s);

/* 1 when the text is a JSON number literal (as JSON's grammar has it). */
int request_is_json_number(const char *text);

#endif
