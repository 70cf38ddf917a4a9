/* The overlay views: help (generated from the key table), export (the
 * request as code; write to a file, copy with OSC 52), replay (recorded vs
 * new per turn), and lists (open a preset, choose a model). */
#ifndef PWB_TUI_VIEWS_H
#define PWB_TUI_VIEWS_H

#include "tui/app.h"

/* Fill the view's state for kind k (the engine allocated it). */
void views_open(struct app *a, enum view_kind k);
/* Write the export view's text to path. */
void views_export_write(struct app *a, const char *path);

/* The cancel action while a replay runs. */
void views_replay_cancel(struct app *a);
/* At exit: stop a running replay and free its report. */
void views_replay_free(struct app *a);

#endif
