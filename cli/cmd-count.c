/* pwb count FILE: input tokens from count_tokens and the cost estimate of
 * that input plus max_tokens of output. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "core/api.h"
#include "core/cost.h"
#include "core/diag.h"
#include "core/loop.h"
#include "core/preset.h"
#include "core/request.h"
#include "core/session.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: pwb count FILE [--json] [-s NAME=VALUE]...\n"
	"\n"
	"Count the input tokens of preset FILE ('-' reads standard input) with\n"
	"POST /v1/messages/count_tokens (only model, messages, system, tools,\n"
	"tool_choice, thinking, output_config and cache_control are sent), and\n"
	"estimate the cost of that input plus max_tokens of output from pwb's\n"
	"built-in price table. A model without a known price says so.\n"
	"\n"
	"  --json           print {\"input_tokens\": N, \"max_tokens\": N|null,\n"
	"                   \"model\": \"...\", \"cost_usd\": X|null}\n"
	"  -s NAME=VALUE    set the variable {{NAME}} (repeatable)\n";

int cmd_count(int argc, char **argv)
{
	int json = 0, rc = EXIT_OK;
	const char *file = NULL;
	struct cli_sets sets = { 0 };
	struct preset *p = NULL;
	char *body = NULL, *key = NULL;
	struct loop *loop = NULL;
	struct api_call *call = NULL;
	struct api_config cfg;
	int have_cfg = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			cli_print_help(help);
			goto out;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if ((rc = cli_take_arg("count", help, argc, argv, &i, &sets, &file)) != 0) {
			goto out;
		}
	}
	if (!file) {
		cli_msg(stderr, "pwb count: missing FILE\nusage: pwb count FILE [--json] [-s NAME=VALUE]...\n");
		rc = EXIT_INPUT;
		goto out;
	}
	if ((rc = cli_load_preset(file, &sets, &p, NULL)) != 0)
		goto out;
	struct diag_list d;
	diag_list_init(&d);
	body = request_build(preset_session(p), REQUEST_COUNT_TOKENS, 0, &d);
	/* cli_load_preset already printed the warnings, with positions. */
	cli_print_diags(stderr, &d, 1);
	diag_list_done(&d);
	if (!body) {
		rc = EXIT_INPUT;
		goto out;
	}
	if ((rc = cli_get_key(&key, NULL)) != 0)
		goto out;
	const struct session *s = preset_session(p);
	have_cfg = 1;
	cli_set_output_key(key);
	if ((rc = cli_api_config(&cfg, s, key)) != 0)
		goto out;
	loop = loop_new();
	cli_sigint_install(loop, &call);
	call = api_call_start(loop, &cfg, API_COUNT_TOKENS, body, 0, NULL);
	api_call_wait(loop, call);
	cli_sigint_remove(loop);
	enum api_failure f = api_call_failure(call);
	if (f != API_FAIL_NONE) {
		rc = cli_exit_code(f);
		if (f == API_FAIL_CANCELED) {
			cli_msg(stderr, "pwb count: interrupted\n");
		} else {
			char *dsc = api_error_describe(api_call_error(call));
			cli_msg(stderr, "pwb count: %s\n", dsc);
			free(dsc);
		}
		goto out;
	}
	cJSON *j = cJSON_Parse(api_call_body(call));
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(j, "input_tokens");
	if (!cJSON_IsNumber(it)) {
		cli_msg(stderr, "pwb count: the response has no input_tokens\n");
		cJSON_Delete(j);
		rc = EXIT_NETWORK;
		goto out;
	}
	long input = (long)it->valuedouble;
	cJSON_Delete(j);
	long max_tokens = s->max_tokens ? strtol(s->max_tokens, NULL, 10) : -1;
	double usd = 0;
	int known = s->model && cost_estimate(s->model, input, max_tokens > 0 ? max_tokens : 0, &usd);
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "input_tokens", (double)input);
		if (max_tokens >= 0)
			cJSON_AddNumberToObject(o, "max_tokens", (double)max_tokens);
		else
			cJSON_AddNullToObject(o, "max_tokens");
		cJSON_AddStringToObject(o, "model", s->model ? s->model : "");
		if (known)
			cJSON_AddNumberToObject(o, "cost_usd", usd);
		else
			cJSON_AddNullToObject(o, "cost_usd");
		char *t = cJSON_PrintUnformatted(o);
		cli_data(stdout, t, strlen(t));
		cli_data(stdout, "\n", 1);
		free(t);
		cJSON_Delete(o);
	} else {
		printf("input tokens: %ld\n", input);
		if (known)
			cli_msg(stdout, "estimated cost: $%.6f (%ld input + %ld max_tokens output, %s)\n", usd,
			       input, max_tokens > 0 ? max_tokens : 0, s->model);
		else
			cli_msg(stdout, "estimated cost: unknown (no known price for %s)\n",
			       s->model ? s->model : "the model");
	}
out:
	api_call_free(call);
	loop_free(loop);
	if (have_cfg)
		api_config_done(&cfg);
	free(body);
	free(key);
	preset_free(p);
	cli_sets_done(&sets);
	return rc;
}
