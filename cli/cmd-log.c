/* pwb log: read the run log (core/runlog.h). The latest answers, or the
 * versions of one preset; one answer or version in full; a diff of two
 * versions. Reading never creates a log: a missing one is said so. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "core/runlog.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: pwb log [FILE] [-n N] [--json]\n"
	"       pwb log show ID [--preset] [--json]\n"
	"       pwb log diff V1 V2\n"
	"\n"
	"Read the run log, where run, eval, replay and the workbench record every\n"
	"answer ($PWB_LOG, else $XDG_DATA_HOME/pwb/log.db, else\n"
	"~/.local/share/pwb/log.db; PWB_LOG=off: no log).\n"
	"\n"
	"  (no FILE)        the latest answers, newest first: id, time (UTC),\n"
	"                   command, model, version, outcome, cost, first line\n"
	"  FILE             the versions of preset FILE, newest first: time,\n"
	"                   version id, model, what changed since the previous\n"
	"                   version, and the pass rate of each eval of it\n"
	"  -n N             at most N lines (default 20; 0: all)\n"
	"  --json           a JSON array instead of the table\n"
	"  show ID          an answer (a number) or a version (4 to 8 hex digits)\n"
	"                   in full; --json prints the answer as JSON\n"
	"  --preset         with show VERSION: only the version as a preset file,\n"
	"                   to restore it: pwb log show V --preset > old.yaml\n"
	"  diff V1 V2       a unified line diff of two versions\n";

/* Open the log for reading: 0 with *log, or an exit code (printed). */
static int open_for_reading(struct runlog **log)
{
	*log = NULL;
	char *path = runlog_default_path();
	if (!path) {
		const char *env = getenv("PWB_LOG");
		fprintf(stderr, "pwb log: %s\n", env && !strcmp(env, "off") ?
			"the run log is off (PWB_LOG=off)" :
			"no run log: set PWB_LOG=PATH (HOME is not set)");
		return EXIT_INPUT;
	}
	if (access(path, F_OK) != 0) {
		fprintf(stderr, "pwb log: no run log yet at %s\n", path);
		free(path);
		return EXIT_INPUT;
	}
	char *error = NULL;
	*log = runlog_open(path, NULL, &error);
	free(path);
	if (!*log) {
		fprintf(stderr, "pwb log: %s\n", error ? error : "cannot open the run log");
		free(error);
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

/* Outside text on one table line: control characters become '?', cut to
 * at most max bytes at a UTF-8 boundary. malloc'd. */
static char *cell(const char *s, size_t max)
{
	if (!s)
		return xstrdup("-");
	size_t len = strlen(s);
	if (len > max) {
		len = max;
		while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	char *out = xstrndup(s, len);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return out;
}

/* "2026-11-30T03:00:00.123Z" shown as "2026-11-30 03:00:00". */
static char *short_time(const char *t)
{
	char *out = cell(t, 19);
	if (strlen(out) > 10 && out[10] == 'T')
		out[10] = ' ';
	return out;
}

static void add_str(cJSON *o, const char *name, const char *v)
{
	cJSON_AddItemToObject(o, name, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static void print_json(cJSON *doc)
{
	char *text = cJSON_Print(doc);
	puts(text);
	free(text);
	cJSON_Delete(doc);
}

static int list_answers(struct runlog *log, long n, int json)
{
	struct runlog_answer_line *l = NULL;
	size_t count = 0;
	if (runlog_latest(log, n, &l, &count) != 0) {
		fprintf(stderr, "pwb log: %s\n", runlog_error(log));
		return EXIT_INPUT;
	}
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < count; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "id", (double)l[i].id);
			add_str(o, "created_at", l[i].created_at);
			add_str(o, "command", l[i].command);
			add_str(o, "model", l[i].model);
			add_str(o, "preset_path", l[i].preset_path);
			add_str(o, "version_id", l[i].version_id);
			add_str(o, "outcome", l[i].outcome);
			cJSON_AddNumberToObject(o, "cost_usd", l[i].cost_usd);
			cJSON_AddBoolToObject(o, "cached", l[i].cached);
			add_str(o, "text", l[i].first_line);
			cJSON_AddItemToArray(arr, o);
		}
		print_json(arr);
	} else {
		if (count)
			printf("%-6s %-19s  %-7s %-20s %-8s  %-9s %9s  %s\n", "ID", "TIME (UTC)", "COMMAND",
			       "MODEL", "VERSION", "OUTCOME", "COST", "TEXT");
		for (size_t i = 0; i < count; i++) {
			char *t = short_time(l[i].created_at), *c = cell(l[i].command, 7),
			     *m = cell(l[i].model, 20), *v = cell(l[i].version_id, 8),
			     *o = cell(l[i].outcome, 9), *x = cell(l[i].first_line, 60);
			printf("%-6lld %-19s  %-7s %-20s %-8s  %-9s %9.4f  %s%s\n", l[i].id, t, c, m, v, o,
			       l[i].cost_usd, l[i].cached ? "(cached) " : "", x);
			free(t); free(c); free(m); free(v); free(o); free(x);
		}
	}
	runlog_answer_lines_free(l, count);
	return EXIT_OK;
}

static int list_versions(struct runlog *log, const char *file, long n, int json)
{
	/* Versions are recorded under the preset's absolute path. */
	char resolved[PATH_MAX];
	const char *path = realpath(file, resolved) ? resolved : file;
	struct runlog_version_line *v = NULL;
	size_t count = 0;
	if (runlog_versions(log, path, n, &v, &count) != 0) {
		fprintf(stderr, "pwb log: %s\n", runlog_error(log));
		return EXIT_INPUT;
	}
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < count; i++) {
			cJSON *o = cJSON_CreateObject();
			add_str(o, "version_id", v[i].id);
			add_str(o, "created_at", v[i].created_at);
			add_str(o, "model", v[i].model);
			add_str(o, "change", v[i].summary);
			add_str(o, "evals", v[i].evals);
			cJSON_AddNumberToObject(o, "answers", (double)v[i].answers);
			if (v[i].graded)
				cJSON_AddNumberToObject(o, "mean_grade", v[i].mean_grade);
			else
				cJSON_AddNullToObject(o, "mean_grade");
			cJSON_AddItemToArray(arr, o);
		}
		print_json(arr);
	} else if (!count) {
		fprintf(stderr, "pwb log: no versions of %s in the log\n", path);
	} else {
		printf("%-19s  %-8s  %-20s  %s\n", "TIME (UTC)", "VERSION", "MODEL", "CHANGE / EVALS");
		for (size_t i = 0; i < count; i++) {
			char *t = short_time(v[i].created_at), *m = cell(v[i].model, 20),
			     *s = cell(v[i].summary, 200), *e = cell(v[i].evals, 200);
			char grade[32] = "";
			if (v[i].graded)
				snprintf(grade, sizeof grade, "; mean grade %.1f", v[i].mean_grade);
			printf("%-19s  %-8s  %-20s  %s%s%s; %ld answer%s%s\n", t, v[i].id, m, s,
			       *e ? "; evals: " : "", e, v[i].answers, v[i].answers == 1 ? "" : "s", grade);
			free(t); free(m); free(s); free(e);
		}
	}
	runlog_version_lines_free(v, count);
	return EXIT_OK;
}

