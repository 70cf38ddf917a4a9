/* Replay and record: regenerate answers through core/api.h, compare them
 * with the recorded ones (canonical JSON for tool inputs), diff the text. */
#include "core/replay.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/loop.h"
#include "core/preset.h"
#include "core/request.h"
#include "core/session.h"
#include "core/stream.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- canonical JSON and the comparable form of an answer ---- */

static int cmp_keys(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string, y->string);
}

/* Sort object keys recursively so equal values print equally. */
static void canonicalize(cJSON *j)
{
	if (!j)
		return;
	cJSON *c;
	cJSON_ArrayForEach(c, j)
		canonicalize(c);
	if (!cJSON_IsObject(j))
		return;
	int n = cJSON_GetArraySize(j);
	if (n < 2)
		return;
	cJSON **v = xmalloc((size_t)n * sizeof *v);
	int i = 0;
	cJSON_ArrayForEach(c, j)
		v[i++] = c;
	qsort(v, (size_t)n, sizeof *v, cmp_keys);
	for (i = 0; i < n; i++) {
		v[i]->prev = i ? v[i - 1] : v[n - 1];
		v[i]->next = i + 1 < n ? v[i + 1] : NULL;
	}
	j->child = v[0];
	free(v);
}

static char *print_json(const cJSON *j)
{
	char *p = cJSON_PrintUnformatted(j);
	char *out = xstrdup(p ? p : "null");
	cJSON_free(p);
	return out;
}

static char *canonical(const cJSON *j)
{
	cJSON *d = cJSON_Duplicate(j, 1);
	canonicalize(d);
	char *out = print_json(d);
	cJSON_Delete(d);
	return out;
}

struct answer {
	struct buf text;  /* text blocks joined */
	struct buf tools; /* "name\x1f{input}\x1e" per tool_use */
	struct buf shown; /* replay_text */
};

static void answer_init(struct answer *a, const char *blocks_json)
{
	buf_init(&a->text, 0);
	buf_init(&a->tools, 0);
	buf_init(&a->shown, 0);
	cJSON *arr = blocks_json ? cJSON_Parse(blocks_json) : NULL;
	cJSON *b;
	cJSON_ArrayForEach(b, arr) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(b, "type");
		if (!cJSON_IsString(type))
			continue;
		if (!strcmp(type->valuestring, "text")) {
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "text");
			if (cJSON_IsString(t)) {
				buf_puts(&a->text, t->valuestring);
				buf_puts(&a->shown, t->valuestring);
			}
		} else if (!strcmp(type->valuestring, "tool_use")) {
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(b, "name");
			const cJSON *input = cJSON_GetObjectItemCaseSensitive(b, "input");
			const char *nm = cJSON_IsString(name) ? name->valuestring : "";
			char *in = input ? canonical(input) : xstrdup("null");
			buf_printf(&a->tools, "%s\x1f%s\x1e", nm, in);
			if (a->shown.len && a->shown.data[a->shown.len - 1] != '\n')
				buf_puts(&a->shown, "\n");
			buf_printf(&a->shown, "[tool_use %s %s]\n", nm, in);
			free(in);
		}
	}
	cJSON_Delete(arr);
}

static void answer_done(struct answer *a)
{
	buf_done(&a->text);
	buf_done(&a->tools);
	buf_done(&a->shown);
}

int replay_same(const char *recorded, const char *fresh)
{
	struct answer a, b;
	answer_init(&a, recorded);
	answer_init(&b, fresh);
	int same = !strcmp(buf_str(&a.text), buf_str(&b.text)) &&
		   !strcmp(buf_str(&a.tools), buf_str(&b.tools));
	answer_done(&a);
	answer_done(&b);
	return same;
}

char *replay_text(const char *blocks_json)
{
	struct answer a;
	answer_init(&a, blocks_json);
	char *out = buf_take(&a.shown);
	answer_done(&a);
	return out;
}

/* ---- line diff (LCS; very long inputs fall back to replace-all) ---- */

struct lines {
	const char **p;
	size_t *len;
	size_t n;
};

