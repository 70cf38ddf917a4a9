/* The Message Batches API: custom_ids, create bodies split at the limits,
 * a streaming results reader, and the create/poll/results driver on the
 * loop. Bodies and results are never held whole: the builder keeps one
 * batch's JSON, the reader one line. */
#include "core/batch.h"
#include "core/buf.h"
#include "core/loop.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define API_MAX_REQUESTS 100000
#define API_MAX_BYTES ((size_t)256 * 1000 * 1000)
/* One results line holds one Message: far below this. */
#define MAX_RESULT_LINE ((size_t)64 << 20)

/* ---- custom_id -------------------------------------------------------- */

int batch_custom_id_valid(const char *id)
{
	if (!id)
		return 0;
	size_t n = 0;
	for (; id[n]; n++) {
		unsigned char ch = (unsigned char)id[n];
		if (!(isalnum(ch) && ch < 128) && ch != '_' && ch != '-')
			return 0;
	}
	return n >= 1 && n <= BATCH_CUSTOM_ID_MAX;
}

int batch_custom_id_encode(long row, long repeat, long column, char out[BATCH_CUSTOM_ID_MAX + 1])
{
	if (row < 0 || repeat < 0 || column < 0)
		return -1;
	snprintf(out, BATCH_CUSTOM_ID_MAX + 1, "r%ld-k%ld-c%ld", row, repeat, column);
	return 0;
}

