/* Validation before anything is sent: each rule names the field, where it
 * is, and the fix. JSON fields are read with cJSON; numbers are parsed from
 * the text the user wrote. */
#include "core/validate.h"
#include "core/cost.h"
#include "core/diag.h"
#include "core/preset.h"
#include "core/request.h"
#include "core/session.h"
#include "core/util.h"
#include "core/vars.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#define API_VERSION_NEW "2026-10-21"

struct vctx {
	const struct session *s;
	const char *file;
	validate_locate_fn locate;
	void *ud;
	struct diag_list *diags;
};

static void vreport(struct vctx *V, enum diag_level lv, const char *path, int key,
		    const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (V->file) {
		int line = 0, col = 0;
		if (V->locate)
			V->locate(V->ud, path ? path : "", key, &line, &col);
		struct diag *d = diag_add_at(V->diags, lv, V->file, line, col, "%s", msg);
		d->path = xstrdup(path);
	} else {
		diag_add(V->diags, lv, path, "%s", msg);
	}
}

static void verr(struct vctx *V, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void verr(struct vctx *V, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(V, DIAG_ERROR, path, 0, fmt, ap);
	va_end(ap);
}

static void vwarn(struct vctx *V, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void vwarn(struct vctx *V, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(V, DIAG_WARNING, path, 0, fmt, ap);
	va_end(ap);
}

/* Error at the key of path: something missing inside it. */
static void verr_key(struct vctx *V, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void verr_key(struct vctx *V, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(V, DIAG_ERROR, path, 1, fmt, ap);
	va_end(ap);
}

/* Warning at the key of path (variables.NAME). */
static void vwarn_key(struct vctx *V, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void vwarn_key(struct vctx *V, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(V, DIAG_WARNING, path, 1, fmt, ap);
	va_end(ap);
}

static int is_integer_text(const char *t)
{
	return request_is_json_number(t) && !strpbrk(t, ".eE");
}

static int model_known(const char *model)
{
	struct price pr;
	for (const char *const *m = cost_builtin_models; *m; m++)
		if (!strcmp(*m, model))
			return 1;
	return cost_price(model, 0, &pr);
}

static void check_model(struct vctx *V)
{
	const struct session *s = V->s;
	if (!s->model || !*s->model) {
		verr(V, "model", "model: missing; add a model id, e.g. 'model: claude-sonnet-4-6' "
		     "(pwb models lists them)");
		return;
	}
	if (!model_known(s->model))
		vwarn(V, "model", "model: '%s' is not a model pwb knows; check the id with 'pwb "
		      "models' (it is sent as written)", s->model);
}

static long long max_tokens_value(const struct session *s)
{
	if (!s->max_tokens || !is_integer_text(s->max_tokens))
		return -1;
	return strtoll(s->max_tokens, NULL, 10);
}

static void check_numbers(struct vctx *V)
{
	const struct session *s = V->s;
	if (!s->max_tokens) {
		verr(V, "max_tokens", "max_tokens: missing; add e.g. 'max_tokens: 1024' (the most "
		     "tokens the answer may use)");
	} else if (!is_integer_text(s->max_tokens)) {
		verr(V, "max_tokens", "max_tokens: '%s' is not an integer; write a whole number of "
		     "at least 1", s->max_tokens);
	} else {
		long long mt = strtoll(s->max_tokens, NULL, 10);
		long lim = s->model ? cost_model_max_tokens(s->model) : 0;
		if (mt < 0)
			verr(V, "max_tokens", "max_tokens: %s is out of range; use at least 1", s->max_tokens);
		else if (mt == 0)
			vwarn(V, "max_tokens", "max_tokens: 0 only warms the prompt cache and generates "
			      "nothing; use at least 1 to get an answer");
		else if (lim > 0 && mt > lim)
			verr(V, "max_tokens", "max_tokens: %s is more than %s allows (%ld); use at most %ld",
			     s->max_tokens, s->model, lim, lim);
	}
	struct { const char *name, *text; } unit[] = {
		{ "temperature", s->temperature }, { "top_p", s->top_p },
	};
	for (size_t i = 0; i < 2; i++) {
		if (!unit[i].text)
			continue;
		if (!request_is_json_number(unit[i].text)) {
			verr(V, unit[i].name, "%s: '%s' is not a number; use a number from 0 to 1",
			     unit[i].name, unit[i].text);
			continue;
		}
		double v = strtod(unit[i].text, NULL);
		if (v < 0 || v > 1)
			verr(V, unit[i].name, "%s: %s is out of range; use a number from 0 to 1",
			     unit[i].name, unit[i].text);
	}
	if (s->top_k) {
		if (!is_integer_text(s->top_k))
			verr(V, "top_k", "top_k: '%s' is not an integer; use a whole number of 0 or more",
			     s->top_k);
		else if (s->top_k[0] == '-' && strcmp(s->top_k, "-0") != 0)
			verr(V, "top_k", "top_k: %s is out of range; use 0 or more", s->top_k);
	}
}

static cJSON *parse_field(struct vctx *V, const char *name, const char *json)
{
	if (!json)
		return NULL;
	cJSON *j = cJSON_Parse(json);
	if (!j)
		verr(V, name, "%s: not valid JSON; fix the syntax", name);
	return j;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* thinking: shape, budget, and what it cannot be combined with. */
static void check_thinking(struct vctx *V, const cJSON *tc_type_holder)
{
	const struct session *s = V->s;
	cJSON *th = parse_field(V, "thinking", s->json.thinking);
	if (!th)
		return;
	const char *type = jstr(th, "type");
	if (!cJSON_IsObject(th) || !type) {
		verr(V, "thinking", "thinking: expected a mapping with a type (enabled, adaptive or "
		     "disabled), e.g. {type: enabled, budget_tokens: 2048}");
		cJSON_Delete(th);
		return;
	}
	int on = strcmp(type, "disabled") != 0;
	if (!strcmp(type, "enabled")) {
		cJSON *b = cJSON_GetObjectItemCaseSensitive(th, "budget_tokens");
		long long mt = max_tokens_value(s);
		if (!b) {
			verr_key(V, "thinking", "thinking.budget_tokens: missing; type enabled needs a "
			     "budget of at least 1024 tokens, less than max_tokens");
		} else if (!cJSON_IsNumber(b) || !(fabs(b->valuedouble) < 9.0e15) ||
			   b->valuedouble != floor(b->valuedouble)) {
			/* (a double past long long's range must not be cast to it) */
			verr(V, "thinking.budget_tokens", "thinking.budget_tokens: expected an integer "
			     "(at least 1024 and less than max_tokens)");
		} else if (b->valuedouble < 1024) {
			verr(V, "thinking.budget_tokens", "thinking.budget_tokens: %.0f is too small; "
			     "use at least 1024", b->valuedouble);
		} else if (mt >= 0 && b->valuedouble >= (double)mt) {
			verr(V, "thinking.budget_tokens", "thinking.budget_tokens: %.0f must be less "
			     "than max_tokens (%lld); lower the budget or raise max_tokens",
			     b->valuedouble, mt);
		}
	} else if (strcmp(type, "adaptive") && strcmp(type, "disabled") &&
		   strcmp(type, "between_tools")) {
		vwarn(V, "thinking.type", "thinking.type: '%s' is not a type pwb knows (enabled, "
		      "adaptive, disabled); it is sent as written", type);
	}
	if (on && s->temperature && request_is_json_number(s->temperature) &&
	    strtod(s->temperature, NULL) != 1.0)
		verr(V, "temperature", "temperature: %s cannot be used with thinking; remove "
		     "temperature (or set it to 1), or turn thinking off", s->temperature);
	const char *tct = tc_type_holder ? jstr(tc_type_holder, "type") : NULL;
	if (on && tct && (!strcmp(tct, "any") || !strcmp(tct, "tool")))
		verr(V, "tool_choice", "tool_choice: type '%s' forces tool use, which thinking does "
		     "not allow; use {type: auto} or {type: none}, or turn thinking off", tct);
	cJSON_Delete(th);
}

static int tool_name_ok(const char *n)
{
	size_t len = strlen(n);
	if (len < 1 || len > 128)
		return 0;
	for (const char *c = n; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
			return 0;
	return 1;
}

static void check_tools(struct vctx *V, cJSON *tc)
{
	const struct session *s = V->s;
	cJSON *tools = parse_field(V, "tools", s->json.tools);
	if (tools && !cJSON_IsArray(tools))
		verr(V, "tools", "tools: expected a list of tools");
	char path[96];
	int i = 0;
	cJSON *t;
	if (tools && cJSON_IsArray(tools)) {
		cJSON_ArrayForEach(t, tools) {
			snprintf(path, sizeof path, "tools[%d]", i);
			if (!cJSON_IsObject(t)) {
				verr(V, path, "%s: expected a mapping with name, description and input_schema", path);
				i++;
				continue;
			}
			const char *type = jstr(t, "type");
			int client = !type || !strcmp(type, "custom");
			const char *name = jstr(t, "name");
			char np[112];
			snprintf(np, sizeof np, "%s.name", path);
			if (!name)
				verr(V, client ? path : path, "%s.name: missing; a tool needs a name matching "
				     "^[a-zA-Z0-9_-]{1,128}$", path);
			else if (!tool_name_ok(name))
				verr(V, np, "%s: '%s' is not a valid tool name; use 1 to 128 letters, "
				     "digits, _ or - (^[a-zA-Z0-9_-]{1,128}$)", np, name);
			if (client) {
				cJSON *sch = cJSON_GetObjectItemCaseSensitive(t, "input_schema");
				char sp[112];
				snprintf(sp, sizeof sp, "%s.input_schema", path);
				const char *st = sch ? jstr(sch, "type") : NULL;
				if (!sch)
					verr(V, path, "%s.input_schema: missing; give a JSON Schema object, "
					     "e.g. {type: object, properties: {...}}", path);
				else if (!cJSON_IsObject(sch) || !st || strcmp(st, "object"))
					verr(V, sp, "%s: must be a JSON Schema with 'type: object' (the tool's "
					     "input is always an object)", sp);
			}
			i++;
		}
	}
	if (tc) {
		const char *tct = jstr(tc, "type");
		if (!cJSON_IsObject(tc) || !tct) {
			verr(V, "tool_choice", "tool_choice: expected a mapping with a type (auto, any, "
			     "tool or none)");
		} else if (strcmp(tct, "auto") && strcmp(tct, "any") && strcmp(tct, "tool") &&
			   strcmp(tct, "none")) {
			verr(V, "tool_choice.type", "tool_choice.type: '%s' is not one of auto, any, "
			     "tool, none", tct);
		} else if (!strcmp(tct, "tool")) {
			const char *tn = jstr(tc, "name");
			if (!tn) {
				verr_key(V, "tool_choice", "tool_choice: type tool needs the tool's name, e.g. "
				     "{type: tool, name: get_weather}");
			} else {
				int found = 0;
				if (tools && cJSON_IsArray(tools))
					cJSON_ArrayForEach(t, tools) {
						const char *n = jstr(t, "name");
						if (n && !strcmp(n, tn))
							found = 1;
					}
				if (!found)
					verr(V, "tool_choice.name", "tool_choice.name: no tool named '%s' in "
					     "tools; add it or fix the name", tn);
			}
		}
		if (tct && strcmp(tct, "none") && (!tools || !cJSON_IsArray(tools) ||
						   !cJSON_GetArraySize(tools)) &&
		    cJSON_IsObject(tc))
			verr(V, "tool_choice", "tool_choice: '%s' needs tools; add tools or remove "
			     "tool_choice", tct);
	}
	cJSON_Delete(tools);
}

/* Text blocks with non-empty citations, directly or inside search_result. */
static int has_citations(const cJSON *blocks)
{
	const cJSON *b;
	cJSON_ArrayForEach(b, blocks) {
		const char *type = jstr(b, "type");
		if (!type)
			continue;
		if (!strcmp(type, "text")) {
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(b, "citations");
			if (cJSON_IsArray(c) && cJSON_GetArraySize(c) > 0)
				return 1;
		}
		if (!strcmp(type, "search_result") || !strcmp(type, "tool_result")) {
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(b, "content");
			if (cJSON_IsArray(c) && has_citations(c))
				return 1;
		}
	}
	return 0;
}

struct var_use {
	struct vctx *V;
	const char *path;
	unsigned char *used;
};

static void on_ref(void *ud, const char *name, size_t len, size_t offset)
{
	(void)offset;
	struct var_use *u = ud;
	const struct session *s = u->V->s;
	for (size_t i = 0; i < s->nvars; i++)
		if (strlen(s->vars[i].name) == len && !memcmp(s->vars[i].name, name, len)) {
			u->used[i] = 1;
			return;
		}
	if (s->tests_json)
		return; /* the test rows supply it: evalrows_check checks each row */
	verr(u->V, u->path, "%s: undefined variable '%.*s'; define it under 'variables:' or pass "
	     "-s %.*s=VALUE", u->path, (int)len, name, (int)len, name);
}

static void scan_text(struct vctx *V, unsigned char *used, const char *path, const char *text)
{
	struct var_use u = { V, path, used };
	/* strstr is much faster than the scanner's byte loop, and most text
	 * of a long conversation has no braces at all */
	if (text && strstr(text, "{{"))
		vars_scan(text, on_ref, &u);
}

/* The text blocks of a block list (variables are expanded only there). */
static void scan_blocks(struct vctx *V, unsigned char *used, const char *path, const cJSON *arr)
{
	const cJSON *b;
	int i = 0;
	cJSON_ArrayForEach(b, arr) {
		const char *type = jstr(b, "type"), *text = jstr(b, "text");
		if (type && !strcmp(type, "text") && text) {
			char *p = xasprintf("%s[%d].text", path, i);
			scan_text(V, used, p, text);
			free(p);
		}
		i++;
	}
}

static void check_blocks(struct vctx *V, const char *path, const cJSON *arr, int system)
{
	const cJSON *b;
	int i = 0;
	cJSON_ArrayForEach(b, arr) {
		char *p = xasprintf("%s[%d]", path, i);
		const char *type = jstr(b, "type");
		if (!cJSON_IsObject(b) || !type)
			verr(V, p, "%s: a content block is a mapping with a type (text, image, "
			     "document, tool_use, tool_result...)", p);
		else if (system && strcmp(type, "text"))
			verr(V, p, "%s: system blocks must be text blocks ({type: text, text: ...}), "
			     "found '%s'", p, type);
		else if (!strcmp(type, "text") && !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(b, "text")))
			verr(V, p, "%s: a text block needs 'text' (a string)", p);
		free(p);
		i++;
	}
}

static void check_messages(struct vctx *V, unsigned char *used)
{
	const struct session *s = V->s;
	int newver = !strcmp(session_api_version(s), API_VERSION_NEW);
	if (!s->nmessages)
		verr(V, "messages", "messages: none; add at least one user message");
	for (size_t i = 0; i < s->nmessages; i++) {
		const struct session_message *m = &s->messages[i];
		char rp[64], cp[64];
		snprintf(rp, sizeof rp, "messages[%zu].role", i);
		snprintf(cp, sizeof cp, "messages[%zu].content", i);
		int user = m->role && !strcmp(m->role, "user");
		int asst = m->role && !strcmp(m->role, "assistant");
		if (!user && !asst)
			verr(V, rp, "%s: '%s' is not a role; use user or assistant (the system prompt "
			     "goes in 'system:')", rp, m->role ? m->role : "");
		else if (i == 0 && !user)
			verr(V, rp, "%s: the first message must be from the user; add a user turn "
			     "before it", rp);
		if (m->blocks_json) {
			cJSON *arr = cJSON_Parse(m->blocks_json);
			if (!arr || !cJSON_IsArray(arr)) {
				verr(V, cp, "%s: not a valid list of content blocks", cp);
				cJSON_Delete(arr);
				continue;
			}
			check_blocks(V, cp, arr, 0);
			scan_blocks(V, used, cp, arr);
			if (newver) {
				const cJSON *b;
				int j = 0;
				cJSON_ArrayForEach(b, arr) {
					const char *type = jstr(b, "type");
					if (asst && type && !strcmp(type, "document")) {
						char *p = xasprintf("%s[%d]", cp, j);
						verr(V, p, "%s: a document block in an assistant turn is refused "
						     "by api_version %s; move it to a user turn or use "
						     "api_version 2023-06-01", p, API_VERSION_NEW);
						free(p);
					}
					j++;
				}
				if (user && has_citations(arr))
					verr(V, cp, "%s: a text block with citations in a user turn is refused "
					     "by api_version %s; remove the citations or use api_version "
					     "2023-06-01", cp, API_VERSION_NEW);
			}
			cJSON_Delete(arr);
		} else {
			scan_text(V, used, cp, m->text);
		}
	}
}

static void check_system(struct vctx *V, unsigned char *used)
{
	const struct session *s = V->s;
	if (s->system_blocks_json) {
		cJSON *arr = cJSON_Parse(s->system_blocks_json);
		if (!arr || !cJSON_IsArray(arr)) {
			verr(V, "system", "system: not a valid list of text blocks");
		} else {
			check_blocks(V, "system", arr, 1);
			scan_blocks(V, used, "system", arr);
		}
		cJSON_Delete(arr);
	} else {
		scan_text(V, used, "system", s->system);
	}
}

static void check_api_version(struct vctx *V)
{
	const struct session *s = V->s;
	const char *v = session_api_version(s);
	if (strcmp(v, API_VERSION_NEW) && strcmp(v, PWB_DEFAULT_API_VERSION)) {
		vwarn(V, "api_version", "api_version: '%s' is not a version pwb knows (2023-06-01, "
		      "2026-10-21); it is sent as written", v);
		return;
	}
	if (strcmp(v, API_VERSION_NEW))
		return;
	const char *removed[] = { "temperature", "top_p", "top_k" };
	const char *vals[] = { s->temperature, s->top_p, s->top_k };
	for (int i = 0; i < 3; i++)
		if (vals[i])
			verr(V, removed[i], "%s: removed in api_version %s (the API answers 400); "
			     "remove %s, or use api_version 2023-06-01", removed[i], API_VERSION_NEW,
			     removed[i]);
}

/* The first control character (C0, DEL) in s, or NULL. */
static const char *find_control(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return s;
	return NULL;
}

/* Values that become HTTP header lines (api_version, betas) or reach the
 * wire as an identifier (model): a CR or LF there would add headers of the
 * preset's choosing, in pwb's request and in every export. An error, so
 * run, request, export and the workbench all refuse it the same way. */
static void check_header_values(struct vctx *V)
{
	const struct session *s = V->s;
	const char *c;
	if ((c = find_control(session_api_version(s))))
		verr(V, "api_version", "api_version: holds a control character (0x%02x); it is sent "
		     "as an HTTP header, where a line break would add headers: remove it",
		     (unsigned char)*c);
	for (size_t i = 0; i < s->betas.n; i++) {
		if (!(c = find_control(s->betas.v[i])))
			continue;
		char *p = xasprintf("betas[%zu]", i);
		verr(V, p, "%s: holds a control character (0x%02x); betas are sent in the "
		     "anthropic-beta HTTP header, where a line break would add headers: remove it", p,
		     (unsigned char)*c);
		free(p);
	}
	if ((c = find_control(s->model)))
		verr(V, "model", "model: holds a control character (0x%02x); a model id never does: "
		     "remove it", (unsigned char)*c);
}

static void check_json_fields(struct vctx *V)
{
	const struct session *s = V->s;
	static const char *const objects[] = { "metadata", "output_config", "cache_control",
					       "diagnostics", NULL };
	for (const char *const *f = objects; *f; f++) {
		cJSON *j = parse_field(V, *f, session_json_get(s, *f));
		if (j && !cJSON_IsObject(j))
			verr(V, *f, "%s: expected a mapping", *f);
		cJSON_Delete(j);
	}
	static const char *const strings[] = { "service_tier", "inference_geo", "speed", NULL };
	for (const char *const *f = strings; *f; f++) {
		cJSON *j = parse_field(V, *f, session_json_get(s, *f));
		if (j && !cJSON_IsString(j))
			verr(V, *f, "%s: expected a string", *f);
		cJSON_Delete(j);
	}
	cJSON *c = parse_field(V, "container", s->json.container);
	cJSON_Delete(c);
	if (s->json.service_tier) {
		cJSON *j = cJSON_Parse(s->json.service_tier);
		if (cJSON_IsString(j) && strcmp(j->valuestring, "auto") &&
		    strcmp(j->valuestring, "standard_only"))
			verr(V, "service_tier", "service_tier: '%s' is not auto or standard_only",
			     j->valuestring);
		cJSON_Delete(j);
	}
	if (s->response_json) {
		cJSON *r = parse_field(V, "response", s->response_json);
		if (r && (!cJSON_IsObject(r) ||
			  !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(r, "content"))))
			verr(V, "response", "response: expected a mapping with content (a list of "
			     "blocks), stop_reason, usage, model and at");
		cJSON_Delete(r);
	}
}

void validate_run(const struct session *s, const char *file, validate_locate_fn locate,
		  void *ud, struct diag_list *diags)
{
	struct vctx V = { .s = s, .file = file, .locate = locate, .ud = ud, .diags = diags };
	check_model(&V);
	check_numbers(&V);
	check_api_version(&V);
	check_header_values(&V);
	cJSON *tc = parse_field(&V, "tool_choice", s->json.tool_choice);
	check_thinking(&V, tc);
	check_tools(&V, tc);
	cJSON_Delete(tc);
	check_json_fields(&V);
	unsigned char *used = xcalloc(s->nvars + 1, 1);
	check_system(&V, used);
	check_messages(&V, used);
	for (size_t i = 0; i < s->nvars; i++)
		if (!used[i]) {
			char *p = xasprintf("variables.%s", s->vars[i].name);
			vwarn_key(&V, p, "%s: variable '%s' is defined but not used; use {{%s}} in "
				  "system or message text, or remove it", p, s->vars[i].name,
				  s->vars[i].name);
			free(p);
		}
	free(used);
}
