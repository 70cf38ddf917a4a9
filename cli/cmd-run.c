/* pwb run FILE: send the preset's request and print the answer as it
 * arrives (text to stdout, thinking to stderr with --thinking), or with
 * --json exactly one JSON object whatever happens. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "core/api.h"
#include "core/diag.h"
#include "core/keys.h"
#include "core/logcall.h"
#include "core/loop.h"
#include "core/preset.h"
#include "core/redact.h"
#include "core/replay.h"
#include "core/request.h"
#include "core/runlog.h"
#include "core/session.h"
#include "core/stream.h"
#include "core/termout.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: pwb run FILE [--json] [--no-stream] [--thinking] [--raw] [--max-retries N]\n"
	"               [--timeout S] [-s NAME=VALUE]... [--record [--force]]\n"
	"               [--cache] [--no-log]\n"
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
	"  --raw            write the answer exactly even to a terminal (by default a\n"
	"                   terminal sees control characters and bidi overrides escaped)\n"
	"  --max-retries N  retries of 408, 409, 429, 5xx and connection errors (default 2)\n"
	"  --timeout S      seconds for each attempt (default 600)\n"
	"  -s NAME=VALUE    set the variable {{NAME}} (repeatable)\n"
	"  --record         store a complete answer as the preset's response: (atomic save)\n"
	"  --force          with --record: save even if the file changed on disk or holds\n"
	"                   a key-shaped string\n"
	"  --cache          answer from the run log when the exact same request (body, API\n"
	"                   version, betas, base URL) got a complete answer before: nothing\n"
	"                   is sent; stderr says '(cached answer from the run log, id N)',\n"
	"                   --json adds \"cached\": true\n"
	"  --no-log         do not record the answer in the run log (as PWB_LOG=off)\n"
	"\n"
	"Every answer is recorded in the run log (pwb log; PWB_LOG=PATH puts it\n"
	"elsewhere, PWB_LOG=off turns it off); a log that cannot be opened is a\n"
	"warning.\n"
	"\n"
	"Exit codes: 0 complete, 2 bad input (usage, preset, key, file), 3 API error\n"
	"that is not retryable, 4 network or protocol failure (after retries),\n"
	"130 interrupted (the partial answer is printed).\n";

/* The options of one run, as parsed. */
struct run_opts {
	int json, stream, thinking, raw, record, force, cache, no_log;
	long max_retries;
	double timeout_s;
	const char *file;
	struct cli_sets sets;
};

/* One run in progress: what was printed so far. */
struct run {
	const struct run_opts *o;
	struct loop *loop;
	struct api_call *call;
	int printed;    /* bytes written to stdout */
	char last;      /* last byte written to stdout */
	int think_open; /* thinking printed without a final newline */
	int write_failed; /* stdout could not be written */
	const struct stream *cached; /* --cache: the logged answer being printed */
	long latency_ms;  /* from sending to done */
};

