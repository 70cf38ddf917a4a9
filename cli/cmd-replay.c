/* pwb replay FILE: regenerate the recorded answers and report, per turn,
 * same or changed with a line diff, then a summary (or one JSON document
 * with --json). --update writes the new answers back; --check turns a
 * change into exit 1 for CI. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "core/api.h"
#include "core/diag.h"
#include "core/logcall.h"
#include "core/loop.h"
#include "core/preset.h"
#include "core/replay.h"
#include "core/request.h"
#include "core/runlog.h"
#include "core/session.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: pwb replay FILE [--all-turns] [--check] [--update [--force]] [--json]\n"
	"                  [--max-retries N] [--timeout S] [-s NAME=VALUE]...\n"
	"\n"
	"Send the preset's full message list again and compare the answer with the\n"
	"recorded response: (pwb run FILE --record stores one). A turn is the same\n"
	"when its text is the same and its tool calls have the same names and input.\n"
	"\n"
	"  --all-turns      also regenerate every assistant turn of messages from the\n"
	"                   recorded history before it\n"
	"  --check          exit 1 when an answer changed (for CI)\n"
	"  --update         write the new answers of changed turns back to FILE\n"
	"  --force          with --update: save even if FILE changed on disk or holds\n"
	"                   a key-shaped string\n"
	"  --json           one JSON document: {\"turns\": [{\"turn\", \"status\", \"recorded\",\n"
	"                   \"new\", \"diff\", \"error\"}], \"summary\": {\"same\", \"changed\", \"errors\"}}\n"
	"  --max-retries N  retries of 408, 409, 429, 5xx and connection errors (default 2)\n"
	"  --timeout S      seconds for each attempt (default 600)\n"
	"  -s NAME=VALUE    set the variable {{NAME}} (repeatable)\n"
	"\n"
	"Exit codes: 0 every turn ran (changes are reported, not failures), 1 with\n"
	"--check when a turn changed, 2 bad input, 3 a turn got an API error that is\n"
	"not retryable, 4 a turn failed on the network side (4 wins over 3, and both\n"
	"over 1), 130 interrupted.\n";

struct opts {
	int all_turns, check, update, force, json;
	long max_retries;
	long timeout_s;
	const char *file;
	struct cli_sets sets;
};

static void turn_name(const struct replay_turn *t, char *out, size_t n)
{
	if (t->index < 0)
		snprintf(out, n, "response");
	else
		snprintf(out, n, "messages[%ld]", t->index);
}

/* What the turn hook needs: the options, and the run log with what each
 * turn's answer is recorded with. */
struct replay_cli {
	const struct opts *o;
	struct runlog *log;
	struct logcall_request rq; /* body set per turn */
	const struct session *sess; /* as replayed (with the -s values) */
	struct loop *loop;
	long long t_last;           /* when the previous turn ended */
};

/* Record the turn's answer. The call is gone by now, so its body is built
 * again the way replay built it (the session up to the turn, streaming). */
static void log_turn(struct replay_cli *rc, const struct replay_turn *t)
{
	long long now = loop_now_ms(rc->loop);
	long latency = (long)(now - rc->t_last);
	rc->t_last = now;
	/* An error with no failure of the call: nothing was sent. */
	if (!rc->log || (!t->new_message_json && t->failure == API_FAIL_NONE))
		return;
	struct session *c = session_clone(rc->sess);
	if (t->index >= 0)
		while (c->nmessages > (size_t)t->index)
			session_remove_message(c, c->nmessages - 1);
	struct diag_list d;
	diag_list_init(&d);
	char *body = request_build(c, REQUEST_MESSAGES, 1, &d);
	diag_list_done(&d);
	session_free(c);
	struct logcall_request rq = rc->rq;
	rq.body = body;
	if (logcall_record_message(rc->log, &rq, t->new_message_json, t->failure, NULL, t->error,
				   latency) < 0)
		cli_msg(stderr, "pwb replay: warning: the answer was not logged: %s\n",
			runlog_error(rc->log));
	free(body);
}