static void split_lines(const char *s, struct lines *l)
{
	l->n = 0;
	size_t cap = 16;
	l->p = xmalloc(cap * sizeof *l->p);
	l->len = xmalloc(cap * sizeof *l->len);
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (l->n == cap) {
			cap *= 2;
			l->p = xrealloc(l->p, cap * sizeof *l->p);
			l->len = xrealloc(l->len, cap * sizeof *l->len);
		}
		l->p[l->n] = s;
		l->len[l->n++] = n;
		s += n + (e ? 1 : 0);
	}
}

static int line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->p[i], b->p[j], a->len[i]);
}

#define DIFF_MAX_CELLS 4000000u
#define DIFF_CONTEXT 3

char *replay_diff(const char *sa, const char *sb)
{
	if (!strcmp(sa, sb))
		return xstrdup("");
	struct lines a, b;
	split_lines(sa, &a);
	split_lines(sb, &b);
	/* ops: ' ' keep, '-' from a, '+' from b; with the line index */
	size_t nops = 0, cap = a.n + b.n + 1;
	char *op = xmalloc(cap);
	size_t *ia = xmalloc(cap * sizeof *ia), *ib = xmalloc(cap * sizeof *ib);
	if (a.n && b.n && (a.n + 1) * (b.n + 1) <= DIFF_MAX_CELLS) {
		size_t w = b.n + 1;
		unsigned *L = xcalloc((a.n + 1) * w, sizeof *L);
		for (size_t i = a.n; i-- > 0;)
			for (size_t j = b.n; j-- > 0;)
				L[i * w + j] = line_eq(&a, i, &b, j) ? L[(i + 1) * w + j + 1] + 1 :
					L[(i + 1) * w + j] >= L[i * w + j + 1] ? L[(i + 1) * w + j] :
					L[i * w + j + 1];
		size_t i = 0, j = 0;
		while (i < a.n || j < b.n) {
			if (i < a.n && j < b.n && line_eq(&a, i, &b, j)) {
				op[nops] = ' '; ia[nops] = i++; ib[nops++] = j++;
			} else if (i < a.n && (j == b.n || L[(i + 1) * w + j] >= L[i * w + j + 1])) {
				op[nops] = '-'; ia[nops] = i++; ib[nops++] = j;
			} else {
				op[nops] = '+'; ia[nops] = i; ib[nops++] = j++;
			}
		}
		free(L);
	} else {
		for (size_t i = 0; i < a.n; i++) {
			op[nops] = '-'; ia[nops] = i; ib[nops++] = 0;
		}
		for (size_t j = 0; j < b.n; j++) {
			op[nops] = '+'; ia[nops] = a.n; ib[nops++] = j;
		}
	}
	struct buf out;
	buf_init(&out, 0);
	size_t k = 0;
	while (k < nops) {
		if (op[k] == ' ') {
			k++;
			continue;
		}
		/* a hunk: from DIFF_CONTEXT before k to DIFF_CONTEXT after the
		 * last change that is within 2*DIFF_CONTEXT of the next one */
		size_t start = k > DIFF_CONTEXT ? k - DIFF_CONTEXT : 0;
		size_t end = k, last = k;
		while (end < nops) {
			if (op[end] != ' ')
				last = end;
			else if (end - last > 2 * DIFF_CONTEXT)
				break;
			end++;
		}
		end = last + 1 + DIFF_CONTEXT < nops ? last + 1 + DIFF_CONTEXT : nops;
		size_t a0 = 0, an = 0, b0 = 0, bn = 0;
		int afirst = 1, bfirst = 1;
		for (size_t x = start; x < end; x++) {
			if (op[x] != '+') {
				if (afirst) { a0 = ia[x]; afirst = 0; }
				an++;
			}
			if (op[x] != '-') {
				if (bfirst) { b0 = ib[x]; bfirst = 0; }
				bn++;
			}
		}
		if (afirst)
			a0 = ia[start]; /* pure insertion: the line it comes after */
		if (bfirst)
			b0 = ib[start];
		buf_printf(&out, "@@ -%zu,%zu +%zu,%zu @@\n", an ? a0 + 1 : a0, an, bn ? b0 + 1 : b0, bn);
		for (size_t x = start; x < end; x++) {
			const char *p = op[x] == '+' ? b.p[ib[x]] : a.p[ia[x]];
			size_t n = op[x] == '+' ? b.len[ib[x]] : a.len[ia[x]];
			buf_printf(&out, "%c%.*s\n", op[x], (int)n, p);
		}
		k = end;
	}
	free(op);
	free(ia);
	free(ib);
	free(a.p);
	free(a.len);
	free(b.p);
	free(b.len);
	if (!out.len) /* only a difference in a final newline */
		buf_puts(&out, "(the texts differ only in line endings or a final newline)\n");
	return buf_take(&out);
}

