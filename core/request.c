#include "core/request.h"
#include "core/diag.h"
#include "core/session.h"
#include "core/util.h"
#include "core/vars.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

int request_is_json_number(const char *t)
{
	if (!t || !*t)
		return 0;
	if (*t == '-')
		t++;
	if (*t == '0')
		t++;
	else if (*t >= '1' && *t <= '9')
		while (*t >= '0' && *t <= '9')
			t++;
	else
		return 0;
	if (*t == '.') {
		t++;
		if (!(*t >= '0' && *t <= '9'))
			return 0;
		while (*t >= '0' && *t <= '9')
			t++;
	}
	if (*t == 'e' || *t == 'E') {
		t++;
		if (*t == '+' || *t == '-')
			t++;
		if (!(*t >= '0' && *t <= '9'))
			return 0;
		while (*t >= '0' && *t <= '9')
			t++;
	}
	return *t == '\0';
}

struct build {
	const struct session *s;
	struct diag_list *diags;
	unsigned char *used;
	int failed;
};

static void add_number(struct build *b, cJSON *obj, const char *name, const char *text)
{
	if (!text)
		return;
	if (!request_is_json_number(text)) {
		if (b->diags)
			diag_add(b->diags, DIAG_ERROR, name, "%s: '%s' is not a number", name, text);
		b->failed = 1;
		return;
	}
	cJSON_AddRawToObject(obj, name, text);
}

static void add_json(struct build *b, cJSON *obj, const char *name, const char *json)
{
	if (!json)
		return;
	cJSON *probe = cJSON_Parse(json);
	if (!probe) {
		if (b->diags)
			diag_add(b->diags, DIAG_ERROR, name, "%s: not valid JSON", name);
		b->failed = 1;
		return;
	}
	cJSON_Delete(probe);
	cJSON_AddRawToObject(obj, name, json);
}

static char *expand(struct build *b, const char *text, const char *path)
{
	size_t before = b->diags ? diag_count(b->diags, DIAG_ERROR) : 0;
	char *out = vars_expand(b->s, text, path, b->diags, b->used);
	if (b->diags && diag_count(b->diags, DIAG_ERROR) > before)
		b->failed = 1;
	return out;
}

/* Content given as blocks: inserted verbatim unless a text block holds
 * variables, then the text blocks are expanded and the array re-printed. */
static cJSON *blocks_value(struct build *b, const char *json, const char *path)
{
	cJSON *arr = cJSON_Parse(json);
	if (!arr || !cJSON_IsArray(arr)) {
		cJSON_Delete(arr);
		if (b->diags)
			diag_add(b->diags, DIAG_ERROR, path, "%s: not a JSON array of blocks", path);
		b->failed = 1;
		return NULL;
	}
	if (!vars_present(json)) {
		cJSON_Delete(arr);
		return cJSON_CreateRaw(json);
	}
	int i = 0;
	cJSON *blk;
	cJSON_ArrayForEach(blk, arr) {
		cJSON *type = cJSON_GetObjectItemCaseSensitive(blk, "type");
		cJSON *text = cJSON_GetObjectItemCaseSensitive(blk, "text");
		if (cJSON_IsString(type) && strcmp(type->valuestring, "text") == 0 &&
		    cJSON_IsString(text)) {
			char *p = xasprintf("%s[%d].text", path, i);
			char *e = expand(b, text->valuestring, p);
			cJSON_ReplaceItemInObjectCaseSensitive(blk, "text", cJSON_CreateString(e));
			free(e);
			free(p);
		}
		i++;
	}
	return arr;
}

static void add_system(struct build *b, cJSON *body)
{
	const struct session *s = b->s;
	if (s->system_blocks_json) {
		cJSON *v = blocks_value(b, s->system_blocks_json, "system");
		if (v)
			cJSON_AddItemToObject(body, "system", v);
	} else if (s->system) {
		char *e = expand(b, s->system, "system");
		cJSON_AddStringToObject(body, "system", e);
		free(e);
	}
}

static void add_messages(struct build *b, cJSON *body)
{
	const struct session *s = b->s;
	cJSON *arr = cJSON_AddArrayToObject(body, "messages");
	for (size_t i = 0; i < s->nmessages; i++) {
		const struct session_message *m = &s->messages[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "role", m->role ? m->role : "");
		char *path = xasprintf("messages[%zu].content", i);
		if (m->blocks_json) {
			cJSON *v = blocks_value(b, m->blocks_json, path);
			if (v)
				cJSON_AddItemToObject(o, "content", v);
		} else {
			char *e = expand(b, m->text ? m->text : "", path);
			cJSON_AddStringToObject(o, "content", e);
			free(e);
		}
		free(path);
		cJSON_AddItemToArray(arr, o);
	}
}

static void add_strlist(cJSON *body, const char *name, const struct strlist *l)
{
	if (!l->set)
		return;
	cJSON *arr = cJSON_AddArrayToObject(body, name);
	for (size_t i = 0; i < l->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(l->v[i]));
}

char *request_build(const struct session *s, enum request_kind kind, int stream,
		    struct diag_list *diags)
{
	struct build b = { .s = s, .diags = diags, .used = xcalloc(s->nvars + 1, 1) };
	cJSON *body = cJSON_CreateObject();
	int full = kind == REQUEST_MESSAGES;

	cJSON_AddStringToObject(body, "model", s->model ? s->model : "");
	if (full)
		add_number(&b, body, "max_tokens", s->max_tokens);
	add_messages(&b, body);
	add_system(&b, body);
	if (full) {
		add_number(&b, body, "temperature", s->temperature);
		add_number(&b, body, "top_p", s->top_p);
		add_number(&b, body, "top_k", s->top_k);
		add_strlist(body, "stop_sequences", &s->stop_sequences);
		if (stream)
			cJSON_AddTrueToObject(body, "stream");
	}
	for (const char *const *f = session_json_field_names; *f; f++) {
		if (!full && strcmp(*f, "tools") && strcmp(*f, "tool_choice") &&
		    strcmp(*f, "thinking") && strcmp(*f, "output_config") &&
		    strcmp(*f, "cache_control"))
			continue;
		add_json(&b, body, *f, session_json_get(s, *f));
	}

	if (diags)
		for (size_t i = 0; i < s->nvars; i++)
			if (!b.used[i])
				diag_add(diags, DIAG_WARNING, "variables",
					 "variable '%s' is defined but not used", s->vars[i].name);

	char *out = NULL;
	if (!b.failed)
		out = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	free(b.used);
	if (out) {
		/* cJSON allocates with malloc by default; hand back a plain copy so
		 * the caller frees with free() whatever hooks are installed. */
		char *copy = xstrdup(out);
		cJSON_free(out);
		out = copy;
	}
	return out;
}

char *request_betas(const struct session *s)
{
	if (!s->betas.n)
		return NULL;
	size_t len = 0;
	for (size_t i = 0; i < s->betas.n; i++)
		len += strlen(s->betas.v[i]) + 1;
	char *out = xmalloc(len);
	out[0] = '\0';
	for (size_t i = 0; i < s->betas.n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, s->betas.v[i]);
	}
	return out;
}
