/* Builds the JSON body of a Messages API request from a session.
 * cJSON stays inside request.c. Unset fields are not sent; numbers go out
 * as the text the user wrote; JSON fields are inserted verbatim. */
#ifndef PWB_REQUEST_H
#define PWB_REQUEST_H

#include <stddef.h>

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

/* Attachments: a content block {type: image, path: FILE} or {type:
 * document, path: FILE} (no source) is sent as a base64 source whose media
 * type comes from the file's first bytes (PNG, JPEG, GIF, WebP; PDF). FILE
 * is relative to the session's base_dir. An image over
 * REQUEST_IMAGE_MAX_BYTES or a PDF over REQUEST_DOCUMENT_MAX_BYTES (the
 * API's 5 MB an image; a 32 MB request once base64 grows it by a third),
 * a file that cannot be read or is of another kind is an error naming it. */
#define REQUEST_IMAGE_MAX_BYTES ((size_t)5 * 1024 * 1024)
#define REQUEST_DOCUMENT_MAX_BYTES ((size_t)24 * 1024 * 1024)

/* The media type of a file from its first bytes: "image/png",
 * "image/jpeg", "image/gif", "image/webp", "application/pdf", or NULL. */
const char *request_sniff_media_type(const unsigned char *p, size_t n);

/* The anthropic-beta header value (betas joined with ","), malloc'd, or
 * NULL when there are none. */
char *request_betas(const struct session *s);

/* 1 when the text is a JSON number literal (as JSON's grammar has it). */
int request_is_json_number(const char *text);

#endif
