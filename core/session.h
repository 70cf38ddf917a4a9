/* The working configuration: everything one Messages API request is built
 * from, plus pwb's own keys (name, description, variables, the recorded
 * response). Shared by the preset loader, the request builder, the TUI and
 * the headless commands.
 *
 * Representation choices:
 * - Numbers are kept as the text the user wrote ("0.3"), so they go out on
 *   the wire exactly so; NULL means unset (not sent).
 * - API objects pwb passes through (tools, thinking, content blocks...) are
 *   kept as compact JSON text. pwb's structs stay free of cJSON, unknown
 *   fields survive, and the TUI edits them as JSON.
 * Every char * is owned by the session (malloc'd); session_free frees all. */
#ifndef PWB_SESSION_H
#define PWB_SESSION_H

#include <stddef.h>

#define PWB_DEFAULT_API_VERSION "2023-06-01"

struct strlist {
	char **v;
	size_t n;
	int set; /* 1 when present in the configuration, even if empty */
};

struct session_message {
	char *role;        /* "user" or "assistant" (validation checks the value) */
	char *text;        /* content given as a plain string, or NULL */
	char *blocks_json; /* content given as a JSON array of blocks, or NULL */
};

struct session_var {
	char *name;
	char *value;
};

/* Top-level request fields kept as JSON text, in the order the request
 * builder emits them after the typed fields. X(field_name) */
#define SESSION_JSON_FIELDS(X) \
	X(metadata) X(tools) X(tool_choice) X(thinking) X(output_config) \
	X(service_tier) X(cache_control) X(container) X(inference_geo) \
	X(speed) X(diagnostics)

struct session_json_fields {
#define SESSION_JSON_MEMBER(f) char *f;
	SESSION_JSON_FIELDS(SESSION_JSON_MEMBER)
#undef SESSION_JSON_MEMBER
};

struct session {
	/* pwb keys */
	char *name;
	char *description;
	char *api_version;   /* NULL: PWB_DEFAULT_API_VERSION */
	struct strlist betas;

	/* request fields */
	char *model;
	char *max_tokens;    /* integer text */
	char *temperature;   /* number text */
	char *top_p;         /* number text */
	char *top_k;         /* integer text */
	struct strlist stop_sequences;
	char *system;        /* system as a plain string, or NULL */
	char *system_blocks_json; /* system as a JSON array of text blocks, or NULL */
	struct session_json_fields json; /* each NULL when unset */

	struct session_message *messages;
	size_t nmessages, amessages;

	struct session_var *vars;
	size_t nvars, avars;

	/* The folder relative paths of attachments ({type: image, path: ...})
	 * are read from: the preset file's, NULL: the current folder. */
	char *base_dir;

	/* The recorded answer for the final user turn (preset "response:"), as
	 * a JSON object {content, stop_reason, stop_sequence?, usage, model, at},
	 * or NULL. */
	char *response_json;

	/* Evaluation (preset "tests:" and "assert:"), never sent to the API.
	 * tests_json: a JSON array of rows ({description?, vars?, assert?, ...})
	 * or a JSON string (a path, relative to the preset, to a .csv/.jsonl/.yaml
	 * file of rows); assert_json: a JSON array of assertions ({type, value?,
	 * threshold?, ...}) for every row. NULL when the preset has none. */
	char *tests_json;
	char *assert_json;
};

struct session *session_new(void);
void session_free(struct session *s);
/* A deep copy; the caller frees it with session_free. */
struct session *session_clone(const struct session *s);
/* The API version in force (never NULL). */
const char *session_api_version(const struct session *s);

/* Messages. Text and blocks are copied; exactly one of them should be set. */
struct session_message *session_add_message(struct session *s, const char *role,
					    const char *text, const char *blocks_json);
/* Insert before index i (i == nmessages appends). */
struct session_message *session_insert_message(struct session *s, size_t i, const char *role,
					       const char *text, const char *blocks_json);
void session_remove_message(struct session *s, size_t i);

/* Variables: set adds or replaces; get returns NULL when undefined. */
void session_set_var(struct session *s, const char *name, const char *value);
const char *session_get_var(const struct session *s, const char *name);
void session_remove_var(struct session *s, const char *name);

/* JSON fields by name ("tools", "thinking"...): NULL when the name is not a
 * JSON field. session_json_set copies json (NULL unsets). */
char **session_json_slot(struct session *s, const char *name);
const char *session_json_get(const struct session *s, const char *name);
int session_json_set(struct session *s, const char *name, const char *json);
/* The names of SESSION_JSON_FIELDS in order, NULL-terminated. */
extern const char *const session_json_field_names[];

void strlist_clear(struct strlist *l);
void strlist_push(struct strlist *l, const char *s);
void strlist_copy(struct strlist *dst, const struct strlist *src);

#endif
