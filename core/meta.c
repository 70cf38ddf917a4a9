#include "core/meta.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/preset.h"
#include "core/session.h"
#include "core/util.h"
#include "core/vars.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The Makefile defines it for this object; a default keeps other builds
 * (a fuzzer, an IDE) compiling. */
#ifndef PWB_PREFIX
#define PWB_PREFIX "/usr/local"
#endif

static int readable(const char *path)
{
	return access(path, R_OK) == 0;
}

/* presets/meta beside the binary's source tree: the binary is the tree's
 * ./pwb or build/VARIANT/pwb, so look up to three folders up for a tree
 * (core/meta.h marks it). NULL when pwb does not run from one. */
static char *source_tree_file(const char *file)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			return NULL;
		*slash = '\0';
		char *marker = xasprintf("%s/core/meta.h", exe);
		char *path = xasprintf("%s/presets/meta/%s", exe, file);
		int found = readable(marker) && readable(path);
		free(marker);
		if (found)
			return path;
		free(path);
	}
	return NULL;
}

char *meta_find(const char *name)
{
	char *file = xasprintf("%s.yaml", name);
	char *path = NULL;
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg)
		path = xasprintf("%s/pwb/meta/%s", xdg, file);
	else if (home && *home)
		path = xasprintf("%s/.config/pwb/meta/%s", home, file);
	if (path && !readable(path)) {
		free(path);
		path = NULL;
	}
	if (!path)
		path = source_tree_file(file);
	if (!path) {
		path = xasprintf(PWB_PREFIX "/share/pwb/presets/meta/%s", file);
		if (!readable(path)) {
			free(path);
			path = NULL;
		}
	}
	free(file);
	return path;
}

char *meta_forced_tool(const struct session *s)
{
	cJSON *tc = s->json.tool_choice ? cJSON_Parse(s->json.tool_choice) : NULL;
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(tc, "type");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(tc, "name");
	char *out = NULL;
	if (cJSON_IsString(type) && !strcmp(type->valuestring, "tool") && cJSON_IsString(name))
		out = xstrdup(name->valuestring);
	cJSON_Delete(tc);
	return out;
}

struct preset *meta_load(const char *name, struct diag_list *diags)
{
	char *path = meta_find(name);
	if (!path) {
		diag_add(diags, DIAG_ERROR, NULL,
			 "no meta-prompt %s.yaml: looked in $XDG_CONFIG_HOME/pwb/meta (else "
			 "~/.config/pwb/meta), the source tree's presets/meta and "
			 PWB_PREFIX "/share/pwb/presets/meta", name);
		return NULL;
	}
	struct preset *p = preset_load_file(path, diags);
	free(path);
	if (!p)
		return NULL;
	size_t before = diag_count(diags, DIAG_ERROR);
	preset_validate(p, diags);
	char *tool = meta_forced_tool(preset_session(p));
	if (!tool)
		diag_add_at(diags, DIAG_ERROR, preset_name(p), 0, 0,
			    "a meta-prompt must force one tool (tool_choice: {type: tool, name: ...})");
	free(tool);
	if (diag_count(diags, DIAG_ERROR) > before) {
		preset_free(p);
		return NULL;
	}
	return p;
}

char *meta_tool_input(const char *message_json, const char *tool, char **error)
{
	cJSON *m = message_json ? cJSON_Parse(message_json) : NULL;
	const cJSON *input = NULL, *block;
	int called = 0;
	cJSON_ArrayForEach(block, cJSON_GetObjectItemCaseSensitive(m, "content")) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(block, "type");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(block, "name");
		if (cJSON_IsString(type) && !strcmp(type->valuestring, "tool_use") &&
		    cJSON_IsString(name) && !strcmp(name->valuestring, tool)) {
			called = 1;
			input = cJSON_GetObjectItemCaseSensitive(block, "input");
			break;
		}
	}
	char *out = NULL;
	if (!m)
		*error = xstrdup("the answer is not a JSON message");
	else if (!called)
		*error = xasprintf("the answer does not call the %s tool", tool);
	else if (!cJSON_IsObject(input))
		*error = xasprintf("the %s tool's input is not an object", tool);
	else
		out = cJSON_PrintUnformatted(input);
	cJSON_Delete(m);
	return out;
}

/* --- generate ------------------------------------------------------------ */

struct names {
	char **v;
	size_t n;
};

