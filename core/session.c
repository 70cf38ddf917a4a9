#include "core/session.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

const char *const session_json_field_names[] = {
#define SESSION_JSON_NAME(f) #f,
	SESSION_JSON_FIELDS(SESSION_JSON_NAME)
#undef SESSION_JSON_NAME
	NULL
};

struct session *session_new(void)
{
	return xcalloc(1, sizeof(struct session));
}

void strlist_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->set = 0;
}

void strlist_push(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
	l->set = 1;
}

void strlist_copy(struct strlist *dst, const struct strlist *src)
{
	strlist_clear(dst);
	for (size_t i = 0; i < src->n; i++)
		strlist_push(dst, src->v[i]);
	dst->set = src->set;
}

static void message_done(struct session_message *m)
{
	free(m->role);
	free(m->text);
	free(m->blocks_json);
}

void session_free(struct session *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->description);
	free(s->api_version);
	strlist_clear(&s->betas);
	free(s->model);
	free(s->max_tokens);
	free(s->temperature);
	free(s->top_p);
	free(s->top_k);
	strlist_clear(&s->stop_sequences);
	free(s->system);
	free(s->system_blocks_json);
#define SESSION_JSON_FREE(f) free(s->json.f);
	SESSION_JSON_FIELDS(SESSION_JSON_FREE)
#undef SESSION_JSON_FREE
	for (size_t i = 0; i < s->nmessages; i++)
		message_done(&s->messages[i]);
	free(s->messages);
	for (size_t i = 0; i < s->nvars; i++) {
		free(s->vars[i].name);
		free(s->vars[i].value);
	}
	free(s->vars);
	free(s->response_json);
	free(s->tests_json);
	free(s->assert_json);
	free(s->base_dir);
	free(s);
}

struct session *session_clone(const struct session *s)
{
	struct session *c = session_new();
	c->name = xstrdup(s->name);
	c->description = xstrdup(s->description);
	c->api_version = xstrdup(s->api_version);
	strlist_copy(&c->betas, &s->betas);
	c->model = xstrdup(s->model);
	c->max_tokens = xstrdup(s->max_tokens);
	c->temperature = xstrdup(s->temperature);
	c->top_p = xstrdup(s->top_p);
	c->top_k = xstrdup(s->top_k);
	strlist_copy(&c->stop_sequences, &s->stop_sequences);
	c->system = xstrdup(s->system);
	c->system_blocks_json = xstrdup(s->system_blocks_json);
#define SESSION_JSON_COPY(f) c->json.f = xstrdup(s->json.f);
	SESSION_JSON_FIELDS(SESSION_JSON_COPY)
#undef SESSION_JSON_COPY
	for (size_t i = 0; i < s->nmessages; i++)
		session_add_message(c, s->messages[i].role, s->messages[i].text,
				    s->messages[i].blocks_json);
	for (size_t i = 0; i < s->nvars; i++)
		session_set_var(c, s->vars[i].name, s->vars[i].value);
	c->response_json = xstrdup(s->response_json);
	c->base_dir = xstrdup(s->base_dir);
	c->tests_json = xstrdup(s->tests_json);
	c->assert_json = xstrdup(s->assert_json);
	return c;
}

const char *session_api_version(const struct session *s)
{
	return s->api_version && *s->api_version ? s->api_version : PWB_DEFAULT_API_VERSION;
}

struct session_message *session_insert_message(struct session *s, size_t i, const char *role,
					       const char *text, const char *blocks_json)
{
	if (i > s->nmessages)
		i = s->nmessages;
	if (s->nmessages == s->amessages) {
		s->amessages = s->amessages ? s->amessages * 2 : 8;
		s->messages = xrealloc(s->messages, s->amessages * sizeof *s->messages);
	}
	memmove(&s->messages[i + 1], &s->messages[i],
		(s->nmessages - i) * sizeof *s->messages);
	s->nmessages++;
	struct session_message *m = &s->messages[i];
	m->role = xstrdup(role);
	m->text = xstrdup(text);
	m->blocks_json = xstrdup(blocks_json);
	return m;
}

struct session_message *session_add_message(struct session *s, const char *role,
					    const char *text, const char *blocks_json)
{
	return session_insert_message(s, s->nmessages, role, text, blocks_json);
}

void session_remove_message(struct session *s, size_t i)
{
	if (i >= s->nmessages)
		return;
	message_done(&s->messages[i]);
	memmove(&s->messages[i], &s->messages[i + 1],
		(s->nmessages - i - 1) * sizeof *s->messages);
	s->nmessages--;
}

static struct session_var *var_find(const struct session *s, const char *name)
{
	for (size_t i = 0; i < s->nvars; i++)
		if (strcmp(s->vars[i].name, name) == 0)
			return &s->vars[i];
	return NULL;
}

void session_set_var(struct session *s, const char *name, const char *value)
{
	struct session_var *v = var_find(s, name);
	if (v) {
		str_set(&v->value, value ? value : "");
		return;
	}
	if (s->nvars == s->avars) {
		s->avars = s->avars ? s->avars * 2 : 8;
		s->vars = xrealloc(s->vars, s->avars * sizeof *s->vars);
	}
	s->vars[s->nvars].name = xstrdup(name);
	s->vars[s->nvars].value = xstrdup(value ? value : "");
	s->nvars++;
}

const char *session_get_var(const struct session *s, const char *name)
{
	struct session_var *v = var_find(s, name);
	return v ? v->value : NULL;
}

void session_remove_var(struct session *s, const char *name)
{
	struct session_var *v = var_find(s, name);
	if (!v)
		return;
	size_t i = (size_t)(v - s->vars);
	free(v->name);
	free(v->value);
	memmove(&s->vars[i], &s->vars[i + 1], (s->nvars - i - 1) * sizeof *s->vars);
	s->nvars--;
}

char **session_json_slot(struct session *s, const char *name)
{
#define SESSION_JSON_MATCH(f) if (strcmp(name, #f) == 0) return &s->json.f;
	SESSION_JSON_FIELDS(SESSION_JSON_MATCH)
#undef SESSION_JSON_MATCH
	return NULL;
}

const char *session_json_get(const struct session *s, const char *name)
{
	char **slot = session_json_slot((struct session *)s, name);
	return slot ? *slot : NULL;
}

int session_json_set(struct session *s, const char *name, const char *json)
{
	char **slot = session_json_slot(s, name);
	if (!slot)
		return -1;
	str_set(slot, json);
	return 0;
}