/* A decimal without sign or leading zero at *p, up to LONG_MAX. */
static int take_number(const char **p, long *out)
{
	const char *s = *p;
	if (!isdigit((unsigned char)*s) || (s[0] == '0' && isdigit((unsigned char)s[1])))
		return -1;
	long v = 0;
	while (isdigit((unsigned char)*s)) {
		int d = *s - '0';
		if (v > (LONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		s++;
	}
	*out = v;
	*p = s;
	return 0;
}

int batch_custom_id_decode(const char *id, long *row, long *repeat, long *column)
{
	if (!batch_custom_id_valid(id))
		return -1;
	const char *p = id;
	long r, k, c;
	if (*p++ != 'r' || take_number(&p, &r) || strncmp(p, "-k", 2) != 0)
		return -1;
	p += 2;
	if (take_number(&p, &k) || strncmp(p, "-c", 2) != 0)
		return -1;
	p += 2;
	if (take_number(&p, &c) || *p)
		return -1;
	*row = r;
	*repeat = k;
	*column = c;
	return 0;
}

/* ---- limits ----------------------------------------------------------- */

static size_t env_limit(const char *name, size_t api_max)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return api_max;
	char *end;
	unsigned long long n = strtoull(v, &end, 10);
	if (*end || n == 0 || n > api_max)
		return api_max;
	return (size_t)n;
}

void batch_limits_init(struct batch_limits *l)
{
	/* Test-only overrides: they can lower the API's limits, never raise them. */
	l->max_requests = env_limit("PWB_BATCH_MAX_REQUESTS", API_MAX_REQUESTS);
	l->max_bytes = env_limit("PWB_BATCH_MAX_BYTES", API_MAX_BYTES);
}

/* ---- a set of custom_ids ---------------------------------------------- */

struct id_set {
	char **keys;
	unsigned char *seen;
	size_t cap, n;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void set_done(struct id_set *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->seen);
	memset(s, 0, sizeof *s);
}

static size_t set_slot(const struct id_set *s, const char *key)
{
	size_t i = (size_t)(hash_str(key) & (s->cap - 1));
	while (s->keys[i] && strcmp(s->keys[i], key) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

/* Add key; returns 1 when new, 0 when already there. */
static int set_add(struct id_set *s, const char *key)
{
	if ((s->n + 1) * 2 > s->cap) {
		struct id_set bigger = { 0 };
		bigger.cap = s->cap ? s->cap * 2 : 64;
		bigger.keys = xcalloc(bigger.cap, sizeof *bigger.keys);
		bigger.seen = xcalloc(bigger.cap, 1);
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->keys[i])
				continue;
			size_t j = set_slot(&bigger, s->keys[i]);
			bigger.keys[j] = s->keys[i];
			bigger.seen[j] = s->seen[i];
			bigger.n++;
		}
		free(s->keys);
		free(s->seen);
		*s = bigger;
	}
	size_t i = set_slot(s, key);
	if (s->keys[i])
		return 0;
	s->keys[i] = xstrdup(key);
	s->n++;
	return 1;
}

/* The slot of key, or SIZE_MAX when absent. */
static size_t set_find(const struct id_set *s, const char *key)
{
	if (!s->cap)
		return SIZE_MAX;
	size_t i = set_slot(s, key);
	return s->keys[i] ? i : SIZE_MAX;
}

/* ---- building bodies -------------------------------------------------- */

struct batch_builder {
	struct batch_limits limits;
	batch_next_fn next;
	void *ud;
	char *pending_id, *pending_params; /* taken but not fitting the last batch */
	int exhausted;
};

struct batch_builder *batch_builder_new(const struct batch_limits *limits, batch_next_fn next,
					void *ud)
{
	struct batch_builder *b = xcalloc(1, sizeof *b);
	if (limits)
		b->limits = *limits;
	else
		batch_limits_init(&b->limits);
	b->next = next;
	b->ud = ud;
	return b;
}

void batch_builder_free(struct batch_builder *b)
{
	if (!b)
		return;
	free(b->pending_id);
	free(b->pending_params);
	free(b);
}

void batch_ids_free(char **ids)
{
	if (!ids)
		return;
	for (char **p = ids; *p; p++)
		free(*p);
	free(ids);
}

static const char body_head[] = "{\"requests\":[";
static const char body_tail[] = "]}";

int batch_builder_next(struct batch_builder *b, char **body, char ***ids, size_t *count,
		       char **error)
{
	*body = NULL;
	*ids = NULL;
	*count = 0;
	*error = NULL;
	struct buf out;
	buf_init(&out, 0);
	struct id_set in_batch = { 0 };
	char **list = NULL;
	size_t n = 0, alloc = 0;
	int rc = -1;
	buf_puts(&out, body_head);
	for (;;) {
		if (!b->pending_id) {
			if (b->exhausted)
				break;
			char *id = NULL, *params = NULL;
			int r = b->next(b->ud, &id, &params);
			if (r == 0) {
				free(id);
				free(params);
				b->exhausted = 1;
				break;
			}
			if (r < 0) {
				free(id);
				free(params);
				*error = xstrdup("the request source failed");
				goto out;
			}
			b->pending_id = id ? id : xstrdup("");
			b->pending_params = params ? params : xstrdup("");
		}
		const char *id = b->pending_id;
		if (!batch_custom_id_valid(id)) {
			*error = xasprintf("custom_id '%.80s' is not 1-%d characters of [A-Za-z0-9_-]", id,
					   BATCH_CUSTOM_ID_MAX);
			goto out;
		}
		cJSON *pj = cJSON_Parse(b->pending_params);
		int is_obj = cJSON_IsObject(pj);
		cJSON_Delete(pj);
		if (!is_obj) {
			*error = xasprintf("the params of custom_id '%s' are not a JSON object", id);
			goto out;
		}
		/* {"custom_id":"ID","params":PARAMS} */
		size_t item = strlen("{\"custom_id\":\"\",\"params\":}") + strlen(id) +
			      strlen(b->pending_params);
		size_t after = out.len + (n ? 1 : 0) + item + strlen(body_tail);
		if (n && (n + 1 > b->limits.max_requests || after > b->limits.max_bytes))
			break; /* stays pending for the next batch */
		if (after > b->limits.max_bytes) {
			*error = xasprintf("the request of custom_id '%s' alone makes a body of %zu bytes, "
					   "above the batch limit of %zu", id, after, b->limits.max_bytes);
			goto out;
		}
		if (!set_add(&in_batch, id)) {
			*error = xasprintf("custom_id '%s' appears twice in one batch", id);
			goto out;
		}
		buf_printf(&out, "%s{\"custom_id\":\"%s\",\"params\":", n ? "," : "", id);
		buf_puts(&out, b->pending_params);
		buf_puts(&out, "}");
		if (n + 2 > alloc) {
			alloc = alloc ? alloc * 2 : 64;
			list = xrealloc(list, alloc * sizeof *list);
		}
		list[n++] = b->pending_id;
		list[n] = NULL;
		b->pending_id = NULL;
		free(b->pending_params);
		b->pending_params = NULL;
	}
	if (n == 0) {
		rc = 0;
		goto out;
	}
	buf_puts(&out, body_tail);
	*body = buf_take(&out);
	*ids = list;
	list = NULL;
	*count = n;
	rc = 1;
out:
	if (list) {
		for (size_t i = 0; i < n; i++)
			free(list[i]);
		free(list);
	}
	set_done(&in_batch);
	buf_done(&out);
	return rc;
}

/* ---- MessageBatch ----------------------------------------------------- */

void batch_info_done(struct batch_info *b)
{
	free(b->id);
	free(b->processing_status);
	free(b->created_at);
	free(b->expires_at);
	free(b->ended_at);
	free(b->cancel_initiated_at);
	free(b->archived_at);
	free(b->results_url);
	memset(b, 0, sizeof *b);
}

static char *jstr(const cJSON *o, const char *name)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
	return s ? xstrdup(s) : NULL;
}

