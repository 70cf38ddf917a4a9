#include "tui/helper.h"
#include "tui/app.h"
#include "tui/keymap.h"
#include "core/api.h"
#include "core/cost.h"
#include "core/diag.h"
#include "core/logcall.h"
#include "core/meta.h"
#include "core/preset.h"
#include "core/request.h"
#include "core/runlog.h"
#include "core/session.h"
#include "core/stream.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

struct helper {
	struct preset *meta;
	struct api_config cfg;  /* the app's, with the meta-prompt's version and betas */
	struct api_call *call;
	int done;               /* on_done came: finished at the next pass */
	char *body, *tool, *what;
	long long t0;
	helper_done_fn fn;
	void *ud;
};

static void on_done(void *ud, struct api_call *call)
{
	struct app *a = ud;
	(void)call;
	if (a->helper)
		a->helper->done = 1;
	app_dirty(a);
}

static void helper_drop(struct app *a)
{
	struct helper *h = a->helper;
	if (!h)
		return;
	a->helper = NULL;
	api_call_free(h->call);
	api_config_done(&h->cfg);
	preset_free(h->meta);
	free(h->body);
	free(h->tool);
	free(h->what);
	free(h);
}

int helper_busy(const struct app *a)
{
	return a->helper != NULL;
}

int helper_start(struct app *a, struct preset *meta, const char *what, helper_done_fn done,
		 void *ud)
{
	if (a->helper) {
		app_message(a, 1, "Claude is still writing %s (%s cancels)", a->helper->what,
			    keymap_label(ACT_CANCEL));
		preset_free(meta);
		return -1;
	}
	if (!a->have_key) {
		app_message(a, 1, "asking Claude needs an API key (ANTHROPIC_API_KEY or .env)");
		preset_free(meta);
		return -1;
	}
	if (a->budget >= 0 && a->session_cost >= a->budget) {
		app_message(a, 1, "not sent: the session's cost has reached the budget");
		preset_free(meta);
		return -1;
	}
	struct session *s = preset_session(meta);
	char *tool = meta_forced_tool(s);
	struct diag_list d;
	diag_list_init(&d);
	char *body = tool ? request_build(s, REQUEST_MESSAGES, 0, &d) : NULL;
	if (!body) {
		const struct diag *e = NULL;
		for (size_t i = 0; i < d.n && !e; i++)
			if (d.v[i].level == DIAG_ERROR)
				e = &d.v[i];
		char *t = e ? app_diag_text(e) : xstrdup("the meta-prompt forces no tool");
		app_message(a, 1, "not sent: %s", t);
		free(t);
		diag_list_done(&d);
		free(tool);
		preset_free(meta);
		return -1;
	}
	diag_list_done(&d);
	struct helper *h = xcalloc(1, sizeof *h);
	h->meta = meta;
	h->cfg = a->cfg;
	h->cfg.base_url = xstrdup(a->cfg.base_url);
	h->cfg.api_key = xstrdup(a->cfg.api_key);
	h->cfg.api_version = xstrdup(session_api_version(s));
	h->cfg.betas = request_betas(s);
	h->body = body;
	h->tool = tool;
	h->what = xstrdup(what);
	h->fn = done;
	h->ud = ud;
	h->t0 = app_now(a);
	a->helper = h;
	struct api_call_hooks hooks = { .on_done = on_done, .ud = a };
	h->call = api_call_start(a->loop, &h->cfg, API_MESSAGES, body, 0, &hooks);
	app_message(a, 0, "asking %s for %s (%s cancels)...", s->model ? s->model : "Claude", what,
		    keymap_label(ACT_CANCEL));
	return 0;
}

void helper_cancel(struct app *a)
{
	if (a->helper && !a->helper->done)
		api_call_cancel(a->helper->call);
}

void helper_pass(struct app *a)
{
	struct helper *h = a->helper;
	if (!h || !h->done)
		return;
	struct session *s = preset_session(h->meta);
	char version[RUNLOG_VERSION_ID_SIZE] = "";
	logcall_version(a->log, h->meta, version);
	char *abs = a->log ? logcall_preset_path(h->meta) : NULL;
	struct logcall_request rq = {
		.command = "tui", .cfg = &h->cfg, .body = h->body, .model = s->model,
		.version_id = version, .preset_path = abs,
	};
	logcall_record(a->log, &rq, h->call, (long)(app_now(a) - h->t0));
	free(abs);
	char *input = NULL;
	enum api_failure f = api_call_failure(h->call);
	if (f == API_FAIL_NONE || f == API_FAIL_CANCELED) {
		/* what was answered is paid for, canceled or not */
		const struct stream *st = api_call_stream(h->call);
		struct usage u;
		stream_usage(st, &u);
		const char *model = stream_model(st) ? stream_model(st) : s->model;
		double usd = 0;
		if (cost_of_usage(model, &u, &usd))
			a->session_cost += usd;
		else if (f == API_FAIL_NONE)
			a->session_cost_unknown = 1;
	}
	if (f == API_FAIL_CANCELED) {
		app_message(a, 0, "canceled: no %s", h->what);
	} else if (f != API_FAIL_NONE) {
		char *dsc = api_error_describe(api_call_error(h->call));
		app_message(a, 1, "%s: %s", h->what, dsc);
		free(dsc);
	} else {
		char *msg = stream_message_json(api_call_stream(h->call));
		char *why = NULL;
		input = meta_tool_input(msg, h->tool, &why);
		if (!input)
			app_message(a, 1, "unusable answer for %s: %s", h->what, why ? why : "?");
		free(why);
		free(msg);
	}
	helper_done_fn fn = h->fn;
	void *ud = h->ud;
	helper_drop(a);
	/* after the drop: the continuation may start another helper */
	fn(a, input, ud);
	free(input);
	app_dirty(a);
}

void helper_free(struct app *a)
{
	struct helper *h = a->helper;
	if (!h)
		return;
	helper_done_fn fn = h->fn;
	void *ud = h->ud;
	helper_drop(a);
	fn(a, NULL, ud);
}
