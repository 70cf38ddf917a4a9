#include "tui/run.h"
#include "core/buf.h"
#include "core/utf8.h"
#include "tui/app.h"
#include "tui/display.h"
#include "tui/editor.h"
#include "tui/keymap.h"
#include "core/keys.h"
#include "core/logcall.h"
#include "core/loop.h"
#include "core/replay.h"
#include "core/request.h"
#include "core/session.h"
#include "core/util.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

static struct answer *answer_new(void)
{
	struct answer *ans = xcalloc(1, sizeof *ans);
	ans->view = textbuf_new();
	ans->view->readonly = 1;
	ans->follow = 1;
	ans->cur_index = -1;
	usage_init(&ans->usage);
	redact_stream_init(&ans->rs, NULL);
	return ans;
}

/* Write out what the redacting stream still holds (the end of a block). */
static void redact_flush(struct answer *ans)
{
	struct buf out;
	buf_init(&out, 0);
	redact_stream_finish(&ans->rs, &out);
	if (out.len)
		textbuf_append(ans->view, out.data, out.len, ans->rs_attr);
	buf_done(&out);
}

void answer_free(struct answer *ans)
{
	if (!ans)
		return;
	textbuf_free(ans->view);
	redact_stream_done(&ans->rs);
	free(ans->message_json);
	free(ans->model);
	free(ans->stop_reason);
	free(ans->error);
	free(ans->retry_why);
	free(ans->body);
	free(ans->meta);
	free(ans->prefill);
	free(ans);
}

static void answer_push(struct app *a, struct answer *ans)
{
	/* a failed run is shown until the next one, never kept as an answer */
	if (a->nanswers && a->answers[a->nanswers - 1]->error) {
		answer_free(a->answers[--a->nanswers]);
	}
	a->answers = xrealloc(a->answers, (a->nanswers + 1) * sizeof *a->answers);
	a->answers[a->nanswers++] = ans;
	a->shown = a->nanswers - 1;
}

static void line(struct answer *ans, int attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void line(struct answer *ans, int attr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	if (m) {
		textbuf_append_line(ans->view, m, strlen(m), attr);
		free(m);
	}
}

static void append_pretty_json(struct answer *ans, const char *json)
{
	cJSON *j = json ? cJSON_Parse(json) : NULL;
	char *p = j ? cJSON_Print(j) : NULL;
	const char *t = p ? p : (json ? json : "");
	if (ans->view->lines[ans->view->nlines - 1].len)
		textbuf_append_line(ans->view, "", 0, 0);
	/* whole lines at a time: appending byte by byte would be quadratic */
	struct buf b;
	buf_init(&b, 0);
	int bol = 1;
	for (const char *s = t; *s; s++) {
		if (*s == '\t')
			buf_puts(&b, bol ? "  " : " ");
		else
			buf_append(&b, s, 1);
		bol = *s == '\n' || (bol && *s == '\t');
	}
	textbuf_append(ans->view, buf_str(&b), b.len, 0);
	buf_done(&b);
	if (p)
		cJSON_free(p);
	cJSON_Delete(j);
}

/* Which prompt and parameters produced an answer, in one line: "prompt
 * 1a2b3c4d, claude-sonnet-4-5, max_tokens 256, temperature 0.3". version
 * may be "" (no log). malloc'd. */
static char *answer_meta(const char *version, const char *body)
{
	struct buf b;
	buf_init(&b, 0);
	if (version && *version)
		buf_printf(&b, "prompt %s", version);
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	cJSON *model = cJSON_GetObjectItemCaseSensitive(j, "model");
	cJSON *mt = cJSON_GetObjectItemCaseSensitive(j, "max_tokens");
	cJSON *temp = cJSON_GetObjectItemCaseSensitive(j, "temperature");
	if (cJSON_IsString(model))
		buf_printf(&b, "%s%s", b.len ? ", " : "", model->valuestring);
	if (cJSON_IsNumber(mt))
		buf_printf(&b, "%smax_tokens %.0f", b.len ? ", " : "", mt->valuedouble);
	if (cJSON_IsNumber(temp))
		buf_printf(&b, "%stemperature %g", b.len ? ", " : "", temp->valuedouble);
	cJSON_Delete(j);
	return buf_take(&b);
}

/* The prefill a body sends: the text of its last message when that is an
 * assistant turn (a string, or its last text block). malloc'd or NULL. */
static char *body_prefill(const char *body)
{
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	cJSON *msgs = cJSON_GetObjectItemCaseSensitive(j, "messages");
	cJSON *last = cJSON_IsArray(msgs) ? cJSON_GetArrayItem(msgs, cJSON_GetArraySize(msgs) - 1) : NULL;
	cJSON *role = cJSON_GetObjectItemCaseSensitive(last, "role");
	cJSON *content = cJSON_GetObjectItemCaseSensitive(last, "content");
	const char *text = NULL;
	if (cJSON_IsString(role) && strcmp(role->valuestring, "assistant") == 0) {
		if (cJSON_IsString(content)) {
			text = content->valuestring;
		} else {
			cJSON *b;
			cJSON_ArrayForEach(b, content)
			{
				cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "text");
				if (cJSON_IsString(t))
					text = t->valuestring;
			}
		}
	}
	char *out = text && *text ? xstrdup(text) : NULL;
	cJSON_Delete(j);
	return out;
}

/* The lines an answer opens with: which prompt and parameters, and the
 * prefill it continues (its end quoted, where the model took over). */