static void out(struct run *r, const char *p, size_t n)
{
	if (!n || r->write_failed)
		return;
	cli_data(stdout, p, n);
	if (ferror(stdout)) {
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
	if (r->o->json)
		return;
	switch (ev->kind) {
	case STREAM_EV_TEXT:
		out(r, ev->text, ev->len);
		break;
	case STREAM_EV_THINKING:
		if (r->o->thinking && ev->len) {
			cli_data(stderr, ev->text, ev->len);
			r->think_open = ev->text[ev->len - 1] != '\n';
		}
		break;
	case STREAM_EV_BLOCK_STOP: {
		struct stream_block b;
		if (r->o->thinking)
			cli_data_end(stderr);
		if (r->o->thinking && r->think_open) {
			fputc('\n', stderr);
			r->think_open = 0;
		}
		const struct stream *s = r->cached ? r->cached : api_call_stream(r->call);
		if (!s || stream_block(s, ev->index, &b) != 0 || !b.type || strcmp(b.type, "tool_use") != 0)
			break;
		if (r->printed && r->last != '\n')
			out(r, "\n", 1);
		/* The tool name is the server's: escaped like a message, always. */
		char *name = termout_escape(b.name ? b.name : "?", b.name ? strlen(b.name) : 1, NULL);
		char *line = xasprintf("[tool_use %s] %s\n", name,
				       b.input_json ? b.input_json
						    : b.partial_json ? b.partial_json : "{}");
		out(r, line, strlen(line));
		free(line);
		free(name);
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
		cli_msg(stderr, "pwb: %s; retry %d of %ld in %ld ms\n", d, attempt, r->o->max_retries,
			delay_ms);
	else
		cli_msg(stderr, "pwb: %s; retry %d of %ld in %.1f s\n", d, attempt, r->o->max_retries,
			delay_ms / 1000.0);
	free(d);
}

/* --json: the one object, printed whatever happened; cached answers say so. */
static void print_json_doc(const char *outcome, const char *message_json, const char *etype,
			   const char *emsg, long http_status, const char *request_id, int cached)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "outcome", outcome);
	if (cached)
		cJSON_AddTrueToObject(o, "cached");
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
	/* redacted whole: a key cut between two deltas is whole here */
	cli_data(stdout, s, strlen(s));
	cli_data(stdout, "\n", 1);
	free(s);
	cJSON_Delete(o);
}

static void print_json(const char *outcome, const char *message_json, const char *etype,
		       const char *emsg, long http_status, const char *request_id)
{
	print_json_doc(outcome, message_json, etype, emsg, http_status, request_id, 0);
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

/* A usage error: on stderr, and as the one object with --json. */
static int usage_error(const struct run_opts *o, const char *why)
{
	if (why)
		cli_msg(stderr, "pwb run: %s\n", why);
	if (o->json)
		print_json("error", NULL, "usage", why ? why : "invalid arguments", 0, NULL);
	else
		cli_msg(stderr, "usage: pwb run FILE [--json] [--no-stream] [--thinking] [--raw] "
			"[--max-retries N] [--timeout S] [-s NAME=VALUE]... [--record [--force]] "
			"[--cache] [--no-log]\n");
	return EXIT_INPUT;
}

/* Parse the arguments into o. Returns 0, -1 after --help (exit 0), or
 * EXIT_INPUT (reported). */
static int parse_args(int argc, char **argv, struct run_opts *o)
{
	o->stream = 1;
	o->max_retries = 2;
	o->timeout_s = 600;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			o->json = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_print_help(help);
			return -1;
		} else if (!strcmp(a, "--json")) {
		} else if (!strcmp(a, "--no-stream")) {
			o->stream = 0;
		} else if (!strcmp(a, "--thinking")) {
			o->thinking = 1;
		} else if (!strcmp(a, "--raw")) {
			o->raw = 1;
		} else if (!strcmp(a, "--record")) {
			o->record = 1;
		} else if (!strcmp(a, "--force")) {
			o->force = 1;
		} else if (!strcmp(a, "--cache")) {
			o->cache = 1;
		} else if (!strcmp(a, "--no-log")) {
			o->no_log = 1;
		} else if (!strcmp(a, "--max-retries")) {
			if (parse_long(i + 1 < argc ? argv[++i] : NULL, 0, 100, &o->max_retries))
				return usage_error(o, "--max-retries needs a whole number from 0 to 100");
		} else if (!strcmp(a, "--timeout")) {
			if (parse_seconds(i + 1 < argc ? argv[++i] : NULL, &o->timeout_s))
				return usage_error(o, "--timeout needs a number of seconds greater than 0");
		} else if (cli_take_arg("run", help, argc, argv, &i, &o->sets, &o->file) != 0) {
			return usage_error(o, NULL);
		}
	}
	if (!o->file)
		return usage_error(o, "missing FILE");
	if (o->force && !o->record)
		return usage_error(o, "--force only goes with --record");
	if (o->cache && o->no_log)
		return usage_error(o, "--cache answers from the run log, which --no-log turns off");
	if (o->record && strcmp(o->file, "-") == 0)
		return usage_error(o, "--record needs a FILE path to save to, not standard input");
	return 0;
}

/* The --json report of a finished call (or of a cached answer). */
static void report_json(enum api_failure f, const struct api_error *e, const char *msg, int cached)
{
	const char *outcome = f == API_FAIL_NONE ? "complete"
		: f == API_FAIL_CANCELED ? "canceled"
		: f == API_FAIL_TRUNCATED ? "truncated" : "error";
	if (f == API_FAIL_NONE || f == API_FAIL_CANCELED || !e)
		print_json_doc(outcome, msg, f == API_FAIL_NONE || f == API_FAIL_CANCELED ? NULL : "network",
			       e ? e->message : "failed", 0, NULL, cached);
	else
		print_json(outcome, msg, e->type, e->message, e->http_status, e->request_id);
}

/* The text report: the final newline, the stop reason when it matters,
 * and the failure on stderr. */