/* A number is an answer id; eight digits could be either, and a version
 * is tried first. */
static int is_answer_id(struct runlog *log, const char *id)
{
	size_t len = strlen(id);
	if (!len || strspn(id, "0123456789") != len)
		return 0;
	if (len != 8)
		return 1;
	char *text = runlog_version_text(log, id);
	free(text);
	return text == NULL;
}

/* The text blocks of an answer's message, printed as they are. */
static void print_answer(const char *json)
{
	cJSON *o = cJSON_Parse(json);
	static const char *const fields[] = { "created_at", "command", "model", "preset_path",
					      "version_id", "outcome" };
	printf("answer %.0f\n", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "id")));
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, fields[i]));
		char *c = cell(v, 200);
		printf("%-12s %s\n", fields[i], c);
		free(c);
	}
	printf("%-12s %.6f\n%-12s %.0f ms%s\n", "cost_usd",
	       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "cost_usd")), "latency",
	       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "latency_ms")),
	       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "cached")) ? " (cached)" : "");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "message");
	const cJSON *block;
	cJSON_ArrayForEach(block, cJSON_GetObjectItemCaseSensitive(msg, "content")) {
		const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(block, "type"));
		const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(block, "text"));
		if (type && !strcmp(type, "text") && text)
			printf("\n%s\n", text);
		else if (type)
			printf("\n[%s block: pwb log show ID --json has it]\n", type);
	}
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(o, "error");
	if (err && !cJSON_IsNull(err)) {
		char *e = cJSON_PrintUnformatted(err);
		printf("\nerror %s\n", e);
		free(e);
	}
	cJSON_Delete(o);
}

