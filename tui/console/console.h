/*
 * console - the interactive front end: one event loop over a stack of
 * screens, opened by main() when no subcommand is given.
 *
 * console_run takes the terminal, runs until the admin quits and gives
 * the terminal back (endwin) before it returns, so the caller may print
 * e afterwards. It does not free t.
 * Errors: -1 with e filled when the terminal cannot be used or main.cf
 * cannot be read or parsed; problems found later (theme, postconf) are
 * shown inside the console instead.
 */
#ifndef RELAYDECK_CONSOLE_H
#define RELAYDECK_CONSOLE_H

#include "err.h"

struct target;

struct console_opts {
	const char *theme;	/* NULL: $RELAYDECK_THEME, else "default" */
	int no_color;		/* NO_COLOR set: attributes only */
	const char *themes_dir;	/* where *.yaml live; NULL: see theme_find_dir */
};

int console_run(struct target *t, const struct console_opts *o, struct err *e);

/* A fleet: the console opens on the Fleet screen (every host with its
 * state, refreshed in the background); Enter opens one host in every
 * other screen, q goes back to the fleet. */
struct console_fleet {
	char **hosts;
	size_t n;
	/* open one host (from any thread, or a fiber of a fleet loop) */
	struct target *(*open)(void *arg, const char *host, struct err *e);
	void *arg;
	size_t parallel;	/* 0: the fleet default */
	int host_timeout_ms;	/* 0: the fleet default */
};

/* console_run_fleet - like console_run, on a fleet; the console opens and
 * frees the targets itself. */
int console_run_fleet(const struct console_fleet *f, const struct console_opts *o, struct err *e);

#endif