static void header_lines(struct answer *ans)
{
	if (ans->meta)
		line(ans, LA_META, "%s", ans->meta);
	if (ans->prefill) {
		size_t n = strlen(ans->prefill);
		const char *tail = ans->prefill;
		/* the end is what marks the seam: at most 40 bytes of it, whole characters */
		if (n > 40) {
			tail = ans->prefill + n - 40;
			while ((*tail & 0xc0) == 0x80)
				tail++;
		}
		struct buf q;
		buf_init(&q, 0);
		for (const char *c = tail; *c; c++)
			if (*c == '\n')
				buf_puts(&q, "\\n");
			else
				buf_append(&q, c, 1);
		line(ans, LA_META, "prefill (yours, %zu bytes) ends \"%s%s\"; the model's text follows it",
		     n, tail != ans->prefill ? "..." : "", buf_str(&q));
		buf_done(&q);
	}
}

/* The answer starts after retries: the attempts' lines give way to one
 * line saying how many and why (a fresh view: lines only ever append). */
static void fold_retries(struct answer *ans)
{
	if (!ans->retries || ans->retries_folded)
		return;
	ans->retries_folded = 1;
	textbuf_free(ans->view);
	ans->view = textbuf_new();
	ans->view->readonly = 1;
	header_lines(ans);
	line(ans, LA_META, "after %d %s (%s)", ans->retries, ans->retries == 1 ? "retry" : "retries",
	     ans->retry_why ? ans->retry_why : "?");
}

/* A new block starts: a separating header for thinking and tool_use. */
static void block_start(struct answer *ans, const char *type, const char *name, const char *id)
{
	snprintf(ans->cur_type, sizeof ans->cur_type, "%s", type ? type : "");
	int first = ans->view->nlines == 1 && ans->view->lines[0].len == 0;
	if (!first)
		textbuf_append_line(ans->view, "", 0, 0);
	if (type && strcmp(type, "thinking") == 0)
		line(ans, LA_META, "thinking:");
	else if (type && strcmp(type, "redacted_thinking") == 0)
		line(ans, LA_META, "[redacted thinking]");
	else if (type && strcmp(type, "tool_use") == 0)
		line(ans, LA_META, "tool_use %s (%s):", name ? name : "?", id ? id : "");
	else if (type && strcmp(type, "text") != 0)
		line(ans, LA_META, "[%s block]", type);
	if (!first || (type && strcmp(type, "text") != 0))
		textbuf_append_line(ans->view, "", 0, 0);
	/* the block's text goes into this last line: mark it as the block's
	 * (the response pane renders LA_TEXT lines as Markdown) */
	struct textbuf_line *last = &ans->view->lines[ans->view->nlines - 1];
	if (!last->len)
		last->attr = type && strcmp(type, "thinking") == 0 ? LA_DIM
			     : type && strcmp(type, "text") == 0 ? LA_TEXT : LA_NORMAL;
}

static void on_event(void *ud, const struct stream_event *ev)
{
	struct app *a = ud;
	if (!a->nanswers || !a->run.call)
		return;
	struct answer *ans = a->answers[a->nanswers - 1];
	const struct stream *st = api_call_stream(a->run.call);
	switch (ev->kind) {
	case STREAM_EV_MESSAGE_START:
		a->run.state = RS_STREAMING;
		fold_retries(ans);
		app_message(a, 0, "streaming (%s cancels)", keymap_label(ACT_CANCEL));
		if (st && stream_model(st))
			str_set(&ans->model, stream_model(st));
		break;
	case STREAM_EV_BLOCK_START: {
		struct stream_block b;
		memset(&b, 0, sizeof b);
		if (st)
			stream_block(st, ev->index, &b);
		block_start(ans, ev->block_type, b.name, b.id);
		ans->cur_index = (long)ev->index;
		if (ans->prefill && !ans->prefill_shown && ev->block_type &&
		    strcmp(ev->block_type, "text") == 0) {
			/* the continuation reads on from the prefill, as one text */
			ans->prefill_shown = 1;
			textbuf_append(ans->view, ans->prefill, strlen(ans->prefill), LA_TEXT);
		}
		break;
	}
	case STREAM_EV_TEXT:
	case STREAM_EV_THINKING:
		if (!ans->t_first)
			ans->t_first = app_now(a);
		a->run.state = RS_STREAMING;
		{
			int attr = ev->kind == STREAM_EV_THINKING ? LA_DIM : LA_TEXT;
			if (attr != ans->rs_attr)
				redact_flush(ans);
			ans->rs_attr = attr;
			struct buf out;
			buf_init(&out, 0);
			redact_stream_feed(&ans->rs, ev->text, ev->len, &out);
			if (out.len)
				textbuf_append(ans->view, out.data, out.len, attr);
			buf_done(&out);
		}
		ans->out_chars += (long)ev->len;
		break;
	case STREAM_EV_BLOCK_STOP:
		redact_flush(ans);
		if (ev->block_type && strcmp(ev->block_type, "tool_use") == 0 && st) {
			struct stream_block b;
			if (stream_block(st, ev->index, &b) == 0)
				append_pretty_json(ans, b.input_json ? b.input_json : b.partial_json);
		}
		break;
	default:
		break;
	}
	app_dirty(a);
}

