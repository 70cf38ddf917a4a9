/* One forced-tool request of a meta-prompt (core/meta.h), as `pwb
 * generate` and `pwb improve` send it: built from the meta preset's
 * session, sent through the core client (Ctrl-C cancels), recorded in the
 * run log under the command's name, its cost printed. */
#ifndef PWB_CLI_META_CALL_H
#define PWB_CLI_META_CALL_H

struct preset;

/* Send the meta preset (its variables already set; model, when not NULL,
 * replaces its model) with the API key key. On success returns 0 with
 * *input_json (malloc'd): the forced tool's input; prints "cost: ..." on
 * stdout. Otherwise returns the exit code (printed on stderr as
 * "pwb CMD: ..."): 2 bad input, 3/4/130 as cli_exit_code, 1 when the
 * answer does not call the tool. */
int meta_call_run(const char *cmd, struct preset *meta, const char *model, const char *key,
		  char **input_json);

#endif
