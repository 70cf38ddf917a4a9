#include "core/request.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/file.h"
#include "core/session.h"
#include "core/util.h"
#include "core/vars.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
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

const char *request_sniff_media_type(const unsigned char *p, size_t n)
{
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6)))
		return "image/gif";
	if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return "image/webp";
	if (n >= 5 && !memcmp(p, "%PDF-", 5))
		return "application/pdf";
	return NULL;
}

static char *base64(const unsigned char *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = xmalloc((n + 2) / 3 * 4 + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		o[k++] = t[v >> 18 & 63];
		o[k++] = t[v >> 12 & 63];
		o[k++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		o[k++] = i + 2 < n ? t[v & 63] : '=';
	}
	o[k] = 0;
	return o;
}

/* An attachment ({type: image|document, path: FILE}, no source): the
 * file, read relative to the preset, becomes a base64 source with the
 * media type its content shows. 0, or -1 with the reason in diags. */
static int attach_file(struct build *b, cJSON *blk, const char *type, const char *file,
		       const char *path)
{
	int image = !strcmp(type, "image");
	size_t limit = image ? REQUEST_IMAGE_MAX_BYTES : REQUEST_DOCUMENT_MAX_BYTES;
	char *full = file[0] == '/' || !b->s->base_dir ? xstrdup(file)
			 : xasprintf("%s/%s", b->s->base_dir, file);
	struct buf data;
	buf_init(&data, limit);
	const char *why = NULL;
	char *problem = NULL;
	if (file_read_regular(full, &data, &why) < 0) {
		if (errno == EFBIG)
			problem = xasprintf("is larger than the API takes (%s up to %zu MB)",
					    image ? "an image" : "a PDF", limit / (1024 * 1024));
		else
			problem = xasprintf("cannot be read: %s", why ? why : strerror(errno));
	} else {
		const char *mt = request_sniff_media_type((const unsigned char *)data.data, data.len);
		if (!mt)
			problem = xstrdup(image ? "is not a PNG, JPEG, GIF or WebP image"
					  : "is not a PDF");
		else if (image != !strncmp(mt, "image/", 6))
			problem = xasprintf("is %s: use {type: %s}", image ? "a PDF" : "an image",
					    image ? "document" : "image");
		else {
			char *enc = base64((const unsigned char *)data.data, data.len);
			cJSON *src = cJSON_CreateObject();
			cJSON_AddStringToObject(src, "type", "base64");
			cJSON_AddStringToObject(src, "media_type", mt);
			cJSON_AddStringToObject(src, "data", enc);
			free(enc);
			cJSON_DeleteItemFromObjectCaseSensitive(blk, "path");
			cJSON_AddItemToObject(blk, "source", src);
		}
	}
	if (problem) {
		if (b->diags)
			diag_add(b->diags, DIAG_ERROR, path, "%s: %s %s", path, file, problem);
		b->failed = 1;
	}
	free(problem);
	buf_done(&data);
	free(full);
	return problem ? -1 : 0;
}

/* 1 when blk is an attachment to read: an image or document with a path
 * and no source. */
static int is_attachment(const cJSON *blk, const char **type, const char **file)
{
	cJSON *t = cJSON_GetObjectItemCaseSensitive(blk, "type");
	cJSON *f = cJSON_GetObjectItemCaseSensitive(blk, "path");
	if (!cJSON_IsString(t) || !cJSON_IsString(f) || cJSON_HasObjectItem(blk, "source") ||
	    (strcmp(t->valuestring, "image") && strcmp(t->valuestring, "document")))
		return 0;
	*type = t->valuestring;
	*file = f->valuestring;
	return 1;
}

/* Content given as blocks: inserted verbatim unless a text block holds
 * variables or a block attaches a file: then the text blocks are expanded,
 * the files read, and the array re-printed. */
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
	int files = 0;
	cJSON *blk;
	cJSON_ArrayForEach(blk, arr) {
		const char *t, *f;
		files += is_attachment(blk, &t, &f);
	}
	if (!vars_present(json) && !files) {
		cJSON_Delete(arr);
		return cJSON_CreateRaw(json);
	}
	int i = 0;
	cJSON_ArrayForEach(blk, arr) {
		const char *atype, *afile;
		if (is_attachment(blk, &atype, &afile)) {
			char *p = xasprintf("%s[%d]", path, i);
			attach_file(b, blk, atype, afile, p);
			free(p);
			i++;
			continue;
		}
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