/* ---- the response object ---- */

static void now_utc(char *out, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *replay_response_from_message(const char *message_json, const char *at)
{
	cJSON *m = message_json ? cJSON_Parse(message_json) : NULL;
	cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
	if (!cJSON_IsObject(m) || !cJSON_IsArray(content)) {
		cJSON_Delete(m);
		return NULL;
	}
	cJSON *r = cJSON_CreateObject();
	cJSON_AddItemToObject(r, "content", cJSON_Duplicate(content, 1));
	static const char *const keep[] = { "stop_reason", "stop_sequence", "usage", "model", NULL };
	for (const char *const *k = keep; *k; k++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(m, *k);
		if (v && !cJSON_IsNull(v))
			cJSON_AddItemToObject(r, *k, cJSON_Duplicate(v, 1));
	}
	char now[32];
	if (!at) {
		now_utc(now, sizeof now);
		at = now;
	}
	cJSON_AddStringToObject(r, "at", at);
	char *out = print_json(r);
	cJSON_Delete(r);
	cJSON_Delete(m);
	return out;
}

static char *message_content(const char *message_json)
{
	cJSON *m = message_json ? cJSON_Parse(message_json) : NULL;
	cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");
	char *out = cJSON_IsArray(c) ? print_json(c) : NULL;
	cJSON_Delete(m);
	return out;
}

/* The recorded content of turn index (-1: the response) as a block array. */
static char *recorded_blocks(const struct session *s, long index)
{
	if (index < 0)
		return message_content(s->response_json);
	const struct session_message *m = &s->messages[index];
	if (m->blocks_json)
		return xstrdup(m->blocks_json);
	cJSON *arr = cJSON_CreateArray();
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "type", "text");
	cJSON_AddStringToObject(b, "text", m->text ? m->text : "");
	cJSON_AddItemToArray(arr, b);
	char *out = print_json(arr);
	cJSON_Delete(arr);
	return out;
}

/* ---- running ---- */

static size_t plan(const struct session *s, int all_turns, long *idx)
{
	size_t n = 0;
	if (all_turns)
		for (size_t i = 1; i < s->nmessages; i++)
			if (s->messages[i].role && !strcmp(s->messages[i].role, "assistant"))
				idx[n++] = (long)i;
	if (s->response_json)
		idx[n++] = -1;
	return n;
}

int replay_check_plan(const struct session *s, int all_turns, struct diag_list *diags)
{
	long *idx = xmalloc((s->nmessages + 1) * sizeof *idx);
	size_t n = plan(s, all_turns, idx);
	free(idx);
	if (n)
		return 0;
	if (diags)
		diag_add(diags, DIAG_ERROR, "response",
			 all_turns ? "nothing to replay: no recorded response and no assistant turn; "
				     "record one with: pwb run FILE --record"
				   : "no recorded response to replay; record one with: pwb run FILE "
				     "--record (or use --all-turns to replay the assistant turns)");
	return -1;
}

/* One replay in flight: the plan, the turn whose call runs, and a copy of
 * the session (the caller may change or free its own meanwhile). */
struct replay {
	struct loop *loop;
	const struct api_config *cfg;
	struct session *sess;
	struct replay_hooks hooks;
	long *idx;            /* the plan: message indexes, -1 for the response */
	size_t nplan;
	size_t next;          /* index into idx of the next turn to start */
	struct api_call *call;
	unsigned step_timer;  /* the next turn starts from the loop, never nested */
	int finished;
	struct replay_result res;
};

