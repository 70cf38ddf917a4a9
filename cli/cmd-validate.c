/* STUB: replaced by the real command. */
#include "cli/cmd.h"
#include <stdio.h>
int cmd_validate(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "pwb validate: not implemented yet\n");
	return EXIT_INPUT;
}
