/* STUB: replaced by the real command. */
#include "cli/cmd.h"
#include <stdio.h>
int cmd_run(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "pwb run: not implemented yet\n");
	return EXIT_INPUT;
}
