/*
 * theme - colour themes: a table from display role to colours and
 * attributes, loaded from themes/NAME.yaml with libyaml.
 *
 * A theme file is one YAML mapping of role -> { fg, bg, attrs }. Colours
 * are names (default, black, red, green, yellow, blue, magenta, cyan,
 * white, bright-black .. bright-white) or colorN (0..255); attrs is a
 * list or a comma/space separated string of bold, dim, underline,
 * reverse, standout, italic, blink, none. Roles a file leaves out keep
 * the built-in default. Code names roles, never colours.
 *
 * No curses here (the UI maps attributes to curses), so the loader can be
 * tested and fuzzed alone.
 *
 * Ownership: struct theme is a plain value owned by the caller.
 * Errors: theme_load* return -1 with "file:line:col: what" in e->msg for
 * unknown roles or keys, bad colour names, anchors/aliases, bad structure;
 * the theme is then left as the built-in default.
 */
#ifndef RELAYDECK_THEME_H
#define RELAYDECK_THEME_H

#include <stddef.h>

#include "err.h"

enum theme_role {
	ROLE_NORMAL, ROLE_TITLE, ROLE_STATUS, ROLE_SELECTED, ROLE_HEADER,
	ROLE_GROUP, ROLE_PENDING, ROLE_CHANGED, ROLE_ERROR, ROLE_WARNING,
	ROLE_OK, ROLE_DIM, ROLE_DIFF_ADD, ROLE_DIFF_DEL, ROLE_DIFF_HUNK,
	ROLE_HELP, ROLE_COUNT
};

#define THEME_COLOR_DEFAULT (-1)

#define THEME_A_BOLD	0x01
#define THEME_A_DIM	0x02
#define THEME_A_UNDERLINE 0x04
#define THEME_A_REVERSE	0x08
#define THEME_A_STANDOUT 0x10
#define THEME_A_ITALIC	0x20
#define THEME_A_BLINK	0x40

struct theme_style {
	short fg;		/* THEME_COLOR_DEFAULT or 0..255 */
	short bg;
	unsigned attrs;		/* THEME_A_* */
};

struct theme {
	char name[64];
	struct theme_style role[ROLE_COUNT];
};

/* theme_builtin - the built-in default theme (same as default.yaml). */
void theme_builtin(struct theme *th);

/* theme_builtin_mono - attributes only, for NO_COLOR and mono terminals. */
void theme_builtin_mono(struct theme *th);

/* theme_load_mem - parse a theme from data; path names it in errors. */
int theme_load_mem(struct theme *th, const char *path, const char *data, size_t len,
		   struct err *e);

/* theme_load_file - read and parse one theme file. */
int theme_load_file(struct theme *th, const char *path, struct err *e);

/* theme_load - load theme name (or a path when it contains '/') from dir. */
int theme_load(struct theme *th, const char *dir, const char *name, struct err *e);

/* theme_find_dir - the first existing directory of: opt_dir,
 * $RELAYDECK_THEMES_DIR, PKGDATADIR/themes, the binary's directory's
 * themes/, the source tree's themes/ (for a build outside the source
 * tree), ./themes (the guessed ones must hold default.yaml). Copies it
 * into out; -1 when none exists. */
int theme_find_dir(const char *opt_dir, char *out, size_t outlen);

/* theme_role_name - "normal", "diff_add", ... */
const char *theme_role_name(enum theme_role r);

#endif
