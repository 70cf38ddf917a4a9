/* Export: a session as a complete, runnable program that sends exactly the
 * request pwb sends (the body of request_build, the same anthropic-version
 * and anthropic-beta), in C (libcurl + cJSON), Python and JavaScript (the
 * official SDKs) or a curl script. Every variant reads the key from
 * ANTHROPIC_API_KEY and honours ANTHROPIC_BASE_URL; no key is ever written.
 * Pure: no I/O. The CLI (pwb export) and the TUI's export view share it. */
#ifndef PWB_EXPORT_H
#define PWB_EXPORT_H

struct session;
struct diag_list;

enum export_lang { EXPORT_C, EXPORT_PYTHON, EXPORT_JS, EXPORT_CURL };

/* "c", "python", "js" or "curl": 0 with *lang set, or -1. */
int export_lang_parse(const char *name, enum export_lang *lang);
/* The name export_lang_parse accepts (static string). */
const char *export_lang_name(enum export_lang lang);

/* 1 when the official SDKs refuse a non-stream call for s: their long
 * non-stream guard (max_tokens above ~21,333, or above a per-model cap). */
int export_sdk_needs_stream(const struct session *s);

/* The program text for s in lang, malloc'd (caller frees). stream asks for a
 * streaming request. For python and js a non-stream request the SDKs would
 * refuse is exported streaming, with a comment saying why; *forced_stream
 * (may be NULL) is then 1, else 0. The body sent is request_build(s,
 * REQUEST_MESSAGES, stream actually used) JSON-equal. Returns NULL when the
 * body cannot be built (the reasons are in diags, as with request_build;
 * diags may be NULL). */
char *export_render(const struct session *s, enum export_lang lang, int stream,
		    struct diag_list *diags, int *forced_stream);

#endif
