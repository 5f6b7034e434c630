/*
 * keymap - the one key map: action names, the global key table and the
 * per-screen tables, and the help text generated from them.
 *
 * Keys are ints as ui.h defines them (code points, or UI_KEY(KEY_*)).
 * A screen's table is searched first, then the global one, so a screen
 * can give a key its own meaning. Help lists exactly what the tables say.
 *
 * Ownership: tables are static. keymap_help appends to a caller's buf.
 */
#ifndef RELAYDECK_KEYMAP_H
#define RELAYDECK_KEYMAP_H

#include <stddef.h>

#include "buf.h"

enum act {
	ACT_NONE,
	ACT_UP, ACT_DOWN, ACT_PAGE_UP, ACT_PAGE_DOWN, ACT_TOP, ACT_BOTTOM,
	ACT_SEARCH, ACT_SEARCH_NEXT, ACT_BACK, ACT_ENTER, ACT_HELP, ACT_REDRAW,
	ACT_UNSET, ACT_DROP, ACT_CHANGES, ACT_APPLY, ACT_REBASE, ACT_HISTORY,
	ACT_WIZ_BACK, ACT_WIZ_LEAVE, ACT_WIZ_ADD, ACT_WIZ_DEL, ACT_WIZ_TOGGLE,
	ACT_PROBE_RUN, ACT_PIN,
	ACT_SCREEN_RELAY, ACT_SCREEN_CREDS, ACT_SCREEN_MAPS, ACT_SCREEN_SETUP, ACT_SCREEN_PROBE,
	ACT_ADD, ACT_ROTATE, ACT_REMOVE, ACT_FIX, ACT_TRY,
	ACT_SCREEN_QUEUE, ACT_Q_VIEW, ACT_Q_MARK, ACT_Q_MARK_ALL, ACT_Q_MARK_CLEAR,
	ACT_Q_FILTER, ACT_Q_FILTER_CLEAR, ACT_Q_SORT, ACT_Q_SORT_REVERSE,
	ACT_Q_HOLD, ACT_Q_RELEASE, ACT_Q_REQUEUE, ACT_Q_DELETE, ACT_Q_FLUSH, ACT_Q_FLUSH_ALL,
	ACT_Q_REFRESH, ACT_Q_SEARCH, ACT_Q_SEARCH_NEXT, ACT_Q_QUEUES, ACT_Q_BY, ACT_Q_BODY,
	ACT_SCREEN_FLEET, ACT_FLEET_SORT, ACT_FLEET_FILTER, ACT_FLEET_REFRESH,
	ACT_FLEET_MARK, ACT_FLEET_MARK_ALL, ACT_FLEET_MARK_CLEAR, ACT_FLEET_PROBE, ACT_FLEET_CHANGE,
	ACT_FC_SET,
	ACT_SCREEN_DASHBOARD, ACT_D_REFRESH, ACT_D_PROBE, ACT_D_START,
	ACT_SCREEN_LOGS, ACT_L_REFRESH, ACT_L_WINDOW,
	ACT_COUNT
};

struct keybind {
	int key;
	enum act act;
};

/* A table ends with { 0, ACT_NONE }. */
extern const struct keybind keymap_global[];
extern const struct keybind keymap_fleet[];
extern const struct keybind keymap_fleetchange[];
extern const struct keybind keymap_relay[];
extern const struct keybind keymap_changes[];
extern const struct keybind keymap_history[];
extern const struct keybind keymap_setup[];
extern const struct keybind keymap_probe[];
extern const struct keybind keymap_creds[];
extern const struct keybind keymap_maps[];
extern const struct keybind keymap_map_table[];
extern const struct keybind keymap_queue[];
extern const struct keybind keymap_queue_msg[];
extern const struct keybind keymap_dashboard[];
extern const struct keybind keymap_logs[];

/* keymap_lookup - action for key: screen table, then global; ACT_NONE. */
enum act keymap_lookup(const struct keybind *screen, int key);

/* keymap_act_name / keymap_act_help - "search", "Search forward". */
const char *keymap_act_name(enum act a);
const char *keymap_act_help(enum act a);

/* keymap_key_name - "k", "Up", "C-f", "PgDn", "Enter", "Esc". */
const char *keymap_key_name(int key, char *out, size_t outlen);

/* keymap_hints - short "key:action" hints of a screen for the status bar. */
int keymap_hints(const struct keybind *screen, struct buf *out);

/* keymap_help - one line per action: its keys, then what it does. The
 * screen's own actions come first, under title, then the global ones. */
int keymap_help(const struct keybind *screen, const char *title, struct buf *out);

#endif