static void collect_name(void *ud, const char *name, size_t len, size_t offset)
{
	(void)offset;
	struct names *ns = ud;
	for (size_t i = 0; i < ns->n; i++)
		if (strlen(ns->v[i]) == len && !strncmp(ns->v[i], name, len))
			return;
	ns->v = xrealloc(ns->v, (ns->n + 1) * sizeof *ns->v);
	ns->v[ns->n++] = xstrndup(name, len);
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

static const char *string_item(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A JSON number as the text a preset keeps ("0.3", "1024"). NULL when v
 * is not a number. */
static char *number_text(const cJSON *v)
{
	if (!cJSON_IsNumber(v))
		return NULL;
	return cJSON_PrintUnformatted(v);
}

/* A variable's value as text: strings as they are, other scalars as JSON. */
static char *value_text(const cJSON *v)
{
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	if (cJSON_IsNumber(v) || cJSON_IsBool(v))
		return cJSON_PrintUnformatted(v);
	return NULL;
}

static int set_params(const cJSON *in, struct session *s, char **error)
{
	const cJSON *mt = cJSON_GetObjectItemCaseSensitive(in, "max_tokens");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(in, "temperature");
	if (mt && !cJSON_IsNull(mt)) {
		if (!cJSON_IsNumber(mt) || mt->valuedouble < 1 || mt->valuedouble > 1000000 ||
		    mt->valuedouble != (double)(long)mt->valuedouble) {
			*error = xstrdup("max_tokens is not a whole number from 1");
			return -1;
		}
		free(s->max_tokens);
		s->max_tokens = xasprintf("%ld", (long)mt->valuedouble);
	}
	if (t && !cJSON_IsNull(t)) {
		if (!cJSON_IsNumber(t) || t->valuedouble < 0 || t->valuedouble > 1) {
			*error = xstrdup("temperature is not a number from 0 to 1");
			return -1;
		}
		free(s->temperature);
		s->temperature = number_text(t);
	}
	return 0;
}

/* The rows as a preset keeps them: [{description?, vars, assert?}], every
 * value text. Checks each gives every used variable. */
static char *generated_rows(const cJSON *tests, const struct names *used, char **error)
{
	if (!cJSON_IsArray(tests) || cJSON_GetArraySize(tests) == 0) {
		*error = xstrdup("the answer has no test rows");
		return NULL;
	}
	cJSON *rows = cJSON_CreateArray();
	const cJSON *t;
	int i = 0;
	cJSON_ArrayForEach(t, tests) {
		const cJSON *vars = cJSON_GetObjectItemCaseSensitive(t, "vars");
		if (!cJSON_IsObject(t) || (vars && !cJSON_IsObject(vars))) {
			*error = xasprintf("test row %d is not {description, vars}", i + 1);
			goto fail;
		}
		cJSON *row = cJSON_CreateObject();
		cJSON_AddItemToArray(rows, row);
		const char *d = string_item(t, "description");
		if (d && *d)
			cJSON_AddStringToObject(row, "description", d);
		cJSON *rv = cJSON_AddObjectToObject(row, "vars");
		const cJSON *v;
		cJSON_ArrayForEach(v, vars) {
			char *text = value_text(v);
			if (!text) {
				*error = xasprintf("test row %d: the value of %s is not text", i + 1,
						   v->string);
				goto fail;
			}
			cJSON_AddStringToObject(rv, v->string, text);
			free(text);
		}
		for (size_t k = 0; k < used->n; k++)
			if (!cJSON_GetObjectItemCaseSensitive(rv, used->v[k])) {
				*error = xasprintf("test row %d has no value for {{%s}}", i + 1,
						   used->v[k]);
				goto fail;
			}
		const cJSON *as = cJSON_GetObjectItemCaseSensitive(t, "assert");
		if (cJSON_IsArray(as) && cJSON_GetArraySize(as) > 0)
			cJSON_AddItemToObject(row, "assert", cJSON_Duplicate(as, 1));
		i++;
	}
	char *out = cJSON_PrintUnformatted(rows);
	cJSON_Delete(rows);
	return out;
fail:
	cJSON_Delete(rows);
	return NULL;
}

int meta_generate_apply(const char *input_json, struct session *s, char **error)
{
	*error = NULL;
	cJSON *in = cJSON_Parse(input_json);
	struct names used = { 0 };
	int rc = -1;
	const char *system = string_item(in, "system");
	const char *user = string_item(in, "user");
	if (!cJSON_IsObject(in)) {
		*error = xstrdup("the answer's input is not an object");
		goto out;
	}
	if (!user || !*user) {
		*error = xstrdup("the answer has no user turn");
		goto out;
	}
	if (system)
		vars_scan(system, collect_name, &used);
	vars_scan(user, collect_name, &used);
	char *rows = generated_rows(cJSON_GetObjectItemCaseSensitive(in, "tests"), &used, error);
	if (!rows)
		goto out;
	if (set_params(in, s, error)) {
		free(rows);
		goto out;
	}
	const char *name = string_item(in, "name");
	const char *desc = string_item(in, "description");
	if (name && *name)
		str_set(&s->name, name);
	if (desc && *desc)
		str_set(&s->description, desc);
	str_set(&s->system, system && *system ? system : NULL);
	free(s->system_blocks_json);
	s->system_blocks_json = NULL;
	while (s->nmessages)
		session_remove_message(s, s->nmessages - 1);
	session_add_message(s, "user", user, NULL);
	/* The first row's values as the defaults, so `pwb run` works at once. */
	cJSON *parsed = cJSON_Parse(rows);
	const cJSON *first = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(parsed, 0), "vars");
	for (size_t k = 0; k < used.n; k++)
		session_set_var(s, used.v[k],
				string_item(first, used.v[k]) ? string_item(first, used.v[k]) : "");
	cJSON_Delete(parsed);
	free(s->tests_json);
	s->tests_json = rows;
	const cJSON *as = cJSON_GetObjectItemCaseSensitive(in, "assert");
	free(s->assert_json);
	s->assert_json = cJSON_IsArray(as) && cJSON_GetArraySize(as) > 0 ? cJSON_PrintUnformatted(as)
									  : NULL;
	rc = 0;
out:
	names_free(&used);
	cJSON_Delete(in);
	return rc;
}

/* --- improve ------------------------------------------------------------- */

char *meta_prompt_text(const struct session *s)
{
	struct session *c = session_clone(s);
	str_set(&c->tests_json, NULL);
	str_set(&c->assert_json, NULL);
	str_set(&c->response_json, NULL);
	char *text = preset_emit(c);
	session_free(c);
	return text;
}

char *meta_tests_text(const struct session *s)
{
	if (!s->tests_json && !s->assert_json)
		return xstrdup("(none)");
	struct session *c = session_new();
	str_set(&c->tests_json, s->tests_json);
	str_set(&c->assert_json, s->assert_json);
	char *text = preset_emit(c);
	session_free(c);
	/* Only the two keys matter: drop the format line. */
	const char *body = strncmp(text, "pwb: 1\n", 7) ? text : text + 7;
	char *out = xstrdup(body);
	free(text);
	return out;
}

/* "  | " before every line of text, for an answer shown inside the list. */
static void put_indented(struct buf *b, const char *text, const char *prefix)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		buf_puts(b, prefix);
		buf_append(b, p, len);
		buf_puts(b, "\n");
		p += len + (nl ? 1 : 0);
	}
}

