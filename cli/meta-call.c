#include "cli/meta-call.h"
#include "cli/cmd.h"
#include "cli/common.h"
#include "core/api.h"
#include "core/cost.h"
#include "core/diag.h"
#include "core/logcall.h"
#include "core/loop.h"
#include "core/meta.h"
#include "core/preset.h"
#include "core/request.h"
#include "core/runlog.h"
#include "core/session.h"
#include "core/stream.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void print_cost(const struct stream *st, const char *asked)
{
	struct usage u;
	stream_usage(st, &u);
	const char *model = stream_model(st) ? stream_model(st) : asked;
	double usd = 0;
	if (cost_of_usage(model, &u, &usd))
		cli_msg(stdout, "cost: $%.4f (%s, %ld input and %ld output tokens)\n", usd, model,
			u.input_tokens, u.output_tokens);
	else
		cli_msg(stdout, "cost: unknown (%s has no known price)\n", model ? model : "?");
}

int meta_call_run(const char *cmd, struct preset *meta, const char *model, const char *key,
		  char **input_json)
{
	struct session *s = preset_session(meta);
	*input_json = NULL;
	if (model)
		str_set(&s->model, model);
	char *tool = meta_forced_tool(s);
	struct diag_list d;
	diag_list_init(&d);
	char *body = request_build(s, REQUEST_MESSAGES, 0, &d);
	cli_print_diags(stderr, &d, 1);
	diag_list_done(&d);
	struct api_config cfg;
	struct runlog *log = NULL;
	struct loop *loop = NULL;
	struct api_call *call = NULL;
	char *msg = NULL;
	int rc = EXIT_INPUT;
	if (!body || !tool)
		goto out_nocfg;
	if (cli_api_config(&cfg, s, key))
		goto out;
	char *err = NULL;
	log = runlog_open(NULL, key, &err);
	if (!log && err)
		cli_msg(stderr, "pwb %s: warning: run log not written: %s\n", cmd, err);
	free(err);
	char version[RUNLOG_VERSION_ID_SIZE] = "";
	logcall_version(log, meta, version);

	loop = loop_new();
	cli_sigint_install(loop, &call);
	long long t0 = loop_now_ms(loop);
	struct api_call_hooks hooks = { 0 };
	/* The answer comes whole (a tool call is read at the end): say what
	 * the wait is for. */
	int tty = isatty(STDERR_FILENO);
	if (tty)
		cli_msg(stderr, "pwb %s: asking %s (Ctrl-C cancels)...", cmd, s->model ? s->model : "");
	call = api_call_start(loop, &cfg, API_MESSAGES, body, 0, &hooks);
	api_call_wait(loop, call);
	if (tty)
		fputs("\r\033[2K", stderr);
	long latency = (long)(loop_now_ms(loop) - t0);
	cli_sigint_remove(loop);
	char *abs = log ? logcall_preset_path(meta) : NULL;
	struct logcall_request rq = {
		.command = cmd, .cfg = &cfg, .body = body, .model = s->model,
		.version_id = version, .preset_path = abs,
	};
	if (logcall_record(log, &rq, call, latency) < 0)
		cli_msg(stderr, "pwb %s: warning: the answer was not logged: %s\n", cmd,
			runlog_error(log));
	free(abs);

	enum api_failure f = api_call_failure(call);
	if (f != API_FAIL_NONE) {
		if (f == API_FAIL_CANCELED) {
			cli_msg(stderr, "pwb %s: interrupted\n", cmd);
		} else {
			char *dsc = api_error_describe(api_call_error(call));
			cli_msg(stderr, "pwb %s: %s\n", cmd, dsc);
			free(dsc);
		}
		rc = cli_exit_code(f);
		goto out;
	}
	const struct stream *st = api_call_stream(call);
	print_cost(st, s->model);
	msg = stream_message_json(st);
	char *why = NULL;
	*input_json = meta_tool_input(msg, tool, &why);
	if (!*input_json) {
		cli_msg(stderr, "pwb %s: unusable answer: %s\n", cmd, why);
		free(why);
		rc = EXIT_CHANGED;
		goto out;
	}
	rc = EXIT_OK;
out:
	api_config_done(&cfg);
out_nocfg:
	api_call_free(call);
	if (loop)
		loop_free(loop);
	runlog_close(log);
	free(msg);
	free(body);
	free(tool);
	return rc;
}