static void print_turn(void *ud, const struct replay_turn *t)
{
	struct replay_cli *rc = ud;
	const struct opts *o = rc->o;
	log_turn(rc, t);
	if (o->json)
		return;
	char name[64];
	turn_name(t, name, sizeof name);
	switch (t->status) {
	case REPLAY_SAME:
		cli_msg(stdout, "%s: same\n", name);
		break;
	case REPLAY_CHANGED:
		cli_msg(stdout, "%s: changed\n", name);
		for (const char *p = t->diff ? t->diff : ""; *p;) {
			const char *e = strchr(p, '\n');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			cli_msg(stdout, "    %.*s\n", (int)len, p);
			p += len + (e ? 1 : 0);
		}
		break;
	case REPLAY_ERROR:
		cli_msg(stdout, "%s: error: %s\n", name, t->error ? t->error : "failed");
		break;
	}
	fflush(stdout);
}

static void print_json_error(const char *type, const char *message)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddArrayToObject(o, "turns");
	cJSON *s = cJSON_AddObjectToObject(o, "summary");
	cJSON_AddNumberToObject(s, "same", 0);
	cJSON_AddNumberToObject(s, "changed", 0);
	cJSON_AddNumberToObject(s, "errors", 0);
	cJSON *e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "type", type);
	cJSON_AddStringToObject(e, "message", message);
	char *t = cJSON_PrintUnformatted(o);
	cli_data(stdout, t, strlen(t));
	cli_data(stdout, "\n", 1);
	cJSON_free(t);
	cJSON_Delete(o);
}

/* Exit codes in order of precedence: 130, 4, 3, 2, 1, 0. */
static int worse(int a, int b)
{
	static const int rank[] = { 130, 4, 3, 2, 1, 0 };
	for (size_t i = 0; i < sizeof rank / sizeof rank[0]; i++)
		if (a == rank[i] || b == rank[i])
			return rank[i];
	return a > b ? a : b;
}

/* The exit code of a replay: the worst turn's failure (mapped here, in
 * cli/, like every command's), else 1 for a change under --check. */
static int replay_exit(const struct replay_result *r, int check)
{
	if (r->canceled)
		return EXIT_INTERRUPTED;
	int rc = EXIT_OK;
	for (size_t i = 0; i < r->n; i++)
		if (r->turns[i].status == REPLAY_ERROR)
			rc = worse(rc, r->turns[i].failure == API_FAIL_NONE
					       ? EXIT_INPUT : cli_exit_code(r->turns[i].failure));
	if (rc)
		return rc;
	return check && r->changed ? EXIT_CHANGED : EXIT_OK;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_print_help(help);
			return -1;
		} else if (!strcmp(a, "--all-turns")) {
			o->all_turns = 1;
		} else if (!strcmp(a, "--check")) {
			o->check = 1;
		} else if (!strcmp(a, "--update")) {
			o->update = 1;
		} else if (!strcmp(a, "--force")) {
			o->force = 1;
		} else if (!strcmp(a, "--json")) {
			o->json = 1;
		} else if (!strcmp(a, "--max-retries") || !strcmp(a, "--timeout")) {
			char *end;
			long v = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : -1;
			if (i + 1 >= argc || *end || v < 0 || !*argv[i + 1]) {
				cli_msg(stderr, "pwb replay: %s needs a whole number of 0 or more\n", a);
				return EXIT_INPUT;
			}
			i++;
			if (!strcmp(a, "--timeout"))
				o->timeout_s = v;
			else
				o->max_retries = v;
		} else if (cli_take_arg("replay", help, argc, argv, &i, &o->sets, &o->file)) {
			return EXIT_INPUT;
		}
	}
	if (!o->file) {
		cli_msg(stderr, "pwb replay: no FILE given\n%s", help);
		return EXIT_INPUT;
	}
	if (o->force && !o->update) {
		cli_msg(stderr, "pwb replay: --force goes with --update\n");
		return EXIT_INPUT;
	}
	if (o->update && !strcmp(o->file, "-")) {
		cli_msg(stderr, "pwb replay: --update needs a FILE to write to, not standard input\n");
		return EXIT_INPUT;
	}
	return 0;
}

/* --update: apply to the file's own session (without the -s overrides,
 * which are for this run only) and save atomically; the save refuses when
 * the file changed on disk since it was loaded. Returns an exit code. */
