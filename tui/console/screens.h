/*
 * screens - the contract between the console loop and its screens, and
 * the services the console offers them.
 *
 * A screen is a vtable (like a tmux window mode) plus private data. The
 * loop routes keys: an open dialog first, then the console's own actions
 * (help, search, back, redraw), then the screen's list (movement), then
 * the screen's key handler. Handlers change state and mark the console
 * dirty; the loop draws once per batch of input.
 *
 * The console owns the model every screen shares: the target, the parsed
 * main.cf, the host's Postfix facts and the pending edits. A screen that
 * changes them calls console_reload so every screen refreshes. The host's
 * facts and the expansion arrive in the background (console_host and
 * console_expanded are NULL until then); the screen is redrawn when they
 * do, so screens read them when they draw.
 */
#ifndef RELAYDECK_SCREENS_H
#define RELAYDECK_SCREENS_H

#include <curses.h>

#include "err.h"
#include "keymap.h"
#include "theme.h"
#include "w_dialog.h"
#include "w_list.h"

struct console;
struct target;
struct maincf;
struct params_host;
struct pending;
struct console_fleet;

struct screen;

struct screen_ops {
	const char *title;
	const struct keybind *keys;
	/* set up s->data; -1 with e filled refuses the screen */
	int (*init)(struct screen *s, struct err *e);
	void (*free)(struct screen *s);
	/* the terminal is now h x w (the screen gets rows 0..h-1) */
	void (*resize)(struct screen *s, int h, int w);
	/* an action the console did not handle (a == ACT_NONE: raw key) */
	void (*key)(struct screen *s, enum act a, int key);
	/* draw into rows y..y+h-1 */
	void (*draw)(struct screen *s, WINDOW *w, int y, int h, int wd);
	/* the screen's list, for search and the mouse (may be NULL) */
	struct w_list *(*list)(struct screen *s);
	/* the shared model changed: rebuild rows */
	void (*on_reload)(struct screen *s);
	/* console_wake was called (a background job may be done); may be NULL */
	void (*on_wake)(struct screen *s);
	/* 1 when leaving would lose input not yet applied (the console asks
	 * before a screen switch closes it); may be NULL */
	int (*unsaved)(struct screen *s);
	/* 1 while the screen takes typed text itself (a search field): every
	 * key then goes to key() as ACT_NONE, before the console's own keys
	 * (q, ?, 1-7); may be NULL */
	int (*capture)(struct screen *s);
};

struct screen {
	const struct screen_ops *ops;
	struct console *c;
	void *data;
};

extern const struct screen_ops screen_relay_ops;
extern const struct screen_ops screen_changes_ops;
extern const struct screen_ops screen_history_ops;
extern const struct screen_ops screen_creds_ops;
extern const struct screen_ops screen_maps_ops;
extern const struct screen_ops screen_map_table_ops;
extern const struct screen_ops screen_setup_ops;
extern const struct screen_ops screen_probe_ops;
extern const struct screen_ops screen_queue_ops;
extern const struct screen_ops screen_queue_msg_ops;
extern const struct screen_ops screen_fleet_ops;
extern const struct screen_ops screen_dashboard_ops;
extern const struct screen_ops screen_logs_ops;
extern const struct screen_ops screen_fleetchange_ops;

/* screen_fleetchange_hosts - the hosts (names the console_fleet owns;
 * the first is the canary) the next fleet change screen opened works on. */
void screen_fleetchange_hosts(const char *const *names, size_t n);
/* screen_fleet_reread - the Fleet screen reads every host again at the
 * next wake (a fleet change has changed some). */
void screen_fleet_reread(void);

/* screen_probe_prefill - the next Probe screen opened starts with
 * hostport ("[host]:port") and tls_mode (enum probe_tls_mode) in its form. */
void screen_probe_prefill(const char *hostport, int tls_mode);

#define DIRTY_SCREEN 0x01
#define DIRTY_STATUS 0x02
#define DIRTY_ALL 0x04	/* clear and repaint the whole terminal */

/* Called when a dialog is answered; return 1 to keep the dialog open
 * (for example to show a validation message in it). */
typedef int (*console_dialog_fn)(struct screen *s, struct w_dialog *d, enum w_dlg_result r);

struct target *console_target(struct console *c);
/* console_fleet - the fleet the console was opened on, or NULL. */
const struct console_fleet *console_fleet(struct console *c);
/* console_open_host - (fleet) make host the console's target: connect,
 * load its model, open Relay settings on it; -1 with the error shown. */
int console_open_host(struct console *c, const char *host);
const struct maincf *console_maincf(struct console *c);
const struct params_host *console_host(struct console *c);
struct pending *console_pending(struct console *c);
/* console_expanded - `postconf -n -x` of the current main.cf, or NULL
 * while it loads (or when Postfix could not expand it). */
const char *console_expanded(struct console *c);
/* console_loading - 1 while the host's facts or the expansion load. */
int console_loading(struct console *c);

/* console_reload - re-read main.cf and tell every screen to refresh. */
int console_reload(struct console *c);
/* console_changed - the pending edits changed: refresh every screen. */
void console_changed(struct console *c);

int console_push(struct console *c, const struct screen_ops *ops);
void console_pop(struct console *c);
/* console_switch - the screen switch (the keys 0-6): back to the first
 * screen, then ops on top (asks first when input would be lost). */
void console_switch(struct console *c, const struct screen_ops *ops);

/* console_dialog - open d (the console frees it when it closes). */
void console_dialog(struct console *c, struct screen *s, struct w_dialog *d,
		    console_dialog_fn done);
/* console_message - one line in the message line, in role r. */
void console_message(struct console *c, enum theme_role r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* console_error - show an error record in the message line. */
void console_error(struct console *c, const struct err *e);
/* console_busy - show msg now, before a step that blocks the loop. */
void console_busy(struct console *c, const char *msg);
void console_dirty(struct console *c, unsigned flags);
/* console_wake - wake the loop from a background job (async-signal-safe). */
void console_wake(struct console *c);
/* console_wake_after - call every screen's on_wake in ms milliseconds
 * (one timer: the earliest request wins until it fires). */
void console_wake_after(struct console *c, long ms);

#endif
