/* pwb run FILE: send the preset's request and print the answer as it
 * arrives (text to stdout, thinking to stderr with --thinking), or with
 * --json exactly one JSON object whatever happens. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "core/api.h"
#include "core/diag.h"
#include "core/keys.h"
#include "core/loop.h"
#include "core/preset.h"
#include "core/replay.h"
#include "core/request.h"
#include "core/stream.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: pwb run FILE [--json] [--no-stream] [--thinking] [--max-retries N]\n"
	"               [--timeout S] [-s NAME=VALUE]... [--record [--force]]\n"
	"\n"
	"Send the request of preset FILE ('-' reads it from standard input) and\n"
	"print the answer as it arrives: text to stdout, a tool call as one line\n"
	"'[tool_use NAME] {input}', then a newline.\n"
	"\n"
	"  --json           print exactly one JSON object: {\"outcome\": \"complete\"|\n"
	"                   \"error\"|\"truncated\"|\"canceled\", \"message\": {...}|null,\n"
	"                   \"error\": null|{\"type\", \"message\", \"http_status\", \"request_id\"}}\n"
	"  --no-stream      ask for one JSON Message instead of a stream\n"
	"  --thinking       print thinking to stderr as it arrives\n"
	"  --max-retries N  retries of 408, 409, 429, 5xx and connection errors (default 2)\n"
	"  --timeout S      seconds for each attempt (default 600)\n"
	"  -s NAME=VALUE    set the variable {{NAME}} (repeatable)\n"
	"  --record         store a complete answer as the preset's response: (atomic save)\n"
	"  --force          with --record: save even if the file changed on disk or holds\n"
	"                   a key-shaped string\n"
	"\n"
	"Exit codes: 0 complete, 2 bad input (usage, preset, key, file), 3 API error\n"
	"that is not retryable, 4 network or protocol failure (after retries),\n"
	"130 interrupted (the partial answer is printed).\n";

struct run {
	int json, thinking;
	struct api_call *call;
	int printed;    /* bytes written to stdout */
	char last;      /* last byte written to stdout */
	int think_open; /* thinking printed without a final newline */
	long max_retries;
	int write_failed; /* stdout could not be written */
};

static void out(struct run *r, const char *p, size_t n)
{
	if (!n || r->write_failed)
		return;
	if (fwrite(p, 1, n, stdout) != n || ferror(stdout)) {
		/* A closed pipe (pwb run | head): stop the request too. */
		r->write_failed = 1;
		if (r->call)
			api_call_cancel(r->call);
		return;
	}
	r->printed += (int)n;
	r->last = p[n - 1];
}

static void on_event(void *ud, const struct stream_event *ev)
{
	struct run *r = ud;
	if (r->json)
		return;
	switch (ev->kind) {
	case STREAM_EV_TEXT:
		out(r, ev->text, ev->len);
		break;
	case STREAM_EV_THINKING:
		if (r->thinking && ev->len) {
			fwrite(ev->text, 1, ev->len, stderr);
			r->think_open = ev->text[ev->len - 1] != '\n';
		}
		break;
	case STREAM_EV_BLOCK_STOP: {
		struct stream_block b;
		if (r->thinking && r->think_open) {
			fputc('\n', stderr);
			r->think_open = 0;
		}
		const struct stream *s = api_call_stream(r->call);
		if (!s || stream_block(s, ev->index, &b) != 0 || !b.type || strcmp(b.type, "tool_use") != 0)
			break;
		if (r->printed && r->last != '\n')
			out(r, "\n", 1);
		char *line = xasprintf("[tool_use %s] %s\n", b.name ? b.name : "?",
				       b.input_json ? b.input_json
						    : b.partial_json ? b.partial_json : "{}");
		out(r, line, strlen(line));
		free(line);
		break;
	}
	default:
		break;
	}
}

static void on_retry(void *ud, int attempt, long delay_ms, const struct api_error *why)
{
	struct run *r = ud;
	char *d = api_error_describe(why);
	if (delay_ms < 1000)
		fprintf(stderr, "pwb: %s; retry %d of %ld in %ld ms\n", d, attempt, r->max_retries,
			delay_ms);
	else
		fprintf(stderr, "pwb: %s; retry %d of %ld in %.1f s\n", d, attempt, r->max_retries,
			delay_ms / 1000.0);
	free(d);
}

/* --json: the one object, printed whatever happened. */
static void print_json(const char *outcome, const char *message_json, const char *etype,
		       const char *emsg, long http_status, const char *request_id)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "outcome", outcome);
	if (message_json)
		cJSON_AddRawToObject(o, "message", message_json);
	else
		cJSON_AddNullToObject(o, "message");
	if (etype) {
		cJSON *e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "type", etype);
		cJSON_AddStringToObject(e, "message", emsg ? emsg : "");
		if (http_status)
			cJSON_AddNumberToObject(e, "http_status", (double)http_status);
		else
			cJSON_AddNullToObject(e, "http_status");
		if (request_id)
			cJSON_AddStringToObject(e, "request_id", request_id);
		else
			cJSON_AddNullToObject(e, "request_id");
	} else {
		cJSON_AddNullToObject(o, "error");
	}
	char *s = cJSON_PrintUnformatted(o);
	printf("%s\n", s);
	free(s);
	cJSON_Delete(o);
}