static long jlong(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	/* a count from the network: one past long's range is no count */
	return cJSON_IsNumber(v) && v->valuedouble >= -9.0e18 && v->valuedouble <= 9.0e18
		? (long)v->valuedouble : 0;
}

static int info_from_json(struct batch_info *b, const cJSON *j)
{
	memset(b, 0, sizeof *b);
	b->id = jstr(j, "id");
	if (!b->id)
		return -1;
	b->processing_status = jstr(j, "processing_status");
	const cJSON *rc = cJSON_GetObjectItemCaseSensitive(j, "request_counts");
	b->counts.processing = jlong(rc, "processing");
	b->counts.succeeded = jlong(rc, "succeeded");
	b->counts.errored = jlong(rc, "errored");
	b->counts.canceled = jlong(rc, "canceled");
	b->counts.expired = jlong(rc, "expired");
	b->created_at = jstr(j, "created_at");
	b->expires_at = jstr(j, "expires_at");
	b->ended_at = jstr(j, "ended_at");
	b->cancel_initiated_at = jstr(j, "cancel_initiated_at");
	b->archived_at = jstr(j, "archived_at");
	b->results_url = jstr(j, "results_url");
	return 0;
}

int batch_info_parse(struct batch_info *b, const char *json)
{
	cJSON *j = cJSON_Parse(json);
	int r = cJSON_IsObject(j) ? info_from_json(b, j) : (memset(b, 0, sizeof *b), -1);
	if (r)
		batch_info_done(b);
	cJSON_Delete(j);
	return r;
}

int batch_info_ended(const struct batch_info *b)
{
	return b->processing_status && strcmp(b->processing_status, "ended") == 0;
}

long batch_counts_total(const struct batch_counts *c)
{
	return c->processing + c->succeeded + c->errored + c->canceled + c->expired;
}

/* ---- results lines ---------------------------------------------------- */

const char *batch_result_type_name(enum batch_result_type t)
{
	switch (t) {
	case BATCH_SUCCEEDED: return "succeeded";
	case BATCH_ERRORED: return "errored";
	case BATCH_CANCELED: return "canceled";
	case BATCH_EXPIRED: return "expired";
	}
	return "?";
}

struct batch_results {
	struct id_set ids;
	int check_known;
	batch_result_fn fn;
	void *ud;
	struct buf line;
	long lineno, taken;
	char *error;
};

struct batch_results *batch_results_new(const char *const *expected_ids, size_t n,
					batch_result_fn fn, void *ud)
{
	struct batch_results *r = xcalloc(1, sizeof *r);
	for (size_t i = 0; i < n; i++)
		set_add(&r->ids, expected_ids[i]);
	r->check_known = n > 0;
	r->fn = fn;
	r->ud = ud;
	buf_init(&r->line, MAX_RESULT_LINE);
	return r;
}

void batch_results_free(struct batch_results *r)
{
	if (!r)
		return;
	set_done(&r->ids);
	buf_done(&r->line);
	free(r->error);
	free(r);
}

static int results_fail(struct batch_results *r, char *msg)
{
	if (!r->error)
		r->error = msg;
	else
		free(msg);
	return -1;
}

static int take_line(struct batch_results *r, const char *text, size_t len)
{
	r->lineno++;
	size_t i = 0;
	while (i < len && isspace((unsigned char)text[i]))
		i++;
	if (i == len)
		return 0; /* blank lines carry nothing */
	cJSON *j = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return results_fail(r, xasprintf("results line %ld is not a JSON object", r->lineno));
	}
	const char *cid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "custom_id"));
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "result");
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res, "type"));
	char *msg = NULL;
	int rc = -1;
	if (!cid) {
		msg = xasprintf("results line %ld has no custom_id", r->lineno);
		goto out;
	}
	size_t slot = set_find(&r->ids, cid);
	if (r->check_known && slot == SIZE_MAX) {
		msg = xasprintf("results line %ld: unknown custom_id '%.80s'", r->lineno, cid);
		goto out;
	}
	if (slot == SIZE_MAX) {
		set_add(&r->ids, cid);
		slot = set_find(&r->ids, cid);
	}
	if (r->ids.seen[slot]) {
		msg = xasprintf("results line %ld: duplicate custom_id '%.80s'", r->lineno, cid);
		goto out;
	}
	struct batch_result br = { .custom_id = cid, .line = r->lineno };
	char *message = NULL;
	if (type && strcmp(type, "succeeded") == 0) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(res, "message");
		if (!cJSON_IsObject(m)) {
			msg = xasprintf("results line %ld (custom_id '%s'): succeeded without a message",
					r->lineno, cid);
			goto out;
		}
		br.type = BATCH_SUCCEEDED;
		message = cJSON_PrintUnformatted(m);
		br.message_json = message;
	} else if (type && strcmp(type, "errored") == 0) {
		/* A full error body {"type":"error","error":{type,message}}, or
		 * the inner object alone. */
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(res, "error");
		const cJSON *inner = cJSON_GetObjectItemCaseSensitive(e, "error");
		if (cJSON_IsObject(inner))
			e = inner;
		br.type = BATCH_ERRORED;
		br.error_type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "type"));
		br.error_message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"));
		if (!br.error_type)
			br.error_type = "api_error";
		if (!br.error_message)
			br.error_message = "(no message)";
	} else if (type && strcmp(type, "canceled") == 0) {
		br.type = BATCH_CANCELED;
	} else if (type && strcmp(type, "expired") == 0) {
		br.type = BATCH_EXPIRED;
	} else {
		msg = xasprintf("results line %ld (custom_id '%s'): unknown result type '%.40s'",
				r->lineno, cid, type ? type : "(none)");
		goto out;
	}
	r->ids.seen[slot] = 1;
	r->taken++;
	if (r->fn)
		r->fn(r->ud, &br);
	free(message);
	rc = 0;