char *meta_failures_text(const struct meta_failure *f, size_t n)
{
	if (!n)
		return xstrdup("(none)");
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < n; i++) {
		buf_printf(&b, "%srow %ld", i ? "\n" : "", f[i].row + 1);
		if (f[i].description && *f[i].description)
			buf_printf(&b, " (%s)", f[i].description);
		buf_printf(&b, ": %s\n", f[i].outcome ? f[i].outcome : "failed");
		cJSON *vars = f[i].vars_json ? cJSON_Parse(f[i].vars_json) : NULL;
		const cJSON *v;
		if (cJSON_GetArraySize(vars) > 0) {
			buf_puts(&b, "  variables:\n");
			cJSON_ArrayForEach(v, vars) {
				char *t = value_text(v);
				if (!t)
					t = cJSON_PrintUnformatted(v);
				buf_printf(&b, "    %s:\n", v->string);
				put_indented(&b, t, "      | ");
				free(t);
			}
		}
		cJSON_Delete(vars);
		buf_puts(&b, "  answer:\n");
		put_indented(&b, f[i].output && *f[i].output ? f[i].output : "(no text)", "    | ");
		cJSON *as = f[i].assertions_json ? cJSON_Parse(f[i].assertions_json) : NULL;
		int shown = 0;
		cJSON_ArrayForEach(v, as) {
			const cJSON *pass = cJSON_GetObjectItemCaseSensitive(v, "pass");
			if (cJSON_IsTrue(pass))
				continue;
			if (!shown++)
				buf_puts(&b, "  failed assertions:\n");
			const char *type = string_item(v, "type");
			const cJSON *value = cJSON_GetObjectItemCaseSensitive(v, "value");
			char *vt = value && !cJSON_IsNull(value) ? cJSON_PrintUnformatted(value) : NULL;
			const char *reason = string_item(v, "reason");
			buf_printf(&b, "    - %s%s%s: %s\n", type ? type : "?", vt ? " " : "",
				   vt ? vt : "", reason ? reason : "(no reason given)");
			free(vt);
		}
		cJSON_Delete(as);
	}
	return buf_take(&b);
}