static int parse_long(const char *s, long lo, long hi, long *out_v)
{
	if (!s || !*s)
		return -1;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out_v = v;
	return 0;
}

static int parse_seconds(const char *s, double *out_v)
{
	if (!s || !*s)
		return -1;
	char *end;
	double v = strtod(s, &end);
	if (*end || !(v > 0) || v > 86400 * 7)
		return -1;
	*out_v = v;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run r = { 0 };
	int stream = 1, record = 0, force = 0, rc = EXIT_OK;
	long max_retries = 2;
	double timeout_s = 600;
	const char *file = NULL;
	struct cli_sets sets = { 0 };
	struct preset *p = NULL;
	char *body = NULL, *key = NULL, *errtext = NULL;
	struct loop *loop = NULL;
	struct api_config cfg;
	int have_cfg = 0;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			r.json = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_print_help(help);
			cli_sets_done(&sets);
			return EXIT_OK;
		} else if (!strcmp(a, "--json")) {
		} else if (!strcmp(a, "--no-stream")) {
			stream = 0;
		} else if (!strcmp(a, "--thinking")) {
			r.thinking = 1;
		} else if (!strcmp(a, "--record")) {
			record = 1;
		} else if (!strcmp(a, "--force")) {
			force = 1;
		} else if (!strcmp(a, "--max-retries")) {
			if (parse_long(i + 1 < argc ? argv[++i] : NULL, 0, 100, &max_retries)) {
				errtext = xstrdup("--max-retries needs a whole number from 0 to 100");
				goto usage;
			}
		} else if (!strcmp(a, "--timeout")) {
			if (parse_seconds(i + 1 < argc ? argv[++i] : NULL, &timeout_s)) {
				errtext = xstrdup("--timeout needs a number of seconds greater than 0");
				goto usage;
			}
		} else if (!strcmp(a, "-s")) {
			if (i + 1 >= argc) {
				errtext = xstrdup("-s needs NAME=VALUE");
				goto usage;
			}
			if (cli_sets_add(&sets, argv[++i]) != 0) {
				errtext = xasprintf("-s expects NAME=VALUE, got '%s'", argv[i]);
				goto usage_printed;
			}
		} else if (!strncmp(a, "-s", 2) && a[2]) {
			if (cli_sets_add(&sets, a + 2) != 0) {
				errtext = xasprintf("-s expects NAME=VALUE, got '%s'", a + 2);
				goto usage_printed;
			}
		} else if (a[0] == '-' && a[1]) {
			errtext = xasprintf("unknown option '%s'", a);
			goto usage;
		} else if (file) {
			errtext = xasprintf("one FILE only (got '%s' and '%s')", file, a);
			goto usage;
		} else {
			file = a;
		}
	}
	if (!file) {
		errtext = xstrdup("missing FILE");
		goto usage;
	}
	if (force && !record) {
		errtext = xstrdup("--force only goes with --record");
		goto usage;
	}
	if (record && strcmp(file, "-") == 0) {
		errtext = xstrdup("--record needs a FILE path to save to, not standard input");
		goto usage;
	}

	if (cli_load_preset(file, &sets, &p, &errtext) != 0) {
		if (r.json)
			print_json("error", NULL, "invalid_preset", errtext, 0, NULL);
		rc = EXIT_INPUT;
		goto out;
	}
	struct diag_list d;
	diag_list_init(&d);
	body = request_build(preset_session(p), REQUEST_MESSAGES, stream, &d);
	/* cli_load_preset already printed the warnings, with positions. */
	diag_print_level(stderr, &d, DIAG_ERROR);
	if (!body) {
		if (r.json) {
			char *m = NULL;
			for (size_t i = 0; i < d.n && !m; i++)
				if (d.v[i].level == DIAG_ERROR)
					m = xstrdup(d.v[i].message);
			print_json("error", NULL, "invalid_preset", m ? m : "the request could not be built",
				   0, NULL);
			free(m);
		}
		diag_list_done(&d);
		rc = EXIT_INPUT;
		goto out;
	}
	diag_list_done(&d);

	const char *key_err = NULL;
	if (cli_get_key(&key, &key_err) != 0) {
		if (r.json)
			print_json("error", NULL, key_err ? key_err : "missing_key",
				   key_err && !strcmp(key_err, "invalid_key") ? KEYS_ADMIN_MESSAGE
									      : KEYS_MISSING_MESSAGE,
				   0, NULL);
		rc = EXIT_INPUT;
		goto out;
	}

	cli_api_config(&cfg, preset_session(p), key);
	have_cfg = 1;
	cfg.max_retries = (int)max_retries;
	r.max_retries = max_retries;
	cfg.timeout_ms = (long)(timeout_s * 1000.0);
	if (cfg.idle_timeout_ms > cfg.timeout_ms)
		cfg.idle_timeout_ms = cfg.timeout_ms;

	loop = loop_new();
	struct api_call_hooks hooks = { .on_event = on_event, .on_retry = on_retry, .ud = &r };
	cli_sigint_install(loop, &r.call);
	r.call = api_call_start(loop, &cfg, API_MESSAGES, body, stream, &hooks);
	while (api_call_state(r.call) != API_DONE) {
		loop_once(loop, 1000);
		if (fflush(stdout) != 0 && !r.write_failed) {
			r.write_failed = 1;
			api_call_cancel(r.call);
		}
	}
	cli_sigint_remove(loop);

	enum api_failure f = api_call_failure(r.call);
	const struct api_error *e = api_call_error(r.call);
	const struct stream *s = api_call_stream(r.call);
	char *msg = s ? stream_message_json(s) : NULL;
	rc = api_failure_exit_code(f);
	if (r.json) {
		const char *outcome = f == API_FAIL_NONE ? "complete"
			: f == API_FAIL_CANCELED ? "canceled"
			: f == API_FAIL_TRUNCATED ? "truncated" : "error";
		if (f == API_FAIL_NONE || f == API_FAIL_CANCELED || !e)
			print_json(outcome, msg, f == API_FAIL_NONE || f == API_FAIL_CANCELED ? NULL : "network",
				   e ? e->message : "failed", 0, NULL);
		else
			print_json(outcome, msg, e->type, e->message, e->http_status, e->request_id);
	} else {
		if (r.printed && r.last != '\n')
			out(&r, "\n", 1);
		else if (!r.printed && f == API_FAIL_NONE)
			out(&r, "\n", 1);
		fflush(stdout);
		const char *stop = f == API_FAIL_NONE && s ? stream_stop_reason(s) : NULL;
		if (stop && strcmp(stop, "max_tokens") == 0)
			fprintf(stderr, "pwb: the answer stopped at max_tokens (stop_reason max_tokens)\n");
		else if (stop && strcmp(stop, "refusal") == 0)
			fprintf(stderr, "pwb: the model declined to answer (stop_reason refusal)\n");
		if (f == API_FAIL_CANCELED) {
			fprintf(stderr, "pwb: interrupted; the partial answer is above\n");
		} else if (f != API_FAIL_NONE) {
			char *dsc = api_error_describe(e);
			fprintf(stderr, "pwb: %s\n", dsc);
			free(dsc);
			if (e && e->http_status == 401) {
				char *masked = keys_mask(key);
				fprintf(stderr, "pwb: check the API key %s (%s); it was not accepted\n",
					masked, cli_key_source());
				free(masked);
			}
			if (s && stream_has_message(s) && f != API_FAIL_HTTP && f != API_FAIL_HTTP_RETRYABLE)
				fprintf(stderr, "pwb: the answer is incomplete; what arrived is above\n");
		}
	}
	if (r.write_failed) {
		fprintf(stderr, "pwb run: cannot write to standard output; the request was canceled\n");
		rc = EXIT_INPUT;
	}
	if (f == API_FAIL_NONE && record) {
		struct diag_list rd;
		diag_list_init(&rd);
		/* -s values are for this run only: record into the file as it is. */
		struct preset *target = p, *fresh = NULL;
		if (sets.n) {
			fresh = preset_load_file(file, &rd);
			target = fresh;
		}
		int saved = target ? replay_record(target, s, force, key, &rd) : PRESET_SAVE_FAILED;
		preset_free(fresh);
		diag_print_all(stderr, &rd);
		if (saved != PRESET_SAVED) {
			fprintf(stderr, "pwb: the answer was not recorded in %s\n", file);
			rc = EXIT_INPUT;
		} else if (!r.json) {
			fprintf(stderr, "pwb: recorded the answer in %s\n", file);
		}
		diag_list_done(&rd);
	}
	free(msg);
	goto out;

usage:
	fprintf(stderr, "pwb run: %s\n", errtext);
usage_printed:
	if (r.json)
		print_json("error", NULL, "usage", errtext, 0, NULL);
	else
		fprintf(stderr, "usage: pwb run FILE [--json] [--no-stream] [--thinking] "
			"[--max-retries N] [--timeout S] [-s NAME=VALUE]... [--record [--force]]\n");
	rc = EXIT_INPUT;
out:
	api_call_free(r.call);
	loop_free(loop);
	if (have_cfg)
		api_config_done(&cfg);
	free(errtext);
	free(body);
	free(key);
	preset_free(p);
	cli_sets_done(&sets);
	return rc;
}
