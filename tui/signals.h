/* Signals through a self-pipe: each handler writes one byte naming its
 * signal; the event loop reads them and acts (resize, quit saving work,
 * redraw after SIGCONT). Crash signals restore the terminal with write()
 * only and re-raise. */
#ifndef PWB_TUI_SIGNALS_H
#define PWB_TUI_SIGNALS_H

enum sig_bits {
	SIGB_WINCH = 1, SIGB_TERM = 2, SIGB_HUP = 4, SIGB_CONT = 8, SIGB_TSTP = 16,
	SIGB_CHLD = 32, SIGB_INT = 64,
};

/* Create the pipe and install the handlers (before newterm, so curses
 * keeps its hands off SIGWINCH/SIGTSTP). tty: install crash handlers that
 * reset the terminal. Returns the read end of the pipe, or -1. */
int signals_init(int tty);
/* Drain the pipe; returns the sig_bits seen. */
int signals_read(void);
/* Uninstall the handlers and close the pipe. */
void signals_done(void);

#endif
