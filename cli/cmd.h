/* The headless commands: each is a thin front end over core/. Every one
 * returns the process exit code (pwb(1) EXIT STATUS). */
#ifndef PWB_CMD_H
#define PWB_CMD_H

int cmd_run(int argc, char **argv);
int cmd_request(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_batch(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_improve(int argc, char **argv);

/* Exit codes. */
enum {
	EXIT_OK = 0,
	EXIT_CHANGED = 1,   /* pwb replay --check: answers changed */
	EXIT_INPUT = 2,     /* usage, invalid preset, missing/admin key, local file */
	EXIT_API = 3,       /* non-retryable API error response */
	EXIT_NETWORK = 4,   /* network/protocol side, retried or not */
	EXIT_INTERRUPTED = 130,
};

#endif