static void report_text(struct run *r, enum api_failure f, const struct api_error *e,
			const struct stream *s, const char *key)
{
	cli_data_end(stderr); /* thinking cut short */
	if (r->printed && r->last != '\n')
		out(r, "\n", 1);
	else if (!r->printed && f == API_FAIL_NONE)
		out(r, "\n", 1);
	cli_data_end(stdout);
	fflush(stdout);
	const char *stop = f == API_FAIL_NONE && s ? stream_stop_reason(s) : NULL;
	if (stop && strcmp(stop, "max_tokens") == 0)
		cli_msg(stderr, "pwb: the answer stopped at max_tokens (stop_reason max_tokens)\n");
	else if (stop && strcmp(stop, "refusal") == 0)
		cli_msg(stderr, "pwb: the model declined to answer (stop_reason refusal)\n");
	if (f == API_FAIL_CANCELED) {
		cli_msg(stderr, "pwb: interrupted; the partial answer is above\n");
	} else if (f != API_FAIL_NONE) {
		char *dsc = api_error_describe(e);
		cli_msg(stderr, "pwb: %s\n", dsc);
		free(dsc);
		if (e && e->http_status == 401) {
			char *masked = keys_mask(key);
			cli_msg(stderr, "pwb: check the API key %s (%s); it was not accepted\n", masked,
				cli_key_source());
			free(masked);
		}
		if (s && stream_has_message(s) && f != API_FAIL_HTTP && f != API_FAIL_HTTP_RETRYABLE)
			cli_msg(stderr, "pwb: the answer is incomplete; what arrived is above\n");
	}
}

/* --record: store a complete answer as the preset's response. Returns 0 or
 * EXIT_INPUT (reported). */
static int record_answer(const struct run_opts *o, struct preset *p, const struct stream *s,
			 const char *key)
{
	struct diag_list rd;
	diag_list_init(&rd);
	/* -s values are for this run only: record into the file as it is. */
	struct preset *target = p, *fresh = NULL;
	if (o->sets.n) {
		fresh = preset_load_file(o->file, &rd);
		target = fresh;
	}
	int saved = target ? replay_record(target, s, o->force, key, &rd) : PRESET_SAVE_FAILED;
	preset_free(fresh);
	cli_print_diags(stderr, &rd, 0);
	diag_list_done(&rd);
	if (saved != PRESET_SAVED) {
		cli_msg(stderr, "pwb: the answer was not recorded in %s\n", o->file);
		return EXIT_INPUT;
	}
	if (!o->json)
		cli_msg(stderr, "pwb: recorded the answer in %s\n", o->file);
	return 0;
}

/* Load the preset and build the body; with --json a failure is the one
 * object. Returns 0 with *p and *body, or EXIT_INPUT. */
static int prepare(const struct run_opts *o, struct preset **p, char **body)
{
	char *errtext = NULL;
	if (cli_load_preset(o->file, &o->sets, p, &errtext) != 0) {
		if (o->json)
			print_json("error", NULL, "invalid_preset", errtext, 0, NULL);
		free(errtext);
		return EXIT_INPUT;
	}
	struct diag_list d;
	diag_list_init(&d);
	*body = request_build(preset_session(*p), REQUEST_MESSAGES, o->stream, &d);
	/* cli_load_preset already printed the warnings, with positions. */
	cli_print_diags(stderr, &d, 1);
	if (!*body && o->json) {
		char *m = NULL;
		for (size_t i = 0; i < d.n && !m; i++)
			if (d.v[i].level == DIAG_ERROR)
				m = xstrdup(d.v[i].message);
		print_json("error", NULL, "invalid_preset", m ? m : "the request could not be built", 0,
			   NULL);
		free(m);
	}
	diag_list_done(&d);
	return *body ? 0 : EXIT_INPUT;
}

/* Send and wait, printing as it arrives. */
static void send_and_wait(struct run *r, const struct api_config *cfg, const char *body)
{
	struct loop *loop = r->loop = loop_new();
	struct api_call_hooks hooks = { .on_event = on_event, .on_retry = on_retry, .ud = r };
	cli_sigint_install(loop, &r->call);
	long long t0 = loop_now_ms(loop);
	r->call = api_call_start(loop, cfg, API_MESSAGES, body, r->o->stream, &hooks);
	while (api_call_state(r->call) != API_DONE) {
		loop_once(loop, 1000);
		if (fflush(stdout) != 0 && !r->write_failed) {
			r->write_failed = 1;
			api_call_cancel(r->call);
		}
	}
	r->latency_ms = (long)(loop_now_ms(loop) - t0);
	cli_sigint_remove(loop);
}

/* The run log, unless --no-log or PWB_LOG=off; a log that cannot be
 * opened is a warning. NULL when none. */
static struct runlog *open_log(const struct run_opts *o, const char *key)
{
	if (o->no_log)
		return NULL;
	char *err = NULL;
	struct runlog *log = runlog_open(NULL, key, &err);
	if (!log && err)
		cli_msg(stderr, "pwb run: warning: run log not written: %s\n", err);
	else if (!log && o->cache)
		cli_msg(stderr, "pwb run: warning: --cache: the run log is off (PWB_LOG=off); "
			"sending the request\n");
	free(err);
	return log;
}

