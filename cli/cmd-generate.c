/* pwb generate: one forced-tool request to the generate meta-prompt turns
 * a task description into a new preset (a prompt template with
 * {{variables}}, parameters and test rows), checked as `pwb validate` and
 * `pwb eval` would check it, and saved atomically. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "cli/meta-call.h"
#include "core/diag.h"
#include "core/evalrows.h"
#include "core/meta.h"
#include "core/preset.h"
#include "core/session.h"
#include "core/testrows.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: pwb generate \"TASK DESCRIPTION\" -o FILE [options]\n"
	"Ask Claude for a prompt that does the task: a system prompt and a user turn\n"
	"template with {{variables}}, parameters, and test rows with a value for\n"
	"every variable. Writes a new preset FILE (meta-prompt: generate.yaml).\n"
	"  -o FILE          the preset to write (must not exist unless --force)\n"
	"  --model M        the model that writes the prompt (default: the\n"
	"                   meta-prompt's); the new preset uses it too\n"
	"  --rows N         how many test rows (default 5)\n"
	"  --force          overwrite FILE\n"
	"Exit: 0 written; 1 the answer was not a usable preset (nothing written);\n"
	"2 bad input; 3 API error; 4 network or protocol error; 130 interrupted.\n";

struct gen_args {
	const char *task, *out, *model;
	long rows;
	int force;
};

/* 0, 1 for --help, or EXIT_INPUT (printed). */
static int parse_args(int argc, char **argv, struct gen_args *a)
{
	a->rows = 5;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			cli_print_help(help);
			return 1;
		} else if (!strcmp(o, "-o") || !strcmp(o, "--model") || !strcmp(o, "--rows")) {
			if (!v) {
				cli_msg(stderr, "pwb generate: %s needs a value\n", o);
				return EXIT_INPUT;
			}
			i++;
			if (!strcmp(o, "-o")) {
				a->out = v;
			} else if (!strcmp(o, "--model")) {
				a->model = v;
			} else {
				char *end;
				errno = 0;
				a->rows = strtol(v, &end, 10);
				if (!*v || *end || errno || a->rows < 1 || a->rows > 100) {
					cli_msg(stderr, "pwb generate: --rows needs a whole number "
						"from 1 to 100\n");
					return EXIT_INPUT;
				}
			}
		} else if (!strcmp(o, "--force")) {
			a->force = 1;
		} else if (o[0] == '-' && o[1]) {
			cli_msg(stderr, "pwb generate: unknown option '%s'\n\n", o);
			fputs(help, stderr);
			return EXIT_INPUT;
		} else if (!a->task) {
			a->task = o;
		} else {
			cli_msg(stderr, "pwb generate: one TASK DESCRIPTION only (quote it)\n");
			return EXIT_INPUT;
		}
	}
	if (!a->task || !*a->task || !a->out) {
		cli_msg(stderr, "pwb generate: needs a TASK DESCRIPTION and -o FILE\n\n%s", help);
		return EXIT_INPUT;
	}
	return 0;
}

/* The new preset is what pwb validate and pwb eval accept: no errors, and
 * every row gives every variable the prompt uses. Printed; 1 when bad. */
static int check_generated(struct preset *p)
{
	struct diag_list d;
	diag_list_init(&d);
	preset_validate(p, &d);
	struct testrows *rows = diag_count(&d, DIAG_ERROR) ? NULL : evalrows_load(p, NULL, &d);
	if (rows)
		evalrows_check(rows, preset_session(p), &d);
	testrows_free(rows);
	int bad = diag_count(&d, DIAG_ERROR) > 0;
	if (bad) {
		cli_msg(stderr, "pwb generate: the generated preset is not valid (nothing written):\n");
		cli_print_diags(stderr, &d, 1);
	}
	diag_list_done(&d);
	return bad;
}

int cmd_generate(int argc, char **argv)
{
	struct gen_args a = { 0 };
	struct preset *meta = NULL, *p = NULL;
	char *key = NULL, *input = NULL, *rows = NULL;
	int rc = parse_args(argc, argv, &a);
	if (rc == 1) {
		rc = EXIT_OK;
		goto out;
	}
	if (rc)
		goto out;
	rc = EXIT_INPUT;
	if (!a.force && access(a.out, F_OK) == 0) {
		cli_msg(stderr, "pwb generate: %s exists (--force overwrites it)\n", a.out);
		goto out;
	}
	struct diag_list d;
	diag_list_init(&d);
	meta = meta_load("generate", &d);
	cli_print_diags(stderr, &d, 0);
	diag_list_done(&d);
	if (!meta)
		goto out;
	if (cli_get_key(&key, NULL))
		goto out;
	cli_set_output_key(key);
	struct session *ms = preset_session(meta);
	rows = xasprintf("%ld", a.rows);
	session_set_var(ms, "task", a.task);
	session_set_var(ms, "rows", rows);
	rc = meta_call_run("generate", meta, a.model, key, &input);
	if (rc)
		goto out;

	p = preset_new();
	struct session *s = preset_session(p);
	str_set(&s->model, ms->model);
	char *err = NULL;
	if (meta_generate_apply(input, s, &err)) {
		cli_msg(stderr, "pwb generate: unusable answer (nothing written): %s\n", err);
		free(err);
		rc = EXIT_CHANGED;
		goto out;
	}
	if (!s->description)
		str_set(&s->description, a.task);
	if (check_generated(p)) {
		rc = EXIT_CHANGED;
		goto out;
	}
	diag_list_init(&d);
	enum preset_save_result sr = preset_save(p, a.out, 0, key, &d);
	if (sr != PRESET_SAVED) {
		cli_msg(stderr, "pwb generate: %s not written%s\n", a.out,
			sr == PRESET_SAVE_KEY_SHAPED ? ": it would hold a key-shaped string" : ":");
		cli_print_diags(stderr, &d, 0);
		diag_list_done(&d);
		rc = sr == PRESET_SAVE_KEY_SHAPED ? EXIT_CHANGED : EXIT_INPUT;
		goto out;
	}
	struct testrows *tr = evalrows_load(p, NULL, &d);
	diag_list_done(&d);
	cli_msg(stdout, "wrote %s: %zu variable%s", a.out, s->nvars, s->nvars == 1 ? "" : "s");
	for (size_t i = 0; i < s->nvars; i++)
		cli_msg(stdout, "%s%s", i ? ", " : " (", s->vars[i].name);
	cli_msg(stdout, "%s, %zu test row%s\n", s->nvars ? ")" : "", tr ? tr->n : 0,
		tr && tr->n == 1 ? "" : "s");
	testrows_free(tr);
	rc = EXIT_OK;
out:
	free(rows);
	free(input);
	free(key);
	preset_free(p);
	preset_free(meta);
	return rc;
}