static void replay_step(void *ud);

static void set_current(struct replay *r, struct api_call *c)
{
	r->call = c;
	if (r->hooks.current)
		*r->hooks.current = c;
}

/* Fill t from the finished call. */
static void turn_from_call(struct replay_turn *t, struct api_call *call)
{
	t->failure = api_call_failure(call);
	const struct stream *st = api_call_stream(call);
	if (t->failure == API_FAIL_NONE && (!st || stream_outcome(st) != STREAM_COMPLETE))
		t->failure = API_FAIL_TRUNCATED;
	if (t->failure != API_FAIL_NONE) {
		t->status = REPLAY_ERROR;
		const struct api_error *e = api_call_error(call);
		t->error = e ? api_error_describe(e)
			     : xstrdup(t->failure == API_FAIL_CANCELED ? "canceled" : "the answer is incomplete");
		return;
	}
	t->new_message_json = stream_message_json(st);
	t->new_json = message_content(t->new_message_json);
	if (!t->new_json) {
		t->status = REPLAY_ERROR;
		t->failure = API_FAIL_PROTOCOL;
		t->error = xstrdup("the answer has no content");
		return;
	}
	char *ra = replay_text(t->recorded_json), *rb = replay_text(t->new_json);
	t->status = replay_same(t->recorded_json, t->new_json) ? REPLAY_SAME : REPLAY_CHANGED;
	t->diff = t->status == REPLAY_SAME ? xstrdup("") : replay_diff(ra, rb);
	if (t->status == REPLAY_CHANGED && !*t->diff) {
		free(t->diff);
		t->diff = xstrdup("(same text; the tool calls differ)\n");
	}
	free(ra);
	free(rb);
}

/* The current turn is complete: count it, tell the caller, go on or stop. */
static void turn_finished(struct replay *r, struct replay_turn *t)
{
	if (t->status == REPLAY_SAME)
		r->res.same++;
	else if (t->status == REPLAY_CHANGED)
		r->res.changed++;
	else
		r->res.errors++;
	if (t->failure == API_FAIL_CANCELED)
		r->res.canceled = 1;
	if (r->hooks.on_turn)
		r->hooks.on_turn(r->hooks.ud, t);
	if (r->res.canceled || r->next >= r->nplan) {
		r->finished = 1;
		if (r->hooks.on_done)
			r->hooks.on_done(r->hooks.ud, r);
		return;
	}
	r->step_timer = loop_add_timer(r->loop, 0, replay_step, r);
}

static void on_call_done(void *ud, struct api_call *call)
{
	struct replay *r = ud;
	struct replay_turn *t = &r->res.turns[r->res.n - 1];
	turn_from_call(t, call);
	set_current(r, NULL);
	api_call_free(call); /* on_done may free the call (core/api.h) */
	turn_finished(r, t);
}

/* Start the next turn's call (from a timer, so from the loop). */
static void replay_step(void *ud)
{
	struct replay *r = ud;
	r->step_timer = 0;
	struct replay_turn *t = &r->res.turns[r->res.n++];
	t->index = r->idx[r->next++];
	t->recorded_json = recorded_blocks(r->sess, t->index);
	struct session *c = session_clone(r->sess);
	if (t->index >= 0)
		while (c->nmessages > (size_t)t->index)
			session_remove_message(c, c->nmessages - 1);
	struct diag_list d;
	diag_list_init(&d);
	char *body = request_build(c, REQUEST_MESSAGES, 1, &d);
	session_free(c);
	if (!body) {
		const char *why = "the request could not be built";
		for (size_t i = 0; i < d.n; i++)
			if (d.v[i].level == DIAG_ERROR) {
				why = d.v[i].message;
				break;
			}
		t->status = REPLAY_ERROR;
		t->error = xstrdup(why);
		diag_list_done(&d);
		turn_finished(r, t);
		return;
	}
	diag_list_done(&d);
	struct api_call_hooks ah = { .on_done = on_call_done, .ud = r };
	set_current(r, api_call_start(r->loop, r->cfg, API_MESSAGES, body, 1, &ah));
	free(body);
}