/* --cache: the logged answer to exactly this request, as a stream that
 * prints through on_event like a live one. NULL when there is none. */
static struct stream *cached_answer(struct run *r, struct runlog *log,
				    const struct api_config *cfg, const char *body)
{
	long long id = 0;
	char *hit = runlog_cache_lookup(log, body, cfg->api_version, cfg->betas, cfg->base_url, &id);
	if (!hit)
		return NULL;
	/* Taken once quietly first: a stored message that no longer parses is
	 * a miss, not half an answer on stdout. */
	struct stream *check = stream_new(0);
	int ok = stream_take_json(check, hit, strlen(hit)) == 0;
	stream_free(check);
	struct stream *st = NULL;
	if (ok) {
		if (!r->o->json)
			cli_msg(stderr, "(cached answer from the run log, id %lld)\n", id);
		st = stream_new(0);
		r->cached = st;
		stream_set_listener(st, on_event, r);
		stream_take_json(st, hit, strlen(hit));
	}
	free(hit);
	return st;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct run r = { .o = &o };
	struct preset *p = NULL;
	char *body = NULL, *key = NULL;
	struct api_config cfg;
	int have_cfg = 0;
	struct runlog *log = NULL;
	struct stream *cached = NULL;

	int rc = parse_args(argc, argv, &o);
	if (rc == -1) {
		rc = EXIT_OK;
		goto out;
	}
	if (rc != 0)
		goto out;
	cli_set_raw(o.raw);
	if ((rc = prepare(&o, &p, &body)) != 0)
		goto out;

	const char *key_err = NULL;
	if (cli_get_key(&key, &key_err) != 0) {
		if (o.json)
			print_json("error", NULL, key_err ? key_err : "missing_key",
				   key_err && !strcmp(key_err, "invalid_key") ? KEYS_ADMIN_MESSAGE
									      : KEYS_MISSING_MESSAGE,
				   0, NULL);
		rc = EXIT_INPUT;
		goto out;
	}
	cli_set_output_key(key);
	have_cfg = 1;
	if (cli_api_config(&cfg, preset_session(p), key) != 0) {
		if (o.json)
			print_json("error", NULL, "usage", "ANTHROPIC_BASE_URL is refused (see stderr)", 0,
				   NULL);
		rc = EXIT_INPUT;
		goto out;
	}
	cfg.max_retries = (int)o.max_retries;
	cfg.timeout_ms = (long)(o.timeout_s * 1000.0);
	if (cfg.idle_timeout_ms > cfg.timeout_ms)
		cfg.idle_timeout_ms = cfg.timeout_ms;

	log = open_log(&o, key);
	if (o.cache && log)
		cached = cached_answer(&r, log, &cfg, body);
	if (!cached) {
		char version[RUNLOG_VERSION_ID_SIZE] = "";
		logcall_version(log, p, version);
		send_and_wait(&r, &cfg, body);
		char *abs = log ? logcall_preset_path(p) : NULL;
		struct logcall_request rq = {
			.command = "run", .cfg = &cfg, .body = body,
			.model = preset_session(p)->model, .version_id = version, .preset_path = abs,
		};
		if (logcall_record(log, &rq, r.call, r.latency_ms) < 0)
			cli_msg(stderr, "pwb run: warning: the answer was not logged: %s\n",
				runlog_error(log));
		free(abs);
	}

	enum api_failure f = cached ? API_FAIL_NONE : api_call_failure(r.call);
	const struct api_error *e = cached ? NULL : api_call_error(r.call);
	const struct stream *s = cached ? cached : api_call_stream(r.call);
	char *msg = s ? stream_message_json(s) : NULL;
	rc = cli_exit_code(f);
	if (o.json)
		report_json(f, e, msg, cached != NULL);
	else
		report_text(&r, f, e, s, key);
	free(msg);
	if (r.write_failed) {
		cli_msg(stderr, "pwb run: cannot write to standard output; the request was canceled\n");
		rc = EXIT_INPUT;
	}
	if (f == API_FAIL_NONE && o.record && record_answer(&o, p, s, key) != 0)
		rc = EXIT_INPUT;
out:
	api_call_free(r.call); /* before its loop */
	loop_free(r.loop);
	stream_free(cached);
	runlog_close(log);
	if (have_cfg)
		api_config_done(&cfg);
	free(body);
	free(key);
	preset_free(p);
	cli_sets_done(&o.sets);
	return rc;
}
