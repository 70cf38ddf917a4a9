/* pwb validate FILE...: every problem of every preset on stdout, as
 * FILE:LINE:COL: error|warning: message, in file order. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "core/diag.h"
#include "core/preset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: pwb validate FILE...\n"
	"\n"
	"Check each preset (FILE '-' reads standard input) and print every problem\n"
	"as FILE:LINE:COL: error: message or FILE:LINE:COL: warning: message.\n"
	"Exit 0 when there is no error (warnings allowed), 2 otherwise.\n";

/* Order by line, then column, keeping the original order on ties. */
static int before(const struct diag *x, const struct diag *y)
{
	return x->line < y->line || (x->line == y->line && x->col < y->col);
}

static void print_sorted(const struct diag_list *d)
{
	size_t *order = malloc((d->n + 1) * sizeof *order);
	for (size_t k = 0; k < d->n; k++) {
		size_t j = k;
		while (j > 0 && before(&d->v[k], &d->v[order[j - 1]])) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = k;
	}
	/* Diagnostics echo the preset's strings: escaped, whatever the destination. */
	struct diag_list one;
	for (size_t k = 0; k < d->n; k++) {
		one.v = &d->v[order[k]];
		one.n = 1;
		cli_print_diags(stdout, &one, 0);
	}
	free(order);
}

int cmd_validate(int argc, char **argv)
{
	int nfiles = 0, errors = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(help, stdout);
			return EXIT_OK;
		}
		if (argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--")) {
			cli_msg(stderr, "pwb validate: unknown option '%s'\n%s", argv[i], help);
			return EXIT_INPUT;
		}
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			continue;
		nfiles++;
		struct diag_list d;
		diag_list_init(&d);
		struct preset *p = preset_load_file(argv[i], &d);
		if (p)
			preset_validate(p, &d);
		print_sorted(&d);
		errors += (int)diag_count(&d, DIAG_ERROR);
		diag_list_done(&d);
		preset_free(p);
	}
	if (!nfiles) {
		cli_msg(stderr, "pwb validate: no FILE given\n%s", help);
		return EXIT_INPUT;
	}
	fflush(stdout);
	return errors ? EXIT_INPUT : EXIT_OK;
}