struct replay *replay_start(struct loop *loop, const struct api_config *cfg,
			    const struct session *s, int all_turns,
			    const struct replay_hooks *hooks, struct diag_list *diags)
{
	if (replay_check_plan(s, all_turns, diags) < 0)
		return NULL;
	struct replay *r = xcalloc(1, sizeof *r);
	r->loop = loop;
	r->cfg = cfg;
	r->sess = session_clone(s);
	if (hooks)
		r->hooks = *hooks;
	r->idx = xmalloc((s->nmessages + 1) * sizeof *r->idx);
	r->nplan = plan(s, all_turns, r->idx);
	r->res.turns = xcalloc(r->nplan, sizeof *r->res.turns);
	r->step_timer = loop_add_timer(loop, 0, replay_step, r);
	return r;
}

void replay_cancel(struct replay *r)
{
	if (!r || r->finished)
		return;
	if (r->call) {
		api_call_cancel(r->call); /* on_call_done records the canceled turn */
		return;
	}
	/* between turns: the next one never starts */
	loop_cancel_timer(r->loop, r->step_timer);
	r->step_timer = 0;
	r->res.canceled = 1;
	r->finished = 1;
	if (r->hooks.on_done)
		r->hooks.on_done(r->hooks.ud, r);
}

int replay_finished(const struct replay *r)
{
	return r->finished;
}

const struct replay_result *replay_result_of(const struct replay *r)
{
	return &r->res;
}

void replay_free(struct replay *r)
{
	if (!r)
		return;
	if (r->step_timer)
		loop_cancel_timer(r->loop, r->step_timer);
	if (r->call) {
		struct api_call *c = r->call;
		set_current(r, NULL);
		api_call_free(c); /* cancels without on_done */
	}
	replay_result_done(&r->res);
	session_free(r->sess);
	free(r->idx);
	free(r);
}

int replay_run(struct loop *loop, const struct api_config *cfg, const struct session *s,
	       int all_turns, const struct replay_hooks *hooks, struct replay_result *out,
	       struct diag_list *diags)
{
	memset(out, 0, sizeof *out);
	struct replay_hooks h = { 0 };
	if (hooks) {
		h = *hooks;
		h.on_done = NULL; /* we wait here instead */
	}
	struct replay *r = replay_start(loop, cfg, s, all_turns, &h, diags);
	if (!r)
		return -1;
	while (!replay_finished(r))
		loop_once(loop, 1000);
	*out = r->res; /* the result moves to the caller */
	memset(&r->res, 0, sizeof r->res);
	replay_free(r);
	return 0;
}

void replay_result_done(struct replay_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct replay_turn *t = &r->turns[i];
		free(t->recorded_json);
		free(t->new_json);
		free(t->new_message_json);
		free(t->diff);
		free(t->error);
	}
	free(r->turns);
	memset(r, 0, sizeof *r);
}

/* The text of a block array when it holds only text blocks, else NULL. */
static char *text_only(const char *blocks_json)
{
	cJSON *arr = cJSON_Parse(blocks_json);
	struct buf b;
	buf_init(&b, 0);
	int ok = cJSON_IsArray(arr);
	cJSON *x;
	cJSON_ArrayForEach(x, arr) {
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(x, "type");
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(x, "text");
		if (!cJSON_IsString(type) || strcmp(type->valuestring, "text") || !cJSON_IsString(text) ||
		    cJSON_GetArraySize(x) != 2) {
			ok = 0;
			break;
		}
		buf_puts(&b, text->valuestring);
	}
	cJSON_Delete(arr);
	if (!ok) {
		buf_done(&b);
		return NULL;
	}
	return buf_take(&b);
}