static void on_retry(void *ud, int attempt, long delay_ms, const struct api_error *why)
{
	struct app *a = ud;
	a->run.state = RS_RETRYING;
	a->run.retry_due = a->run.call ? api_call_retry_due(a->run.call) : app_now(a) + delay_ms;
	if (a->run.retry_due <= 0)
		a->run.retry_due = app_now(a) + delay_ms;
	char *d = why ? api_error_describe(why) : xstrdup("failed");
	if (a->nanswers) {
		struct answer *ans = a->answers[a->nanswers - 1];
		line(ans, LA_ERROR, "attempt %d: %s", attempt, d);
		line(ans, LA_META, "retrying in %.1fs (retry %d)", delay_ms / 1000.0, attempt);
		ans->retries = attempt;
		char *reason = why && why->http_status
				       ? xasprintf("HTTP %ld %s", why->http_status, why->type ? why->type : "error")
				       : xstrdup(why && why->type ? why->type : "failed");
		/* each reason once: "HTTP 429 rate_limit_error, HTTP 529 overloaded_error" */
		if (!ans->retry_why) {
			ans->retry_why = reason;
			reason = NULL;
		} else if (!strstr(ans->retry_why, reason)) {
			char *both = xasprintf("%s, %s", ans->retry_why, reason);
			free(ans->retry_why);
			ans->retry_why = both;
		}
		free(reason);
	}
	app_message(a, 1, "%s; retrying in %lds", d, (delay_ms + 999) / 1000);
	free(d);
	app_dirty(a);
}

/* Seconds from now until an RFC 3339 UTC time ("2025-08-21T12:40:59Z"),
 * or -1 when it does not parse or is past. */
static long seconds_until(const char *rfc3339)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!rfc3339 || sscanf(rfc3339, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			      &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	time_t now = time(NULL);
	return t == (time_t)-1 || t <= now ? -1 : (long)(t - now);
}

static void take_ratelimit(struct app *a, const struct api_ratelimit *rl)
{
	if (rl->requests_remaining >= 0) {
		a->run.rl_requests = rl->requests_remaining;
		a->run.rl_requests_limit = rl->requests_limit;
	}
	/* the combined token limit, else the input one (the one a prompt meets first) */
	if (rl->tokens_remaining >= 0) {
		a->run.rl_tokens = rl->tokens_remaining;
		a->run.rl_tokens_limit = rl->tokens_limit;
	} else if (rl->input_tokens_remaining >= 0) {
		a->run.rl_tokens = rl->input_tokens_remaining;
		a->run.rl_tokens_limit = rl->input_tokens_limit;
	}
	/* the soonest reset among the limits shown */
	long s1 = seconds_until(rl->requests_reset);
	long s2 = seconds_until(rl->tokens_reset ? rl->tokens_reset : rl->input_tokens_reset);
	long s = s1 < 0 ? s2 : (s2 < 0 || s1 < s2 ? s1 : s2);
	a->run.rl_reset_due = s < 0 ? 0 : app_now(a) + s * 1000LL;
}

static void finish(struct app *a, struct api_call *call)
{
	if (!a->nanswers)
		return;
	struct answer *ans = a->answers[a->nanswers - 1];
	if (ans->done)
		return;
	ans->done = 1;
	redact_flush(ans);
	enum api_failure f = api_call_failure(call);
	const struct stream *st = api_call_stream(call);
	if (st && stream_has_message(st)) {
		stream_usage(st, &ans->usage);
		if (stream_stop_reason(st))
			str_set(&ans->stop_reason, stream_stop_reason(st));
		if (stream_model(st))
			str_set(&ans->model, stream_model(st));
		free(ans->message_json);
		ans->message_json = stream_message_json(st);
		/* a key cut between two deltas is whole again in the message */
		redact_in_place(&ans->message_json, a->key);
	}
	const char *model = ans->model ? ans->model : a->sess->model;
	if (ans->usage.input_tokens >= 0) {
		double usd;
		if (model && cost_of_usage(model, &ans->usage, &usd)) {
			ans->cost_known = 1;
			ans->cost = usd;
			a->session_cost += usd;
		} else {
			a->session_cost_unknown = 1;
		}
	}
	const struct api_ratelimit *rl = api_call_ratelimit(call);
	if (rl)
		take_ratelimit(a, rl);
	textbuf_append_line(ans->view, "", 0, 0);
	if (f == API_FAIL_NONE) {
		a->run.last_failed = 0;
		const char *ss = st ? stream_stop_sequence(st) : NULL;
		if (ss)
			line(ans, LA_META, "stop_reason: %s (\"%s\")", ans->stop_reason ? ans->stop_reason : "?", ss);
		else
			line(ans, LA_META, "stop_reason: %s", ans->stop_reason ? ans->stop_reason : "?");
		app_message(a, 0, "done: %s", ans->stop_reason ? ans->stop_reason : "complete");
	} else if (f == API_FAIL_CANCELED) {
		ans->canceled = 1;
		a->run.last_failed = 0;
		line(ans, LA_META, "canceled (the partial answer is kept)");
		app_message(a, 0, "canceled");
	} else {
		a->run.last_failed = 1;
		const struct api_error *e = api_call_error(call);
		char *d = e ? api_error_describe(e) : xstrdup("failed");
		if (e) {
			if (e->http_status)
				line(ans, LA_ERROR, "error: HTTP %ld", e->http_status);
			else
				line(ans, LA_ERROR, "error");
			line(ans, LA_ERROR, "type: %s", e->type ? e->type : "?");
			line(ans, LA_ERROR, "message: %s", e->message ? e->message : "");
			line(ans, LA_ERROR, "request-id: %s", e->request_id ? e->request_id : "(none)");
		} else {
			line(ans, LA_ERROR, "error: %s", d);
		}
		str_set(&ans->error, d);
		if (e && e->http_status == 401 && a->key) {
			/* the same hint as the command line: which key, from where */
			char *masked = keys_mask(a->key);
			line(ans, LA_ERROR, "check the API key %s (%s); it was not accepted", masked,
			     app_key_source(a));
			app_message(a, 1, "key %s (%s) not accepted (401)", masked, app_key_source(a));
			free(masked);
		} else {
			app_message(a, 1, "%s", d);
		}
		free(d);
	}
	a->run.state = RS_IDLE;
	struct logcall_request rq = {
		.command = "tui", .cfg = &a->cfg, .body = a->run.log_body, .model = a->sess->model,
		.version_id = a->run.log_version, .preset_path = a->run.log_path,
	};
	if (logcall_record(a->log, &rq, call, (long)(app_now(a) - ans->t_start)) < 0)
		app_message(a, 1, "the answer was not logged: %s", runlog_error(a->log));
	app_dirty(a);
}

