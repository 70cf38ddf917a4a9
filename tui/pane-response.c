/* The response pane: the shown answer (thinking apart from text, tool_use
 * as formatted JSON, then the stop reason or the error), following the
 * stream unless the user scrolled away. Drawing walks back from the end
 * over visible rows only, so a long answer costs nothing extra per frame. */
#include "tui/app.h"
#include "tui/editor.h"
#include "tui/keymap.h"

#include <stdio.h>
#include <string.h>

static void response_draw(struct app *a, struct pane *p, struct rect r, int focused)
{
	(void)p, (void)focused;
	struct answer *ans = app_answer(a);
	if (!ans) {
		char hint[2][160];
		snprintf(hint[0], sizeof hint[0],
			 "No answer yet. %s sends the request; the answer streams here.",
			 keymap_label(ACT_RUN));
		snprintf(hint[1], sizeof hint[1], "%s (or %s outside text) lists every key.",
			 keymap_label(ACT_HELP), keymap_label(ACT_HELP_ALT));
		for (int i = 0; i < r.h; i++) {
			const char *t = i < 2 ? hint[i] : "";
			text_draw(r.y + i, r.x, r.w, t, strlen(t), LA_DIM);
		}
		if (!a->have_key && r.h > 3) {
			const char *t = "No API key: set ANTHROPIC_API_KEY or put it in .env here.";
			text_draw(r.y + 3, r.x, r.w, t, strlen(t), LA_ERROR);
		}
		return;
	}
	editor_draw(ans->view, r.y, r.x, r.h, r.w, 0, ans->follow, NULL, NULL);
}

static int response_action(struct app *a, struct pane *p, enum action act)
{
	struct answer *ans = app_answer(a);
	if (!ans)
		return 0;
	int w = p->r.w > 0 ? p->r.w : 80, h = p->r.h > 0 ? p->r.h : 10;
	if (ans->follow)
		textbuf_view_end(ans->view, w, h);
	switch (act) {
	case ACT_SCROLL_UP:
		textbuf_scroll(ans->view, -1, w, h);
		break;
	case ACT_SCROLL_DOWN:
		textbuf_scroll(ans->view, 1, w, h);
		break;
	case ACT_SCROLL_PAGE_UP:
		textbuf_scroll(ans->view, -(h > 1 ? h - 1 : 1), w, h);
		break;
	case ACT_SCROLL_PAGE_DOWN:
		textbuf_scroll(ans->view, h > 1 ? h - 1 : 1, w, h);
		break;
	case ACT_SCROLL_TOP:
		ans->view->top_line = ans->view->top_row = 0;
		break;
	case ACT_SCROLL_BOTTOM:
		ans->follow = 1;
		return 1;
	default:
		return 0;
	}
	/* scrolled back to the end: follow the stream again */
	ans->follow = textbuf_view_at_end(ans->view, w, h);
	return 1;
}

const struct pane_ops pane_response_ops = {
	.name = "Response",
	.chain = CHAIN_BROWSE,
	.draw = response_draw,
	.action = response_action,
};
