/* STUB: replaced by the real command. */
#include "cli/cmd.h"
#include <stdio.h>
int cmd_models(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "pwb models: not implemented yet\n");
	return EXIT_INPUT;
}
