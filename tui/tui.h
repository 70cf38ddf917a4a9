/* The workbench entry point: pwb [OPTIONS] [FILE]. */
#ifndef PWB_TUI_H
#define PWB_TUI_H

int tui_main(int argc, char **argv);

#endif