static void on_done(void *ud, struct api_call *call)
{
	struct app *a = ud;
	if (call != a->run.call)
		return;
	finish(a, call);
	a->run.call_done = 1;
}

static void sync_cfg(struct app *a)
{
	str_set(&a->cfg.api_version, session_api_version(a->sess));
	free(a->cfg.betas);
	a->cfg.betas = request_betas(a->sess);
}

static int first_error(struct app *a, const struct diag_list *d, const char *what)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == DIAG_ERROR) {
			char *m = app_diag_text(&d->v[i]);
			const char *p = d->v[i].path;
			/* messages often name their field already */
			if (p && strncmp(m, p, strlen(p)) == 0 && m[strlen(p)] == ':')
				p = NULL;
			app_message(a, 1, "%s: %s%s%s", what, p ? p : "", p ? ": " : "", m);
			free(m);
			return 1;
		}
	return 0;
}

static int can_send(struct app *a)
{
	if (a->run.call || a->run.replay) {
		app_message(a, 1, "a %s is running (%s cancels it)", a->run.replay ? "replay" : "request",
			    keymap_label(ACT_CANCEL));
		return 0;
	}
	app_sync(a);
	a->diags_stale = 1;
	app_validate(a);
	if (first_error(a, &a->diags, "not sent"))
		return 0;
	if (!a->have_key) {
		app_message(a, 1, "%s", KEYS_MISSING_MESSAGE);
		return 0;
	}
	if (keys_is_admin(a->key)) {
		app_message(a, 1, "%s", KEYS_ADMIN_MESSAGE);
		return 0;
	}
	return 1;
}

void run_start(struct app *a)
{
	if (!can_send(a))
		return;
	if (a->budget >= 0) {
		run_estimate(a, 1);
		return;
	}
	run_send(a);
}

void run_send(struct app *a)
{
	if (a->run.call)
		return;
	struct diag_list d;
	diag_list_init(&d);
	char *body = request_build(a->sess, REQUEST_MESSAGES, 1, &d);
	if (!body) {
		first_error(a, &d, "not sent");
		diag_list_done(&d);
		return;
	}
	diag_list_done(&d);
	sync_cfg(a);
	/* the version as sent: edits while it streams are the next version */
	logcall_version(a->log, a->preset, a->run.log_version);
	free(a->run.log_path);
	a->run.log_path = a->log ? logcall_preset_path(a->preset) : NULL;
	str_set(&a->run.log_body, body);
	struct answer *ans = answer_new();
	redact_stream_done(&ans->rs);
	redact_stream_init(&ans->rs, a->key);
	ans->t_start = app_now(a);
	str_set(&ans->model, a->sess->model);
	ans->body = xstrdup(body);
	ans->meta = answer_meta(a->run.log_version, body);
	ans->prefill = body_prefill(body);
	header_lines(ans);
	answer_push(a, ans);
	struct api_call_hooks h = { .on_event = on_event, .on_retry = on_retry, .on_done = on_done,
				    .ud = a };
	a->run.state = RS_SENDING;
	a->run.call_done = 0;
	a->run.last_failed = 0;
	a->run.call = api_call_start(a->loop, &a->cfg, API_MESSAGES, body, 1, &h);
	free(body);
	app_message(a, 0, "sending (%s cancels)", keymap_label(ACT_CANCEL));
	app_dirty(a);
}

void run_cancel(struct app *a)
{
	if (a->run.call && !a->run.call_done) {
		api_call_cancel(a->run.call);
		if (api_call_state(a->run.call) == API_DONE && !a->run.call_done) {
			finish(a, a->run.call);
			a->run.call_done = 1;
		}
	}
	if (a->run.aux && !a->run.aux_done) {
		api_call_cancel(a->run.aux);
		a->run.aux_done = 1;
		a->run.aux_for_run = 0;
		if (a->run.state == RS_ESTIMATING)
			a->run.state = RS_IDLE;
		app_message(a, 0, "estimate canceled");
	}
	app_dirty(a);
}

/* --- estimates and the budget --------------------------------------------------------- */

static void fmt_usd(char *out, size_t n, double v)
{
	snprintf(out, n, v < 0.01 ? "$%.4f" : "$%.2f", v);
}

