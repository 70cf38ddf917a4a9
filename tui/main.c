/* STUB: replaced by the workbench. */
#include "tui/tui.h"
#include <stdio.h>
int tui_main(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "pwb: the workbench is not built yet; see pwb --help\n");
	return 2;
}