out:
	cJSON_Delete(j);
	return msg ? results_fail(r, msg) : rc;
}

int batch_results_feed(struct batch_results *r, const char *bytes, size_t n)
{
	if (r->error)
		return -1;
	while (n) {
		const char *nl = memchr(bytes, '\n', n);
		size_t part = nl ? (size_t)(nl - bytes) : n;
		if (buf_append(&r->line, bytes, part) != 0)
			return results_fail(r, xasprintf("results line %ld is longer than %zu bytes",
							 r->lineno + 1, MAX_RESULT_LINE));
		if (!nl)
			break;
		int rc = take_line(r, buf_str(&r->line), r->line.len);
		buf_clear(&r->line);
		if (rc)
			return -1;
		bytes += part + 1;
		n -= part + 1;
	}
	return 0;
}

int batch_results_end(struct batch_results *r)
{
	if (r->error)
		return -1;
	if (r->line.len) {
		int rc = take_line(r, buf_str(&r->line), r->line.len);
		buf_clear(&r->line);
		if (rc)
			return -1;
	}
	if (r->check_known) {
		size_t missing = 0, first = SIZE_MAX;
		for (size_t i = 0; i < r->ids.cap; i++)
			if (r->ids.keys[i] && !r->ids.seen[i]) {
				if (first == SIZE_MAX)
					first = i;
				missing++;
			}
		if (missing)
			return results_fail(r, xasprintf("the results lack %zu custom_id%s (first: '%s')",
							 missing, missing == 1 ? "" : "s",
							 r->ids.keys[first]));
	}
	return 0;
}

const char *batch_results_error(const struct batch_results *r) { return r->error; }
long batch_results_count(const struct batch_results *r) { return r->taken; }

/* ---- one request ------------------------------------------------------ */

enum op_kind { OP_CREATE, OP_GET, OP_CANCEL, OP_LIST, OP_RESULTS, OP_FIND };

struct batch_op {
	struct loop *loop;
	enum op_kind kind;
	struct api_call *call;
	batch_op_done_fn done;
	void *ud;
	int (*on_bytes)(void *ud, const char *bytes, size_t n);
	unsigned refuse_timer;
	enum api_failure failure;
	char *error;
	char *body;
	int has_info;
	struct batch_info info;
	struct batch_info *list;
	size_t list_n;
	int has_more;
	char *last_id;
	/* OP_FIND: what to match, and what the next page needs */
	struct api_config cfg;
	int has_cfg;
	double since;
	long want_count;
	size_t list_alloc;
};

static void config_copy(struct api_config *dst, const struct api_config *src);

/* Batch ids go into a URL: nothing but letters, digits, _ and -. */
static int id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	return n > 0 && n <= 200 &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static void op_finish(struct batch_op *op, enum api_failure f)
{
	op->failure = f;
	if (op->done)
		op->done(op->ud, op);
}

static void op_parse(struct batch_op *op)
{
	cJSON *j = cJSON_Parse(op->body);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		op->error = xstrdup("protocol: the answer is not a JSON object");
		op->failure = API_FAIL_PROTOCOL;
		return;
	}
	if (op->kind == OP_LIST || op->kind == OP_FIND) {
		const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data"), *item;
		if (!cJSON_IsArray(data)) {
			op->error = xstrdup("protocol: the list has no data array");
			op->failure = API_FAIL_PROTOCOL;
		} else {
			op->has_more = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "has_more"));
			free(op->last_id);
			op->last_id = jstr(j, "last_id");
			cJSON_ArrayForEach(item, data) {
				struct batch_info b;
				if (info_from_json(&b, item) != 0) {
					batch_info_done(&b);
					continue;
				}
				if (op->kind == OP_FIND) {
					/* Newest first: one older than since ends the search. */
					double t = batch_time_epoch(b.created_at);
					if (t >= 0 && t < op->since)
						op->has_more = 0;
					if (t < op->since || batch_counts_total(&b.counts) != op->want_count) {
						batch_info_done(&b);
						continue;
					}
				}
				if (op->list_n + 1 >= op->list_alloc) {
					op->list_alloc = op->list_alloc ? 2 * op->list_alloc : 16;
					op->list = xrealloc(op->list, op->list_alloc * sizeof *op->list);
				}
				op->list[op->list_n++] = b;
			}
		}
	} else if (info_from_json(&op->info, j) == 0) {
		op->has_info = 1;
	} else {
		batch_info_done(&op->info);
		op->error = xstrdup("protocol: the answer is not a MessageBatch (no id)");
		op->failure = API_FAIL_PROTOCOL;
	}
	cJSON_Delete(j);
}