static void estimate_result(struct app *a, long input_tokens, int rough, int for_run)
{
	long max_tokens = a->sess->max_tokens ? atol(a->sess->max_tokens) : 0;
	double usd = 0;
	int known = a->sess->model && cost_estimate(a->sess->model, input_tokens, max_tokens, &usd);
	char e[32], s[32], b[32];
	fmt_usd(e, sizeof e, usd);
	fmt_usd(s, sizeof s, a->session_cost);
	fmt_usd(b, sizeof b, a->budget);
	if (!for_run) {
		if (known)
			app_message(a, 0, "estimate: %s%ld input tokens + up to %ld output = at most %s (session so far %s)",
				    rough ? "about " : "", input_tokens, max_tokens, e, s);
		else
			app_message(a, 0, "estimate: %s%ld input tokens; the price of %s is unknown",
				    rough ? "about " : "", input_tokens,
				    a->sess->model ? a->sess->model : "(no model)");
		return;
	}
	if (!known) {
		app_prompt_yesno(a, PF_BUDGET_UNKNOWN,
				 "The price of %s is unknown, so the budget %s cannot be checked. Send anyway? (y/n) ",
				 a->sess->model ? a->sess->model : "(no model)", b);
		return;
	}
	if (a->session_cost + usd > a->budget) {
		app_message(a, 1, "not sent: the session's cost %s plus this run's estimate %s would pass the budget %s",
			    s, e, b);
		return;
	}
	run_send(a);
}

static void on_aux_done(void *ud, struct api_call *call)
{
	struct app *a = ud;
	if (call != a->run.aux || a->run.aux_done)
		return;
	a->run.aux_done = 1;
	int for_run = a->run.aux_for_run;
	a->run.aux_for_run = 0;
	if (a->run.state == RS_ESTIMATING)
		a->run.state = RS_IDLE;
	if (api_call_failure(call) != API_FAIL_NONE) {
		const struct api_error *e = api_call_error(call);
		char *d = e ? api_error_describe(e) : xstrdup("failed");
		app_message(a, 1, "count_tokens: %s%s", d, for_run ? " (not sent: the budget needs an estimate)" : "");
		free(d);
		return;
	}
	const char *body = api_call_body(call);
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	cJSON *it = j ? cJSON_GetObjectItemCaseSensitive(j, "input_tokens") : NULL;
	if (!cJSON_IsNumber(it)) {
		app_message(a, 1, "count_tokens: unexpected answer");
	} else {
		estimate_result(a, (long)it->valuedouble, 0, for_run);
	}
	cJSON_Delete(j);
}

void run_estimate(struct app *a, int for_run)
{
	if (a->run.aux) {
		app_message(a, 0, "an estimate is running");
		return;
	}
	app_sync(a);
	struct diag_list d;
	diag_list_init(&d);
	char *body = request_build(a->sess, REQUEST_COUNT_TOKENS, 0, &d);
	if (!body) {
		first_error(a, &d, "no estimate");
		diag_list_done(&d);
		return;
	}
	diag_list_done(&d);
	if (!a->have_key) {
		/* without a key: about four bytes a token, and say so */
		estimate_result(a, (long)(strlen(body) / 4), 1, for_run);
		free(body);
		return;
	}
	sync_cfg(a);
	struct api_call_hooks h = { .on_done = on_aux_done, .ud = a };
	a->run.aux_done = 0;
	a->run.aux_for_run = for_run;
	if (for_run)
		a->run.state = RS_ESTIMATING;
	a->run.aux = api_call_start(a->loop, &a->cfg, API_COUNT_TOKENS, body, 0, &h);
	free(body);
	app_message(a, 0, "counting tokens...");
}

/* --- the model list ----------------------------------------------------------------- */

static void on_models_done(void *ud, struct api_call *call)
{
	struct app *a = ud;
	if (call != a->run.mcall)
		return;
	a->run.mcall_done = 1;
	if (api_call_failure(call) != API_FAIL_NONE)
		return; /* the built-in list stays; no need to bother the user */
	const char *body = api_call_body(call);
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	cJSON *data = j ? cJSON_GetObjectItemCaseSensitive(j, "data") : NULL;
	cJSON *m;
	cJSON_ArrayForEach(m, data)
	{
		cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
		if (cJSON_IsString(id)) {
			a->run.models = xrealloc(a->run.models, (a->run.nmodels + 1) * sizeof *a->run.models);
			a->run.models[a->run.nmodels++] = xstrdup(id->valuestring);
		}
	}
	cJSON_Delete(j);
}

void run_fetch_models(struct app *a)
{
	if (!a->have_key || a->run.mcall)
		return;
	struct api_call_hooks h = { .on_done = on_models_done, .ud = a };
	a->run.mcall_done = 0;
	a->run.mcall = api_call_start(a->loop, &a->cfg, API_MODELS, NULL, 0, &h);
}

/* --- each pass ------------------------------------------------------------------------ */

void run_pass(struct app *a)
{
	if (a->run.call && a->run.call_done) {
		api_call_free(a->run.call);
		a->run.call = NULL;
		a->run.call_done = 0;
		a->run.state = RS_IDLE;
		app_dirty(a);
	}
	if (a->run.call) {
		enum run_state was = a->run.state;
		switch (api_call_state(a->run.call)) {
		case API_SENDING: a->run.state = RS_SENDING; break;
		case API_STREAMING: a->run.state = RS_STREAMING; break;
		case API_WAITING_RETRY: a->run.state = RS_RETRYING; break;
		case API_DONE: break;
		}
		if (a->run.state != was || a->run.state == RS_STREAMING || a->run.state == RS_RETRYING)
			app_dirty(a);
	}
	if (a->run.aux && a->run.aux_done) {
		api_call_free(a->run.aux);
		a->run.aux = NULL;
		a->run.aux_done = 0;
		app_dirty(a);
	}
	if (a->run.mcall && a->run.mcall_done) {
		api_call_free(a->run.mcall);
		a->run.mcall = NULL;
	}
}