size_t replay_apply(struct session *s, const struct replay_result *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct replay_turn *t = &r->turns[i];
		if (t->status != REPLAY_CHANGED)
			continue;
		if (t->index < 0) {
			char *resp = replay_response_from_message(t->new_message_json, NULL);
			if (!resp)
				continue;
			free(s->response_json);
			s->response_json = resp;
			n++;
			continue;
		}
		if ((size_t)t->index >= s->nmessages)
			continue;
		struct session_message *m = &s->messages[t->index];
		char *text = m->text ? text_only(t->new_json) : NULL;
		if (text) {
			free(m->text);
			m->text = text;
			free(m->blocks_json);
			m->blocks_json = NULL;
		} else {
			free(m->text);
			m->text = NULL;
			str_set(&m->blocks_json, t->new_json);
		}
		n++;
	}
	return n;
}

static const char *status_name(enum replay_status s)
{
	return s == REPLAY_SAME ? "same" : s == REPLAY_CHANGED ? "changed" : "error";
}

static cJSON *raw_or_null(const char *json)
{
	cJSON *probe = json ? cJSON_Parse(json) : NULL;
	if (!probe)
		return cJSON_CreateNull();
	return probe;
}

char *replay_result_json(const struct replay_result *r)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *turns = cJSON_AddArrayToObject(root, "turns");
	for (size_t i = 0; i < r->n; i++) {
		const struct replay_turn *t = &r->turns[i];
		cJSON *o = cJSON_CreateObject();
		if (t->index < 0)
			cJSON_AddStringToObject(o, "turn", "response");
		else
			cJSON_AddNumberToObject(o, "turn", (double)t->index);
		cJSON_AddStringToObject(o, "status", status_name(t->status));
		cJSON_AddItemToObject(o, "recorded", raw_or_null(t->recorded_json));
		cJSON_AddItemToObject(o, "new", raw_or_null(t->new_json));
		if (t->diff)
			cJSON_AddStringToObject(o, "diff", t->diff);
		else
			cJSON_AddNullToObject(o, "diff");
		if (t->error)
			cJSON_AddStringToObject(o, "error", t->error);
		else
			cJSON_AddNullToObject(o, "error");
		cJSON_AddItemToArray(turns, o);
	}
	cJSON *sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "same", (double)r->same);
	cJSON_AddNumberToObject(sum, "changed", (double)r->changed);
	cJSON_AddNumberToObject(sum, "errors", (double)r->errors);
	char *out = print_json(root);
	cJSON_Delete(root);
	return out;
}

/* ---- record ---- */

int replay_record(struct preset *p, const struct stream *s, int force, const char *secret,
		  struct diag_list *diags)
{
	if (!s || stream_outcome(s) != STREAM_COMPLETE) {
		if (diags)
			diag_add(diags, DIAG_ERROR, "response", "the answer is not complete (%s); the "
				 "file is left untouched",
				 !s ? "no answer" : stream_outcome(s) == STREAM_CANCELED ? "canceled" :
				 stream_outcome(s) == STREAM_TRUNCATED ? "truncated" : "an error");
		return PRESET_SAVE_FAILED;
	}
	char *msg = stream_message_json(s);
	char *resp = replay_response_from_message(msg, NULL);
	free(msg);
	if (!resp) {
		if (diags)
			diag_add(diags, DIAG_ERROR, "response", "the answer has no content; the file is "
				 "left untouched");
		return PRESET_SAVE_FAILED;
	}
	struct session *ss = preset_session(p);
	/* -s overrides are for this run: the file keeps its own variables */
	struct session *vars = session_new();
	for (size_t i = 0; i < ss->nvars; i++)
		session_set_var(vars, ss->vars[i].name, ss->vars[i].value);
	preset_restore_file_vars(p);
	char *old = ss->response_json;
	ss->response_json = resp;
	enum preset_save_result r = preset_save(p, NULL, force ? PRESET_SAVE_FORCE : 0, secret, diags);
	if (r != PRESET_SAVED) {
		ss->response_json = old;
		free(resp);
	} else {
		free(old);
	}
	while (ss->nvars)
		session_remove_var(ss, ss->vars[ss->nvars - 1].name);
	for (size_t i = 0; i < vars->nvars; i++)
		session_set_var(ss, vars->vars[i].name, vars->vars[i].value);
	session_free(vars);
	return (int)r;
}
