/* pwb export FILE --lang c|python|js|curl [--stream] [-o OUT [--force]] [-s NAME=VALUE]...
 * Writes a runnable program that sends the request of FILE (core/export). */
#include "cli/cmd.h"
#include "cli/common.h"
#include "core/diag.h"
#include "core/export.h"
#include "core/file.h"
#include "core/keys.h"
#include "core/preset.h"
#include "core/session.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char HELP[] =
	"usage: pwb export FILE --lang c|python|js|curl [--stream] [-o OUT [--force]]\n"
	"                  [-s NAME=VALUE]...\n"
	"\n"
	"Write a complete program that sends exactly the request pwb sends for FILE\n"
	"(the body of `pwb request FILE --no-stream`, or of `pwb request FILE` with\n"
	"--stream), with the same anthropic-version and anthropic-beta. The key is\n"
	"read from ANTHROPIC_API_KEY when the program runs, never written.\n"
	"\n"
	"  --lang LANG        c (libcurl + cJSON), python (anthropic SDK),\n"
	"                     js (@anthropic-ai/sdk, ES module), curl (bash script)\n"
	"  --stream           a streaming request (python and js also stream when\n"
	"                     max_tokens is too large for the SDKs' non-stream calls)\n"
	"  -o, --output OUT   write to OUT instead of standard output (through a\n"
	"                     temporary file and a rename: on failure OUT is untouched;\n"
	"                     a symbolic link is refused unless --force)\n"
	"  --force            with -o, replace a symbolic link OUT by the file\n"
	"  -s, --set NAME=VALUE  set a {{variable}} (repeatable)\n";

/* Refuse to write anything that looks like a key: the configured one or a
 * key-shaped string that came in through the preset. */
static int holds_key(const char *text)
{
	size_t off, len;
	if (cli_holds_configured_key(text)) {
		cli_msg(stderr, "pwb export: the request contains the API key; nothing written\n");
		return 1;
	}
	if (keys_find_shaped(text, strlen(text), &off, &len)) {
		cli_msg(stderr, "pwb export: the request contains a key-shaped string (%.12s...); "
			"nothing written\n", text + off);
		return 1;
	}
	return 0;
}

/* Written through a temporary file and a rename, so a full disk or a
 * crash never leaves OUT half-written; a symlink OUT is refused unless
 * forced (then the link itself is replaced, its target left alone). */
static int write_out(const char *path, const char *text, int executable, int force)
{
	struct stat st;
	mode_t um = umask(0);
	umask(um);
	mode_t mode = executable ? 0755 : 0666 & ~um;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode) && !force) {
			cli_msg(stderr, "pwb export: %s is a symbolic link; nothing written (use "
				"--force to replace the link with the file)\n", path);
			return EXIT_INPUT;
		}
		if (!S_ISLNK(st.st_mode) && !S_ISREG(st.st_mode)) {
			cli_msg(stderr, "pwb export: %s is not a regular file; nothing written\n", path);
			return EXIT_INPUT;
		}
		if (S_ISREG(st.st_mode) && !executable)
			mode = st.st_mode & 07777; /* replacing keeps the mode, as writing in place did */
	}
	const char *step = NULL;
	if (file_write_atomic(path, text, strlen(text), mode, &step) < 0) {
		cli_msg(stderr, "pwb export: %s: %s: %s (the old file is untouched)\n", path, step,
			strerror(errno));
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lang", required_argument, NULL, 'l' },
		{ "stream", no_argument, NULL, 'S' },
		{ "output", required_argument, NULL, 'o' },
		{ "set", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_sets sets = { 0 };
	const char *lang_name = NULL, *out_path = NULL;
	int stream = 0, force = 0, c, rc = EXIT_INPUT;
	enum export_lang lang = EXPORT_C;

	optind = 1;
	while ((c = getopt_long(argc, argv, "l:o:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			lang_name = optarg;
			break;
		case 'S':
			stream = 1;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'F':
			force = 1;
			break;
		case 's':
			if (cli_sets_add(&sets, optarg))
				goto out;
			break;
		case 'h':
			cli_print_help(HELP);
			rc = EXIT_OK;
			goto out;
		default:
			cli_msg(stderr, "%s", HELP);
			goto out;
		}
	}
	if (optind != argc - 1 || !lang_name) {
		cli_msg(stderr, "pwb export: %s\n%s", optind != argc - 1 ?
			"exactly one FILE is needed" : "--lang is needed", HELP);
		goto out;
	}
	if (export_lang_parse(lang_name, &lang)) {
		cli_msg(stderr, "pwb export: unknown language '%s' (c, python, js or curl)\n",
			lang_name);
		goto out;
	}

	struct preset *p;
	if ((rc = cli_load_preset(argv[optind], &sets, &p, NULL)))
		goto out;
	struct diag_list diags;
	diag_list_init(&diags);
	int forced = 0;
	char *text = export_render(preset_session(p), lang, stream, &diags, &forced);
	if (!text) {
		cli_print_diags(stderr, &diags, 0);
		rc = EXIT_INPUT;
	} else if (holds_key(text)) {
		rc = EXIT_INPUT;
	} else {
		if (forced)
			cli_msg(stderr, "pwb export: note: max_tokens is %s, more than the %s SDK "
				"allows without streaming: the export streams (its body is that of "
				"`pwb request %s`)\n", preset_session(p)->max_tokens,
				lang == EXPORT_PYTHON ? "Python" : "JavaScript", argv[optind]);
		if (out_path)
			rc = write_out(out_path, text, lang == EXPORT_CURL, force);
		else
			cli_data(stdout, text, strlen(text)); /* main checks the final flush */
	}
	free(text);
	diag_list_done(&diags);
	preset_free(p);
out:
	cli_sets_done(&sets);
	return rc;
}