void run_done(struct app *a)
{
	if (a->run.call) {
		api_call_free(a->run.call);
		a->run.call = NULL;
	}
	if (a->run.aux) {
		api_call_free(a->run.aux);
		a->run.aux = NULL;
	}
	if (a->run.mcall) {
		api_call_free(a->run.mcall);
		a->run.mcall = NULL;
	}
	for (size_t i = 0; i < a->nanswers; i++)
		answer_free(a->answers[i]);
	free(a->answers);
	a->answers = NULL;
	a->nanswers = 0;
	for (size_t i = 0; i < a->run.nmodels; i++)
		free(a->run.models[i]);
	free(a->run.models);
	a->run.models = NULL;
	a->run.nmodels = 0;
	free(a->run.log_body);
	a->run.log_body = NULL;
	free(a->run.log_path);
	a->run.log_path = NULL;
	free(a->response_for);
	a->response_for = NULL;
	runlog_close(a->log);
	a->log = NULL;
}

void run_log_open(struct app *a)
{
	char *err = NULL;
	a->log = runlog_open(NULL, a->key, &err);
	if (!a->log && err)
		app_message(a, 1, "run log not written: %s", err);
	free(err);
}

/* --- answers into the conversation ------------------------------------------------- */

/* Render a whole Message's content into an answer. */
static void answer_fill(struct answer *ans, cJSON *content)
{
	cJSON *b;
	cJSON_ArrayForEach(b, content)
	{
		cJSON *type = cJSON_GetObjectItemCaseSensitive(b, "type");
		const char *t = cJSON_IsString(type) ? type->valuestring : "?";
		cJSON *name = cJSON_GetObjectItemCaseSensitive(b, "name");
		cJSON *id = cJSON_GetObjectItemCaseSensitive(b, "id");
		block_start(ans, t, cJSON_IsString(name) ? name->valuestring : NULL,
			    cJSON_IsString(id) ? id->valuestring : NULL);
		if (strcmp(t, "text") == 0 || strcmp(t, "thinking") == 0) {
			cJSON *tx = cJSON_GetObjectItemCaseSensitive(b, strcmp(t, "text") == 0 ? "text" : "thinking");
			if (cJSON_IsString(tx))
				textbuf_append(ans->view, tx->valuestring, strlen(tx->valuestring),
					      strcmp(t, "thinking") == 0 ? LA_DIM : LA_TEXT);
		} else if (strcmp(t, "tool_use") == 0) {
			cJSON *in = cJSON_GetObjectItemCaseSensitive(b, "input");
			char *p = in ? cJSON_PrintUnformatted(in) : NULL;
			append_pretty_json(ans, p);
			if (p)
				cJSON_free(p);
		}
	}
}

/* The body the editors would send now (streaming, as run_send builds
 * it), or NULL when it cannot be built. malloc'd. */
static char *current_body(struct app *a)
{
	app_sync(a);
	struct diag_list d;
	diag_list_init(&d);
	char *body = request_build(a->sess, REQUEST_MESSAGES, 1, &d);
	diag_list_done(&d);
	return body;
}

int run_response_stale(struct app *a)
{
	if (!a->sess || !a->sess->response_json || !a->response_for)
		return 0;
	char *now = current_body(a);
	int stale = now && strcmp(now, a->response_for) != 0;
	free(now);
	return stale;
}

void run_record_answer(struct app *a)
{
	struct answer *ans = app_answer(a);
	if (!ans || !ans->done || ans->error || ans->canceled || !ans->message_json) {
		app_message(a, 1, "no complete answer to record (%s)",
			    !ans ? "no answer yet" : !ans->done ? "it is still running"
			    : ans->error ? "the run failed" : ans->canceled ? "it was canceled" : "no message");
		return;
	}
	char *resp = replay_response_from_message(ans->message_json, NULL);
	if (!resp) {
		app_message(a, 1, "the answer has no content to record");
		return;
	}
	free(a->sess->response_json);
	a->sess->response_json = resp;
	free(a->response_for);
	a->response_for = ans->body ? xstrdup(ans->body) : NULL;
	app_changed(a);
	if (run_response_stale(a))
		app_message(a, 1, "recorded as response:, but the prompt changed since this answer: "
			    "replay will ask the new prompt (%s saves)", keymap_label(ACT_SAVE));
	else
		app_message(a, 0, "recorded the shown answer as the preset's response: (%s saves)",
			    keymap_label(ACT_SAVE));
}

static void load_response(struct app *a)
{
	free(a->response_for);
	a->response_for = NULL;
	const char *rj = a->sess ? a->sess->response_json : NULL;
	if (!rj)
		return;
	/* the file's response answers the file's prompt, as loaded */
	a->response_for = current_body(a);
	cJSON *j = cJSON_Parse(rj);
	if (!j)
		return;
	struct answer *ans = answer_new();
	ans->done = 1;
	ans->follow = 0;
	ans->body = a->response_for ? xstrdup(a->response_for) : NULL;
	line(ans, LA_META, "(recorded in the preset)");
	answer_fill(ans, cJSON_GetObjectItemCaseSensitive(j, "content"));
	cJSON *sr = cJSON_GetObjectItemCaseSensitive(j, "stop_reason");
	if (cJSON_IsString(sr))
		str_set(&ans->stop_reason, sr->valuestring);
	textbuf_append_line(ans->view, "", 0, 0);
	line(ans, LA_META, "stop_reason: %s", ans->stop_reason ? ans->stop_reason : "?");
	/* the message shape keep-answer needs */
	cJSON *msg = cJSON_CreateObject();
	cJSON *content = cJSON_GetObjectItemCaseSensitive(j, "content");
	cJSON_AddItemToObject(msg, "content", content ? cJSON_Duplicate(content, 1) : cJSON_CreateArray());
	char *p = cJSON_PrintUnformatted(msg);
	ans->message_json = xstrdup(p);
	cJSON_free(p);
	cJSON_Delete(msg);
	cJSON_Delete(j);
	answer_push(a, ans);
}