/* 1 when the proposal's key (tests or assert) says something other than
 * what the session has (a missing key says nothing). */
static int differs(const cJSON *in, const char *key, const char *have_json)
{
	const cJSON *prop = cJSON_GetObjectItemCaseSensitive(in, key);
	if (!prop)
		return 0;
	cJSON *have = have_json ? cJSON_Parse(have_json) : NULL;
	int same;
	if (!have)
		same = cJSON_IsNull(prop) || (cJSON_IsArray(prop) && cJSON_GetArraySize(prop) == 0);
	else
		same = cJSON_Compare(have, prop, 1);
	cJSON_Delete(have);
	return !same;
}

static char *change_lines(const cJSON *changes)
{
	struct buf b;
	buf_init(&b, 0);
	const cJSON *c;
	cJSON_ArrayForEach(c, changes) {
		if (cJSON_IsString(c)) {
			buf_printf(&b, "- %s\n", c->valuestring);
			continue;
		}
		const char *what = string_item(c, "change");
		const char *why = string_item(c, "reason");
		if (what)
			buf_printf(&b, "- %s%s%s\n", what, why ? ": " : "", why ? why : "");
	}
	return buf_take(&b);
}

int meta_improve_apply(const char *input_json, struct session *s, char **changes, char **error)
{
	*changes = NULL;
	*error = NULL;
	cJSON *in = cJSON_Parse(input_json);
	int rc = -1;
	if (!cJSON_IsObject(in)) {
		*error = xstrdup("the answer's input is not an object");
		goto out;
	}
	if (differs(in, "tests", s->tests_json) || differs(in, "assert", s->assert_json)) {
		*error = xstrdup("the proposal changes the test rows (tests: or assert:), which the "
				 "improver may only read: refused");
		goto out;
	}
	const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(in, "messages");
	const cJSON *m;
	if (msgs) {
		if (!cJSON_IsArray(msgs) || cJSON_GetArraySize(msgs) == 0) {
			*error = xstrdup("the proposal's messages are not a list of turns");
			goto out;
		}
		cJSON_ArrayForEach(m, msgs) {
			const char *role = string_item(m, "role");
			if (!role || !string_item(m, "content") ||
			    (strcmp(role, "user") && strcmp(role, "assistant"))) {
				*error = xstrdup("the proposal has a turn without a user or assistant "
						 "role and text content");
				goto out;
			}
		}
	}
	const cJSON *sys = cJSON_GetObjectItemCaseSensitive(in, "system");
	if (sys && !cJSON_IsString(sys) && !cJSON_IsNull(sys)) {
		*error = xstrdup("the proposal's system prompt is not text");
		goto out;
	}
	if (set_params(in, s, error))
		goto out;
	if (sys) {
		str_set(&s->system, cJSON_IsString(sys) && *sys->valuestring ? sys->valuestring : NULL);
		str_set(&s->system_blocks_json, NULL);
	}
	if (msgs) {
		while (s->nmessages)
			session_remove_message(s, s->nmessages - 1);
		cJSON_ArrayForEach(m, msgs)
			session_add_message(s, string_item(m, "role"), string_item(m, "content"), NULL);
	}
	str_set(&s->response_json, NULL); /* it answered the old prompt */
	*changes = change_lines(cJSON_GetObjectItemCaseSensitive(in, "changes"));
	rc = 0;
out:
	cJSON_Delete(in);
	return rc;
}