static int update_file(struct preset *p, const struct replay_result *res, const struct opts *o,
		       const char *key)
{
	preset_restore_file_vars(p);
	size_t n = replay_apply(preset_session(p), res);
	if (!n) {
		if (!o->json)
			fputs("nothing to update: no turn changed\n", stdout);
		return 0;
	}
	struct diag_list d;
	diag_list_init(&d);
	enum preset_save_result r = preset_save(p, NULL, o->force ? PRESET_SAVE_FORCE : 0, key, &d);
	cli_print_diags(stderr, &d, 0);
	diag_list_done(&d);
	if (r != PRESET_SAVED) {
		cli_msg(stderr, "pwb replay: %s was not updated\n", o->file);
		return EXIT_INPUT;
	}
	if (!o->json)
		cli_msg(stdout, "updated %s: %zu turn%s written\n", o->file, n, n == 1 ? "" : "s");
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	struct opts o = { .max_retries = -1, .timeout_s = -1 };
	int rc = parse_args(argc, argv, &o);
	if (rc) {
		cli_sets_done(&o.sets);
		return rc < 0 ? EXIT_OK : rc;
	}
	struct preset *p = NULL;
	char *jerr = NULL, *key = NULL;
	const char *ktype = NULL;
	struct loop *loop = NULL;
	struct api_config cfg;
	int have_cfg = 0;
	struct replay_result res = { 0 };
	struct runlog *log = NULL;
	char *abs = NULL;
	char version[RUNLOG_VERSION_ID_SIZE] = "";

	rc = cli_load_preset(o.file, &o.sets, &p, o.json ? &jerr : NULL);
	if (rc) {
		if (o.json)
			print_json_error("invalid_preset", jerr ? jerr : "cannot load the preset");
		goto out;
	}
	struct diag_list d;
	diag_list_init(&d);
	if (replay_check_plan(preset_session(p), o.all_turns, &d) < 0) {
		char *msg = xasprintf("%s: %s", o.file, d.v[0].message);
		cli_msg(stderr, "pwb replay: %s\n", msg);
		if (o.json)
			print_json_error("no_response", msg);
		free(msg);
		diag_list_done(&d);
		rc = EXIT_INPUT;
		goto out;
	}
	diag_list_done(&d);
	rc = cli_get_key(&key, &ktype);
	if (rc) {
		if (o.json)
			print_json_error(ktype ? ktype : "missing_key", "no usable API key");
		goto out;
	}
	have_cfg = 1;
	cli_set_output_key(key);
	rc = cli_api_config(&cfg, preset_session(p), key);
	if (rc) {
		if (o.json)
			print_json_error("usage", "ANTHROPIC_BASE_URL is refused (see stderr)");
		goto out;
	}
	if (o.max_retries >= 0)
		cfg.max_retries = (int)o.max_retries;
	if (o.timeout_s >= 0)
		cfg.timeout_ms = o.timeout_s * 1000;
	char *lerr = NULL;
	log = runlog_open(NULL, key, &lerr);
	if (!log && lerr)
		cli_msg(stderr, "pwb replay: warning: run log not written: %s\n", lerr);
	free(lerr);
	logcall_version(log, p, version);
	abs = log ? logcall_preset_path(p) : NULL;
	loop = loop_new();
	struct replay_cli rcli = {
		.o = &o,
		.log = log,
		.rq = { .command = "replay", .cfg = &cfg, .model = preset_session(p)->model,
			.version_id = version, .preset_path = abs },
		.sess = preset_session(p),
		.loop = loop,
		.t_last = loop_now_ms(loop),
	};
	struct api_call *current = NULL;
	cli_sigint_install(loop, &current);
	struct replay_hooks hooks = { .on_turn = print_turn, .current = &current, .ud = &rcli };
	replay_run(loop, &cfg, preset_session(p), o.all_turns, &hooks, &res, NULL);
	cli_sigint_remove(loop);
	rc = replay_exit(&res, o.check);
	if (o.json) {
		char *j = replay_result_json(&res);
		cli_data(stdout, j, strlen(j));
		cli_data(stdout, "\n", 1);
		free(j);
	} else {
		cli_msg(stdout, "replay: %zu turn%s: %zu same, %zu changed, %zu error%s%s\n", res.n,
		       res.n == 1 ? "" : "s", res.same, res.changed, res.errors,
		       res.errors == 1 ? "" : "s", res.canceled ? " (interrupted)" : "");
	}
	if (o.update && !res.canceled)
		rc = worse(rc, update_file(p, &res, &o, key));
	fflush(stdout);
out:
	replay_result_done(&res);
	if (have_cfg)
		api_config_done(&cfg);
	loop_free(loop);
	runlog_close(log);
	free(abs);
	free(key);
	free(jerr);
	preset_free(p);
	cli_sets_done(&o.sets);
	return rc;
}