static void usage_from_json(struct usage *u, const char *json)
{
	usage_init(u);
	cJSON *j = json ? cJSON_Parse(json) : NULL;
	static const struct {
		const char *name;
		size_t off;
	} f[] = {
		{ "input_tokens", offsetof(struct usage, input_tokens) },
		{ "output_tokens", offsetof(struct usage, output_tokens) },
		{ "cache_creation_input_tokens", offsetof(struct usage, cache_creation_input_tokens) },
		{ "cache_read_input_tokens", offsetof(struct usage, cache_read_input_tokens) },
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(j, f[i].name);
		if (cJSON_IsNumber(v))
			*(long *)((char *)u + f[i].off) = (long)v->valuedouble;
	}
	cJSON_Delete(j);
}

/* The answers are not lost with the session: the run log keeps every
 * one, so the preset's latest come back (newest last) after a quit, a
 * crash or a restore. Their cost is not this session's. */
enum { ANSWERS_FROM_LOG = 20 };

static void load_logged_answers(struct app *a)
{
	char *path = a->log ? logcall_preset_path(a->preset) : NULL;
	if (!path)
		return;
	struct runlog_preset_answer *l = NULL;
	size_t n = 0;
	if (runlog_preset_answers(a->log, path, ANSWERS_FROM_LOG, &l, &n) < 0)
		app_message(a, 1, "the answers in the run log were not read: %s", runlog_error(a->log));
	for (size_t i = 0; i < n; i++) {
		cJSON *msg = l[i].message_json ? cJSON_Parse(l[i].message_json) : NULL;
		if (!msg)
			continue;
		struct answer *ans = answer_new();
		ans->done = 1;
		ans->follow = 0;
		ans->body = l[i].body ? xstrdup(l[i].body) : NULL;
		ans->meta = answer_meta(l[i].version_id, l[i].body);
		line(ans, LA_META, "%s", ans->meta);
		answer_fill(ans, cJSON_GetObjectItemCaseSensitive(msg, "content"));
		cJSON *sr = cJSON_GetObjectItemCaseSensitive(msg, "stop_reason");
		if (cJSON_IsString(sr))
			str_set(&ans->stop_reason, sr->valuestring);
		cJSON *model = cJSON_GetObjectItemCaseSensitive(msg, "model");
		str_set(&ans->model, cJSON_IsString(model) ? model->valuestring : l[i].model);
		textbuf_append_line(ans->view, "", 0, 0);
		/* "2026-11-30T03:00:00.123Z" reads as "2026-11-30 03:00" */
		const char *at = l[i].created_at && strlen(l[i].created_at) >= 16 ? l[i].created_at : NULL;
		line(ans, LA_META, "stop_reason: %s%s%.10s%s%.5s%s", ans->stop_reason ? ans->stop_reason : "?",
		     at ? " (from the run log, " : "", at ? at : "", at ? " " : "", at ? at + 11 : "",
		     at ? ")" : "");
		ans->message_json = xstrdup(l[i].message_json);
		usage_from_json(&ans->usage, l[i].usage_json);
		double usd;
		if (ans->usage.input_tokens >= 0 && ans->model && cost_of_usage(ans->model, &ans->usage, &usd)) {
			ans->cost_known = 1;
			ans->cost = usd;
		}
		cJSON_Delete(msg);
		answer_push(a, ans);
	}
	runlog_preset_answers_free(l, n);
	free(path);
}

void run_load_recorded(struct app *a)
{
	load_response(a);
	load_logged_answers(a);
}

/* s with every invalid UTF-8 sequence replaced by U+FFFD (as the stream
 * and the autosave replace it), malloc'd; *replaced counts them, plus the
 * U+FFFD already there (the stream's own replacements). */
static char *utf8_replaced(const char *s, int *replaced)
{
	struct buf b;
	buf_init(&b, 0);
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_next(s + i, n - i, &cp);
		if (cp == 0xfffd) {
			(*replaced)++;
			buf_puts(&b, "\xef\xbf\xbd");
		} else {
			buf_append(&b, s + i, k);
		}
		i += k;
	}
	return buf_take(&b);
}

