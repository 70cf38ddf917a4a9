/* pwb models: model ids, from GET /v1/models when a key is present, else
 * the built-in list; which one is said on stderr. */
#include "cli/cmd.h"
#include "cli/common.h"
#include "core/api.h"
#include "core/cost.h"
#include "core/diag.h"
#include "core/keys.h"
#include "core/loop.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: pwb models\n"
	"\n"
	"Print model ids, one per line, newest first: the live list from\n"
	"GET /v1/models when an API key is present (ANTHROPIC_API_KEY, else ./.env),\n"
	"otherwise pwb's built-in list. A line on stderr says which.\n";

static int builtin(const char *why)
{
	cli_msg(stderr, "pwb models: built-in list (%s)\n", why);
	for (size_t i = 0; cost_builtin_models[i]; i++)
		puts(cost_builtin_models[i]);
	return EXIT_OK;
}

int cmd_models(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cli_print_help(help);
			return EXIT_OK;
		}
		cli_msg(stderr, "pwb models: unexpected argument '%s'\n%s", argv[i], help);
		return EXIT_INPUT;
	}
	struct diag_list d;
	diag_list_init(&d);
	char *key = NULL;
	enum key_source src = keys_find(".env", &key, &d);
	cli_print_diags(stderr, &d, 0);
	diag_list_done(&d);
	if (src == KEY_NONE || !key || !*key) {
		free(key);
		return builtin("no API key");
	}
	if (keys_is_admin(key)) {
		free(key);
		return builtin("the key is an Admin API key, which pwb does not use");
	}
	struct api_config cfg;
	cli_set_output_key(key);
	if (cli_api_config(&cfg, NULL, key) != 0) {
		api_config_done(&cfg);
		free(key);
		return EXIT_INPUT;
	}
	struct loop *loop = loop_new();
	struct api_call *call = NULL;
	cli_sigint_install(loop, &call);
	call = api_call_start(loop, &cfg, API_MODELS, NULL, 0, NULL);
	api_call_wait(loop, call);
	cli_sigint_remove(loop);
	int rc = EXIT_OK;
	enum api_failure f = api_call_failure(call);
	if (f != API_FAIL_NONE) {
		rc = cli_exit_code(f);
		if (f == API_FAIL_CANCELED) {
			cli_msg(stderr, "pwb models: interrupted\n");
		} else {
			char *dsc = api_error_describe(api_call_error(call));
			cli_msg(stderr, "pwb models: %s\n", dsc);
			free(dsc);
		}
	} else {
		cJSON *j = cJSON_Parse(api_call_body(call));
		const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data"), *m;
		if (!cJSON_IsArray(data)) {
			cli_msg(stderr, "pwb models: the response has no data list\n");
			rc = EXIT_NETWORK;
		} else {
			char *shown = api_url_display(cfg.base_url);
			cli_msg(stderr, "pwb models: live list from %s/v1/models (%d models)\n", shown,
				cJSON_GetArraySize(data));
			free(shown);
			cJSON_ArrayForEach(m, data) {
				const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "id"));
				if (id) {
					cli_data(stdout, id, strlen(id));
					cli_data(stdout, "\n", 1);
				}
			}
		}
		cJSON_Delete(j);
	}
	api_call_free(call);
	loop_free(loop);
	api_config_done(&cfg);
	free(key);
	return rc;
}