static int show(struct runlog *log, const char *id, int preset, int json)
{
	if (is_answer_id(log, id)) {
		if (preset) {
			fprintf(stderr, "pwb log: --preset shows a version, and %s is an answer\n", id);
			return EXIT_INPUT;
		}
		char *doc = runlog_answer_json(log, strtoll(id, NULL, 10));
		if (!doc) {
			fprintf(stderr, "pwb log: %s\n", runlog_error(log));
			return EXIT_INPUT;
		}
		if (json)
			print_json(cJSON_Parse(doc));
		else
			print_answer(doc);
		free(doc);
		return EXIT_OK;
	}
	char *text = runlog_version_text(log, id);
	if (!text) {
		fprintf(stderr, "pwb log: %s\n", runlog_error(log));
		return EXIT_INPUT;
	}
	if (!preset)
		printf("# version %s (restore it with: pwb log show %s --preset > FILE)\n", id, id);
	fputs(text, stdout);
	free(text);
	return EXIT_OK;
}

int cmd_log(int argc, char **argv)
{
	int json = 0, preset = 0, rc = EXIT_OK;
	long n = 20;
	const char *args[3] = { NULL, NULL, NULL };
	int nargs = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_print_help(help);
			return EXIT_OK;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--preset")) {
			preset = 1;
		} else if (!strcmp(a, "-n") && i + 1 < argc) {
			char *end = NULL;
			n = strtol(argv[++i], &end, 10);
			if (!*argv[i] || *end || n < 0) {
				fprintf(stderr, "pwb log: -n takes a count, not '%s'\n", argv[i]);
				return EXIT_INPUT;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "pwb log: unknown option '%s'\n", a);
			cli_print_help(help);
			return EXIT_INPUT;
		} else if (nargs < 3) {
			args[nargs++] = a;
		} else {
			fprintf(stderr, "pwb log: too many arguments\n");
			return EXIT_INPUT;
		}
	}
	int is_show = nargs && !strcmp(args[0], "show"), is_diff = nargs && !strcmp(args[0], "diff");
	if ((is_show && nargs != 2) || (is_diff && nargs != 3) || (!is_show && !is_diff && nargs > 1)) {
		fprintf(stderr, "pwb log: wrong arguments\nusage: pwb log [FILE] [-n N] [--json] | "
				"pwb log show ID [--preset] | pwb log diff V1 V2\n");
		return EXIT_INPUT;
	}
	struct runlog *log = NULL;
	if ((rc = open_for_reading(&log)) != 0)
		return rc;
	if (is_show) {
		rc = show(log, args[1], preset, json);
	} else if (is_diff) {
		char *diff = runlog_version_diff(log, args[1], args[2]);
		if (diff) {
			fputs(diff, stdout);
			free(diff);
		} else {
			fprintf(stderr, "pwb log: %s\n", runlog_error(log));
			rc = EXIT_INPUT;
		}
	} else if (nargs == 1) {
		rc = list_versions(log, args[0], n, json);
	} else {
		rc = list_answers(log, n, json);
	}
	runlog_close(log);
	return rc;
}