void run_keep_answer(struct app *a)
{
	struct answer *ans = app_answer(a);
	if (!ans || !ans->done || !ans->message_json) {
		app_message(a, 1, "no complete answer to keep");
		return;
	}
	cJSON *j = cJSON_Parse(ans->message_json);
	cJSON *content = j ? cJSON_GetObjectItemCaseSensitive(j, "content") : NULL;
	if (!cJSON_IsArray(content) || cJSON_GetArraySize(content) == 0) {
		app_message(a, 1, "the answer has no content to keep");
		cJSON_Delete(j);
		return;
	}
	int text_only = 1;
	struct buf text;
	buf_init(&text, 0);
	cJSON *b;
	cJSON_ArrayForEach(b, content)
	{
		cJSON *type = cJSON_GetObjectItemCaseSensitive(b, "type");
		cJSON *tx = cJSON_GetObjectItemCaseSensitive(b, "text");
		if (!cJSON_IsString(type) || strcmp(type->valuestring, "text") != 0 || !cJSON_IsString(tx))
			text_only = 0;
		else
			buf_puts(&text, tx->valuestring);
	}
	/* the turn gets valid text: an explicit save would refuse anything else */
	int bad = 0;
	char *clean = utf8_replaced(buf_str(&text), &bad);
	buf_done(&text);
	buf_init(&text, 0);
	buf_puts(&text, clean);
	free(clean);
	struct turn *last = a->nturns ? &a->turns[a->nturns - 1] : NULL;
	if (text_only && last && strcmp(last->role, "assistant") == 0 && !last->json) {
		/* the answer continues the prefill */
		textbuf_cursor_end(last->ed);
		textbuf_insert(last->ed, buf_str(&text), text.len);
	} else if (text_only) {
		app_turn_insert(a, a->nturns, "assistant", buf_str(&text), 0);
	} else {
		char *p = cJSON_PrintUnformatted(content);
		char *pc = utf8_replaced(p, &bad);
		app_turn_insert(a, a->nturns, "assistant", pc, 1);
		free(pc);
		cJSON_free(p);
	}
	buf_done(&text);
	cJSON_Delete(j);
	app_turn_insert(a, a->nturns, "user", "", 0);
	a->cur_turn = a->nturns - 1;
	a->focus = PANE_MESSAGES;
	app_changed(a);
	app_message(a, 0, "answer kept as an assistant turn; a new user turn is open");
	if (bad && !a->bad_utf8_told) {
		a->bad_utf8_told = 1;
		app_message(a, 1, "the answer had text that is not valid UTF-8: kept with U+FFFD (\xef\xbf\xbd) in its place");
	}
}

/* --- copying the answer ------------------------------------------------------------ */

/* The answer's text as the user reads it: the prefill, then its text
 * blocks. malloc'd; NULL when it has no text. */
static char *answer_text(const struct answer *ans)
{
	cJSON *j = ans->message_json ? cJSON_Parse(ans->message_json) : NULL;
	cJSON *content = cJSON_GetObjectItemCaseSensitive(j, "content");
	struct buf b;
	buf_init(&b, 0);
	if (ans->prefill)
		buf_puts(&b, ans->prefill);
	int any = ans->prefill != NULL;
	cJSON *blk;
	cJSON_ArrayForEach(blk, content)
	{
		cJSON *type = cJSON_GetObjectItemCaseSensitive(blk, "type");
		cJSON *tx = cJSON_GetObjectItemCaseSensitive(blk, "text");
		if (cJSON_IsString(type) && strcmp(type->valuestring, "text") == 0 && cJSON_IsString(tx)) {
			buf_puts(&b, tx->valuestring);
			any = 1;
		}
	}
	cJSON_Delete(j);
	if (!any) {
		buf_done(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* A fenced code block's opening line: up to 3 spaces, then 3 or more ` or
 * ~; *fence gets the run's character and *len its length. */
static int fence_open(const char *s, size_t n, char *fence, size_t *len, const char **info)
{
	size_t i = 0;
	while (i < n && i < 3 && s[i] == ' ')
		i++;
	if (i >= n || (s[i] != '`' && s[i] != '~'))
		return 0;
	size_t k = i;
	while (k < n && s[k] == s[i])
		k++;
	if (k - i < 3)
		return 0;
	*fence = s[i];
	*len = k - i;
	*info = s + k;
	return 1;
}

/* The k-th fenced code block of text (0-based): its body into out (the
 * lines between the fences) and its language into lang. Returns how many
 * blocks the text has. */
static size_t code_block(const char *text, size_t k, struct buf *out, char *lang, size_t nlang)
{
	size_t count = 0;
	int in = 0;
	char fence = 0;
	size_t flen = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char f;
		size_t l;
		const char *info;
		if (!in && fence_open(p, n, &f, &l, &info)) {
			in = 1;
			fence = f;
			flen = l;
			if (count == k) {
				while (info < p + n && *info == ' ')
					info++;
				size_t il = 0;
				while (info + il < p + n && info[il] != ' ' && il + 1 < nlang)
					il++;
				snprintf(lang, nlang, "%.*s", (int)il, info);
			}
		} else if (in && fence_open(p, n, &f, &l, &info) && f == fence && l >= flen) {
			in = 0;
			count++;
		} else if (in && count == k) {
			buf_append(out, p, n);
			buf_append(out, "\n", 1);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return count + (in ? 1 : 0); /* an unclosed block runs to the end */
}

void run_copy_answer(struct app *a, int code)
{
	struct answer *ans = app_answer(a);
	char *text = ans ? answer_text(ans) : NULL;
	if (!text) {
		app_message(a, 1, "%s", !ans ? "no answer to copy" : !ans->done ? "the answer is not complete yet"
					 : "the shown answer has no text to copy");
		free(text);
		return;
	}
	if (!code) {
		display_osc52(text, strlen(text));
		app_message(a, 0, "copied the answer's text (%zu bytes) with OSC 52", strlen(text));
		free(text);
		return;
	}
	struct buf out;
	buf_init(&out, 0);
	char lang[32] = "";
	size_t n = code_block(text, 0, &out, lang, sizeof lang);
	if (!n) {
		app_message(a, 1, "the shown answer has no code block (%s copies its text)",
			    keymap_label(ACT_COPY_ANSWER));
	} else {
		size_t k = (size_t)ans->code_pick % n;
		buf_clear(&out);
		lang[0] = 0;
		code_block(text, k, &out, lang, sizeof lang);
		display_osc52(buf_str(&out), out.len);
		app_message(a, 0, "copied code block %zu/%zu%s%s%s (%zu bytes) with OSC 52%s", k + 1, n,
			    *lang ? " (" : "", lang, *lang ? ")" : "", out.len,
			    n > 1 ? "; again: the next" : "");
		ans->code_pick = (int)((k + 1) % n);
	}
	buf_done(&out);
	free(text);
}