static void op_call_done(void *ud, struct api_call *call)
{
	struct batch_op *op = ud;
	enum api_failure f = api_call_failure(call);
	op->failure = f;
	if (f != API_FAIL_NONE) {
		if (f == API_FAIL_CANCELED)
			op->error = xstrdup("canceled");
		else
			op->error = api_error_describe(api_call_error(call));
	} else if (op->kind != OP_RESULTS) {
		free(op->body);
		op->body = xstrdup(api_call_body(call));
		op_parse(op);
		if (op->kind == OP_FIND && op->failure == API_FAIL_NONE && op->has_more &&
		    op->last_id && id_ok(op->last_id)) {
			/* The next page; freeing a call from its own on_done is allowed. */
			char *path = xasprintf("/v1/messages/batches?limit=100&after_id=%s", op->last_id);
			struct api_call_hooks h = { .on_done = op_call_done, .ud = op };
			api_call_free(op->call);
			op->call = api_call_start_path(op->loop, &op->cfg, path, NULL, &h);
			free(path);
			return;
		}
		if (op->kind == OP_FIND)
			op->has_more = 0;
	}
	op_finish(op, op->failure);
}

static int op_bytes(void *ud, const char *bytes, size_t n)
{
	struct batch_op *op = ud;
	return op->on_bytes(op->ud, bytes, n);
}

static void op_refuse_fn(void *ud)
{
	struct batch_op *op = ud;
	op->refuse_timer = 0;
	op_finish(op, API_FAIL_PROTOCOL);
}

/* body, when not NULL, is taken (malloc'd). */
static struct batch_op *op_start(struct loop *loop, const struct api_config *cfg, enum op_kind kind,
				 const char *path, char *body, batch_op_done_fn done, void *ud,
				 int (*on_bytes)(void *, const char *, size_t))
{
	struct batch_op *op = xcalloc(1, sizeof *op);
	op->loop = loop;
	op->kind = kind;
	op->done = done;
	op->ud = ud;
	op->on_bytes = on_bytes;
	if (!path) {
		free(body);
		op->error = xstrdup("protocol: not a valid batch id");
		op->refuse_timer = loop_add_timer(loop, 0, op_refuse_fn, op);
		return op;
	}
	struct api_call_hooks h = { .on_done = op_call_done, .ud = op };
	struct api_config c = *cfg; /* api_call_start_path copies it */
	if (on_bytes) {
		h.on_body = op_bytes;
		/* Results may take longer than any whole-call limit to arrive;
		 * a stall is still caught by the idle timeout. */
		c.timeout_ms = 0;
	}
	op->call = api_call_start_path_take(loop, &c, path, body, &h);
	return op;
}

static char *id_path(const char *id, const char *suffix)
{
	return id_ok(id) ? xasprintf("/v1/messages/batches/%s%s", id, suffix) : NULL;
}

struct batch_op *batch_create(struct loop *loop, const struct api_config *cfg, const char *body,
			      batch_op_done_fn done, void *ud)
{
	return batch_create_take(loop, cfg, xstrdup(body ? body : ""), done, ud);
}

struct batch_op *batch_create_take(struct loop *loop, const struct api_config *cfg, char *body,
				   batch_op_done_fn done, void *ud)
{
	return op_start(loop, cfg, OP_CREATE, "/v1/messages/batches", body ? body : xstrdup(""), done,
			ud, NULL);
}

struct batch_op *batch_get(struct loop *loop, const struct api_config *cfg, const char *id,
			   batch_op_done_fn done, void *ud)
{
	char *path = id_path(id, "");
	struct batch_op *op = op_start(loop, cfg, OP_GET, path, NULL, done, ud, NULL);
	free(path);
	return op;
}

struct batch_op *batch_cancel(struct loop *loop, const struct api_config *cfg, const char *id,
			      batch_op_done_fn done, void *ud)
{
	char *path = id_path(id, "/cancel");
	struct batch_op *op = op_start(loop, cfg, OP_CANCEL, path, xstrdup(""), done, ud, NULL);
	free(path);
	return op;
}

struct batch_op *batch_list(struct loop *loop, const struct api_config *cfg, long limit,
			    const char *after_id, batch_op_done_fn done, void *ud)
{
	struct buf p;
	buf_init(&p, 0);
	buf_puts(&p, "/v1/messages/batches");
	const char *sep = "?";
	if (limit > 0) {
		buf_printf(&p, "%slimit=%ld", sep, limit);
		sep = "&";
	}
	int bad = 0;
	if (after_id) {
		if (id_ok(after_id))
			buf_printf(&p, "%safter_id=%s", sep, after_id);
		else
			bad = 1;
	}
	struct batch_op *op = op_start(loop, cfg, OP_LIST, bad ? NULL : buf_str(&p), NULL, done, ud,
				       NULL);
	buf_done(&p);
	return op;
}

struct batch_op *batch_results_raw(struct loop *loop, const struct api_config *cfg, const char *id,
				   int (*on_bytes)(void *ud, const char *bytes, size_t n),
				   batch_op_done_fn done, void *ud)
{
	char *path = id_path(id, "/results");
	struct batch_op *op = op_start(loop, cfg, OP_RESULTS, path, NULL, done, ud, on_bytes);
	free(path);
	return op;
}

struct batch_op *batch_find_created(struct loop *loop, const struct api_config *cfg,
				    double since_epoch, long request_count, batch_op_done_fn done,
				    void *ud)
{
	struct batch_op *op = xcalloc(1, sizeof *op);
	op->loop = loop;
	op->kind = OP_FIND;
	op->done = done;
	op->ud = ud;
	op->since = since_epoch;
	op->want_count = request_count;
	config_copy(&op->cfg, cfg);
	op->has_cfg = 1;
	struct api_call_hooks h = { .on_done = op_call_done, .ud = op };
	op->call = api_call_start_path(loop, &op->cfg, "/v1/messages/batches?limit=100", NULL, &h);
	return op;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

double batch_time_epoch(const char *t)
{
	if (!t)
		return -1;
	int y, mo, d, h, mi, n = 0;
	double sec;
	if (sscanf(t, "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n < 19)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec < 0 || sec >= 61)
		return -1;
	const char *z = t + n;
	double off = 0;
	if (*z == 'Z' || *z == 'z') {
		z++;
	} else if (*z == '+' || *z == '-') {
		int oh, om, m2 = 0;
		if (sscanf(z + 1, "%2d:%2d%n", &oh, &om, &m2) != 2 || m2 != 5)
			return -1;
		off = (*z == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
		z += 6;
	} else {
		return -1;
	}
	if (*z)
		return -1;
	return (double)days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400.0 + h * 3600.0 +
	       mi * 60.0 + sec - off;
}

void batch_op_cancel(struct batch_op *op)
{
	if (op && op->call)
		api_call_cancel(op->call);
}

void batch_op_free(struct batch_op *op)
{
	if (!op)
		return;
	if (op->refuse_timer)
		loop_cancel_timer(op->loop, op->refuse_timer);
	api_call_free(op->call);
	free(op->error);
	free(op->body);
	batch_info_done(&op->info);
	for (size_t i = 0; i < op->list_n; i++)
		batch_info_done(&op->list[i]);
	free(op->list);
	free(op->last_id);
	if (op->has_cfg)
		api_config_done(&op->cfg);
	free(op);
}

enum api_failure batch_op_failure(const struct batch_op *op) { return op->failure; }
const char *batch_op_error(const struct batch_op *op) { return op->error; }
const char *batch_op_body(const struct batch_op *op) { return op->body ? op->body : ""; }
const struct batch_info *batch_op_info(const struct batch_op *op) { return op->has_info ? &op->info : NULL; }

const struct batch_info *batch_op_list(const struct batch_op *op, size_t *count, int *has_more,
				       const char **last_id)
{
	if (count)
		*count = op->list_n;
	if (has_more)
		*has_more = op->has_more;
	if (last_id)
		*last_id = op->last_id;
	return op->list;
}

/* ---- the driver ------------------------------------------------------- */

struct batch_run {
	struct loop *loop;
	struct api_config cfg; /* deep copy */
	struct batch_run_hooks hooks;
	long poll_ms;
	int max_poll_errors, poll_errors;
	enum batch_phase phase;
	struct batch_op *op;
	unsigned timer;
	struct batch_results *results;
	struct batch_info info;
	enum api_failure failure;
	char *error;
	int in_results;   /* inside on_result: a stop must wait for the call to unwind */
	int stop_pending;
	int done;
};

static void config_copy(struct api_config *dst, const struct api_config *src)
{
	*dst = *src;
	dst->base_url = xstrdup(src->base_url);
	dst->api_key = xstrdup(src->api_key);
	dst->api_version = xstrdup(src->api_version);
	dst->betas = xstrdup(src->betas);
}

static void run_finish(struct batch_run *r, enum api_failure f, const char *why)
{
	if (r->done)
		return;
	r->done = 1;
	r->phase = BATCH_PHASE_DONE;
	r->failure = f;
	if (why && !r->error)
		r->error = xstrdup(why);
	if (r->timer) {
		loop_cancel_timer(r->loop, r->timer);
		r->timer = 0;
	}
	if (r->hooks.on_done)
		r->hooks.on_done(r->hooks.ud, r);
}

static void run_poll(void *ud);
static void run_download(struct batch_run *r);

static void run_set_info(struct batch_run *r, const struct batch_info *b)
{
	batch_info_done(&r->info);
	r->info.id = xstrdup(b->id);
	r->info.processing_status = xstrdup(b->processing_status);
	r->info.counts = b->counts;
	r->info.created_at = xstrdup(b->created_at);
	r->info.expires_at = xstrdup(b->expires_at);
	r->info.ended_at = xstrdup(b->ended_at);
	r->info.cancel_initiated_at = xstrdup(b->cancel_initiated_at);
	r->info.archived_at = xstrdup(b->archived_at);
	r->info.results_url = xstrdup(b->results_url);
}

static void run_next_poll(struct batch_run *r, long ms)
{
	r->phase = BATCH_PHASE_POLLING;
	r->timer = loop_add_timer(r->loop, ms, run_poll, r);
}

static void run_created(void *ud, struct batch_op *op)
{
	struct batch_run *r = ud;
	r->op = NULL;
	enum api_failure f = batch_op_failure(op);
	if (f != API_FAIL_NONE) {
		run_finish(r, f, batch_op_error(op));
		batch_op_free(op);
		return;
	}
	run_set_info(r, batch_op_info(op));
	batch_op_free(op);
	if (r->hooks.on_created)
		r->hooks.on_created(r->hooks.ud, &r->info);
	if (r->done)
		return;
	if (batch_info_ended(&r->info))
		run_download(r);
	else
		run_next_poll(r, r->poll_ms);
}

static int retryable(enum api_failure f)
{
	return f == API_FAIL_HTTP_RETRYABLE || f == API_FAIL_NETWORK || f == API_FAIL_TIMEOUT ||
	       f == API_FAIL_TRUNCATED;
}

static void run_polled(void *ud, struct batch_op *op)
{
	struct batch_run *r = ud;
	r->op = NULL;
	enum api_failure f = batch_op_failure(op);
	if (f != API_FAIL_NONE) {
		if (f == API_FAIL_CANCELED || !retryable(f) || r->poll_errors + 1 >= r->max_poll_errors) {
			run_finish(r, f, batch_op_error(op));
			batch_op_free(op);
			return;
		}
		/* Back off on top of the interval: the core's delay for this
		 * many failures (jittered), doubled per failure, at most 8x. */
		double rnd = (double)rand() / ((double)RAND_MAX + 1.0);
		int n = r->poll_errors++;
		long delay = api_retry_delay_ms(n, NULL, NULL, rnd, (long long)time(NULL));
		long mult = 1L << (n < 3 ? n : 3);
		delay += r->poll_ms * mult;
		if (r->hooks.on_poll_error)
			r->hooks.on_poll_error(r->hooks.ud, batch_op_error(op), delay);
		batch_op_free(op);
		if (!r->done)
			run_next_poll(r, delay);
		return;
	}
	r->poll_errors = 0;
	run_set_info(r, batch_op_info(op));
	batch_op_free(op);
	if (r->hooks.on_status)
		r->hooks.on_status(r->hooks.ud, &r->info);
	if (r->done)
		return;
	if (batch_info_ended(&r->info))
		run_download(r);
	else
		run_next_poll(r, r->poll_ms);
}

static void run_poll(void *ud)
{
	struct batch_run *r = ud;
	r->timer = 0;
	r->op = batch_get(r->loop, &r->cfg, r->info.id, run_polled, r);
}

static int run_bytes(void *ud, const char *bytes, size_t n)
{
	struct batch_run *r = ud;
	r->in_results = 1;
	int rc = batch_results_feed(r->results, bytes, n);
	r->in_results = 0;
	return rc || r->stop_pending;
}

static void run_downloaded(void *ud, struct batch_op *op)
{
	struct batch_run *r = ud;
	r->op = NULL;
	enum api_failure f = batch_op_failure(op);
	const char *rerr = batch_results_error(r->results);
	if (r->stop_pending) {
		run_finish(r, API_FAIL_CANCELED, "stopped (the batch goes on at the API)");
	} else if (f == API_FAIL_PROTOCOL && rerr) {
		run_finish(r, f, rerr);
	} else if (f != API_FAIL_NONE) {
		run_finish(r, f, batch_op_error(op));
	} else if (batch_results_end(r->results) != 0) {
		run_finish(r, API_FAIL_PROTOCOL, batch_results_error(r->results));
	} else {
		run_finish(r, API_FAIL_NONE, NULL);
	}
	batch_op_free(op);
}

static void run_download(struct batch_run *r)
{
	r->phase = BATCH_PHASE_DOWNLOADING;
	/* results_url is used only on the configured API's own origin: the
	 * key never goes to another host. The documented path otherwise. */
	const char *path = NULL;
	const char *url = r->info.results_url, *base = r->cfg.base_url;
	size_t bl = base ? strlen(base) : 0;
	while (bl && base[bl - 1] == '/')
		bl--;
	if (url && bl && strncmp(url, base, bl) == 0 && url[bl] == '/' &&
	    strncmp(url + bl, "/v1/messages/batches/", 21) == 0 && !strpbrk(url + bl, " \r\n"))
		path = url + bl;
	if (path) {
		r->op = op_start(r->loop, &r->cfg, OP_RESULTS, path, NULL, run_downloaded, r, run_bytes);
	} else {
		r->op = batch_results_raw(r->loop, &r->cfg, r->info.id, run_bytes, run_downloaded, r);
	}
}

/* No result reaches the caller after it asked to stop. */
static void run_result(void *ud, const struct batch_result *res)
{
	struct batch_run *r = ud;
	if (!r->stop_pending && r->hooks.on_result)
		r->hooks.on_result(r->hooks.ud, res);
}

static struct batch_run *run_new(struct loop *loop, const struct api_config *cfg,
				 const struct batch_run_options *opts,
				 const struct batch_run_hooks *hooks)
{
	struct batch_run *r = xcalloc(1, sizeof *r);
	r->loop = loop;
	config_copy(&r->cfg, cfg);
	if (hooks)
		r->hooks = *hooks;
	r->poll_ms = opts && opts->poll_ms > 0 ? opts->poll_ms : 30000;
	r->max_poll_errors = opts && opts->max_poll_errors > 0 ? opts->max_poll_errors : 10;
	r->results = batch_results_new(opts ? opts->custom_ids : NULL, opts ? opts->n_custom_ids : 0,
				       run_result, r);
	return r;
}

struct batch_run *batch_run_create(struct loop *loop, const struct api_config *cfg,
				   const char *body, const struct batch_run_options *opts,
				   const struct batch_run_hooks *hooks)
{
	struct batch_run *r = run_new(loop, cfg, opts, hooks);
	r->phase = BATCH_PHASE_CREATING;
	r->op = batch_create(loop, &r->cfg, body, run_created, r);
	return r;
}

struct batch_run *batch_run_create_take(struct loop *loop, const struct api_config *cfg, char *body,
					const struct batch_run_options *opts,
					const struct batch_run_hooks *hooks)
{
	struct batch_run *r = run_new(loop, cfg, opts, hooks);
	r->phase = BATCH_PHASE_CREATING;
	r->op = batch_create_take(loop, &r->cfg, body, run_created, r);
	return r;
}

struct batch_run *batch_run_resume(struct loop *loop, const struct api_config *cfg,
				   const char *batch_id, const struct batch_run_options *opts,
				   const struct batch_run_hooks *hooks)
{
	struct batch_run *r = run_new(loop, cfg, opts, hooks);
	r->info.id = xstrdup(batch_id ? batch_id : "");
	run_next_poll(r, 0);
	return r;
}

void batch_run_stop(struct batch_run *r)
{
	if (!r || r->done)
		return;
	if (r->in_results) { /* from on_result, inside curl's write callback */
		r->stop_pending = 1;
		return;
	}
	struct batch_op *op = r->op;
	r->op = NULL;
	batch_op_free(op); /* frees without its done callback */
	run_finish(r, API_FAIL_CANCELED, "stopped (the batch goes on at the API)");
}

void batch_run_free(struct batch_run *r)
{
	if (!r)
		return;
	r->hooks.on_done = NULL;
	batch_run_stop(r);
	batch_op_free(r->op);
	if (r->timer)
		loop_cancel_timer(r->loop, r->timer);
	batch_results_free(r->results);
	batch_info_done(&r->info);
	api_config_done(&r->cfg);
	free(r->error);
	free(r);
}

enum batch_phase batch_run_phase(const struct batch_run *r) { return r->phase; }
enum api_failure batch_run_failure(const struct batch_run *r) { return r->failure; }
const char *batch_run_error(const struct batch_run *r) { return r->error; }
const struct batch_info *batch_run_info(const struct batch_run *r) { return &r->info; }
