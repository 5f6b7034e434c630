/*
 * keymap - key tables, lookup and generated help. See keymap.h.
 */
#include "config.h"
#include "keymap.h"

#include <stdio.h>
#include <string.h>

#include "ui.h"

static const struct {
	const char *name;
	const char *help;
	const char *hint;	/* status bar word, or NULL */
} acts[ACT_COUNT] = {
	[ACT_NONE] = { "none", "", NULL },
	[ACT_UP] = { "up", "Move up", NULL },
	[ACT_DOWN] = { "down", "Move down", NULL },
	[ACT_PAGE_UP] = { "page-up", "Page up", NULL },
	[ACT_PAGE_DOWN] = { "page-down", "Page down", NULL },
	[ACT_TOP] = { "top", "Go to the first row", NULL },
	[ACT_BOTTOM] = { "bottom", "Go to the last row", NULL },
	[ACT_SEARCH] = { "search", "Search forward", "search" },
	[ACT_SEARCH_NEXT] = { "search-next", "Next match", NULL },
	[ACT_BACK] = { "back", "Back (quit on the first screen)", "back" },
	[ACT_ENTER] = { "enter", "Edit / open the selected row", "edit" },
	[ACT_HELP] = { "help", "Show this help", "help" },
	[ACT_REDRAW] = { "redraw", "Redraw the screen", NULL },
	[ACT_UNSET] = { "unset", "Stage removing the parameter from main.cf", "unset" },
	[ACT_DROP] = { "drop", "Drop the staged edit", "drop" },
	[ACT_CHANGES] = { "changes", "Pending changes: diff, apply, history", "changes" },
	[ACT_APPLY] = { "apply", "Apply the pending changes", "apply" },
	[ACT_REBASE] = { "rebase", "Take main.cf as someone else changed it as the base of the "
			 "staged edits (after reviewing their diff on it)", NULL },
	[ACT_HISTORY] = { "history", "Backups: history and rollback", "history" },
	[ACT_WIZ_BACK] = { "previous-step", "Back one step", "step back" },
	[ACT_WIZ_LEAVE] = { "leave", "Leave (asks when answers would be lost)", "leave" },
	[ACT_WIZ_ADD] = { "add", "Add an entry", "add" },
	[ACT_WIZ_DEL] = { "delete", "Delete the selected entry", NULL },
	[ACT_WIZ_TOGGLE] = { "toggle", "Toggle the selected choice", NULL },
	[ACT_PROBE_RUN] = { "run", "Run the probe", "run" },
	[ACT_PIN] = { "pin", "Pin the certificate (smtp_tls_policy_maps)", "pin" },
	[ACT_SCREEN_RELAY] = { "screen-relay", "Go to Relay settings", "relay" },
	[ACT_SCREEN_CREDS] = { "screen-creds", "Go to Credentials", "creds" },
	[ACT_SCREEN_MAPS] = { "screen-maps", "Go to Maps", "maps" },
	[ACT_SCREEN_SETUP] = { "screen-setup", "Go to the Setup wizard", "setup" },
	[ACT_SCREEN_PROBE] = { "screen-probe", "Go to Probe (TLS / AUTH test)", "probe" },
	[ACT_ADD] = { "add", "Add an entry (validated, diff, confirm, apply)", "add" },
	[ACT_ROTATE] = { "rotate", "Replace the password of the selected entry", "rotate" },
	[ACT_REMOVE] = { "remove", "Remove the selected entry (diff, confirm, apply)", "remove" },
	[ACT_FIX] = { "fix", "Make the reported credential files private (0600)", "fix" },
	[ACT_TRY] = { "try", "Try an address: what postmap -q returns for each map", "try" },
	[ACT_SCREEN_QUEUE] = { "screen-queue", "Go to the mail queue", "queue" },
	[ACT_SCREEN_LOGS] = { "screen-logs", "Go to the mail log summary", "logs" },
	[ACT_L_REFRESH] = { "refresh", "Read the mail log again", "refresh" },
	[ACT_L_WINDOW] = { "window", "Next window: last hour, 24 hours, 7 days, everything", "window" },
	[ACT_Q_VIEW] = { "view", "Next view: messages, shape (age x domain), reasons", "view" },
	[ACT_Q_MARK] = { "mark", "Mark or unmark the selected message", "mark" },
	[ACT_Q_MARK_ALL] = { "mark-all", "Mark every message shown (what the filter matches)", NULL },
	[ACT_Q_MARK_CLEAR] = { "unmark-all", "Clear every mark", NULL },
	[ACT_Q_FILTER] = { "filter", "Filter: queue: domain: sender: reason: older: younger:", "filter" },
	[ACT_Q_FILTER_CLEAR] = { "unfilter", "Clear the filter", NULL },
	[ACT_Q_SORT] = { "sort", "Sort by age, size, sender, domain (next)", "sort" },
	[ACT_Q_SORT_REVERSE] = { "reverse", "Reverse the sort order", NULL },
	[ACT_Q_HOLD] = { "hold", "Hold the marked messages (or the selected one)", "hold" },
	[ACT_Q_RELEASE] = { "release", "Release them from hold", "release" },
	[ACT_Q_REQUEUE] = { "requeue", "Requeue them (postsuper -r)", NULL },
	[ACT_Q_DELETE] = { "delete", "Delete them (asks twice)", "delete" },
	[ACT_Q_FLUSH] = { "flush", "Deliver them now; on a shape row: that destination", "flush" },
	[ACT_Q_FLUSH_ALL] = { "flush-all", "Deliver the whole queue now (postqueue -f)", NULL },
	[ACT_Q_REFRESH] = { "refresh", "Read the queue again (keeps cursor, sort, filter, marks)", "refresh" },
	[ACT_Q_SEARCH] = { "search", "Search as you type (ID, sender, recipient, reason)", "search" },
	[ACT_Q_SEARCH_NEXT] = { "search-next", "Next match", NULL },
	[ACT_Q_QUEUES] = { "queues", "Shape: which queue (deferred, active, incoming, hold, all)", NULL },
	[ACT_Q_BY] = { "by", "Shape: by recipient or sender domain", NULL },
	[ACT_Q_BODY] = { "body", "Show or hide the message body", "body" },
	[ACT_SCREEN_FLEET] = { "screen-fleet", "Go to the fleet (every host)", NULL },
	[ACT_FLEET_SORT] = { "fleet-sort", "Sort by name, state, queue, deferred, drift, TLS, AUTH (next)", "sort" },
	[ACT_FLEET_FILTER] = { "fleet-filter", "Show only hosts whose row contains a text", "filter" },
	[ACT_FLEET_REFRESH] = { "fleet-refresh", "Read every host again", "refresh" },
	[ACT_FLEET_MARK] = { "fleet-mark", "Mark or unmark the selected host", "mark" },
	[ACT_FLEET_MARK_ALL] = { "fleet-mark-all", "Mark every host shown (what the filter matches)", NULL },
	[ACT_FLEET_MARK_CLEAR] = { "fleet-unmark-all", "Clear every mark", NULL },
	[ACT_FLEET_PROBE] = { "fleet-probe", "Probe TLS and AUTH from the marked relays (or the selected one)", "probe" },
	[ACT_FLEET_CHANGE] = { "fleet-change", "Change the marked hosts (or the selected one): diff, canary, batches", "change" },
	[ACT_FC_SET] = { "fleet-set", "Stage NAME=VALUE (or -NAME: unset) on every host of the change", "set" },
	[ACT_SCREEN_DASHBOARD] = { "screen-dashboard", "Go to the Dashboard (is this relay well?)", "dashboard" },
	[ACT_D_REFRESH] = { "refresh", "Check again (Postfix, config, queue, log)", "refresh" },
	[ACT_D_PROBE] = { "probe", "Probe the relayhost's TLS and AUTH now (kept as the last probe)", "probe" },
	[ACT_D_START] = { "start", "Start Postfix (asks first)", NULL },
};

const struct keybind keymap_global[] = {
	{ UI_KEY(KEY_UP), ACT_UP }, { 'k', ACT_UP },
	{ UI_KEY(KEY_DOWN), ACT_DOWN }, { 'j', ACT_DOWN },
	{ UI_KEY(KEY_PPAGE), ACT_PAGE_UP }, { UI_CTRL('b'), ACT_PAGE_UP },
	{ UI_KEY(KEY_NPAGE), ACT_PAGE_DOWN }, { UI_CTRL('f'), ACT_PAGE_DOWN },
	{ UI_KEY(KEY_HOME), ACT_TOP }, { 'g', ACT_TOP },
	{ UI_KEY(KEY_END), ACT_BOTTOM }, { 'G', ACT_BOTTOM },
	{ '/', ACT_SEARCH }, { 'n', ACT_SEARCH_NEXT },
	{ 'q', ACT_BACK }, { UI_ESC, ACT_BACK },
	{ '?', ACT_HELP }, { UI_KEY(KEY_F(1)), ACT_HELP },
	{ UI_CTRL('l'), ACT_REDRAW },
	{ '1', ACT_SCREEN_RELAY }, { '2', ACT_SCREEN_CREDS }, { '3', ACT_SCREEN_MAPS },
	{ '4', ACT_SCREEN_SETUP }, { '5', ACT_SCREEN_PROBE }, { '6', ACT_SCREEN_QUEUE },
	{ '7', ACT_SCREEN_LOGS }, { 'F', ACT_SCREEN_FLEET }, { '0', ACT_SCREEN_DASHBOARD },
	{ 0, ACT_NONE }
};

const struct keybind keymap_fleet[] = {
	{ '\r', ACT_ENTER }, { '\n', ACT_ENTER }, { UI_KEY(KEY_ENTER), ACT_ENTER },
	{ 's', ACT_FLEET_SORT }, { 'f', ACT_FLEET_FILTER }, { 'r', ACT_FLEET_REFRESH },
	{ ' ', ACT_FLEET_MARK }, { 'm', ACT_FLEET_MARK }, { '*', ACT_FLEET_MARK_ALL },
	{ 'u', ACT_FLEET_MARK_CLEAR }, { 'p', ACT_FLEET_PROBE }, { 'c', ACT_FLEET_CHANGE },
	{ 0, ACT_NONE }
};

const struct keybind keymap_fleetchange[] = {
	{ 's', ACT_FC_SET }, { 'a', ACT_APPLY },
	{ 0, ACT_NONE }
};

const struct keybind keymap_relay[] = {
	{ '\r', ACT_ENTER }, { '\n', ACT_ENTER }, { UI_KEY(KEY_ENTER), ACT_ENTER },
	{ 'e', ACT_ENTER },
	{ 'u', ACT_UNSET }, { 'x', ACT_DROP },
	{ 'c', ACT_CHANGES }, { 'd', ACT_CHANGES },
	{ 0, ACT_NONE }
};

const struct keybind keymap_changes[] = {
	{ 'a', ACT_APPLY }, { 'h', ACT_HISTORY }, { 'x', ACT_DROP }, { 'r', ACT_REBASE },
	{ 0, ACT_NONE }
};

const struct keybind keymap_history[] = {
	{ '\r', ACT_ENTER }, { '\n', ACT_ENTER }, { UI_KEY(KEY_ENTER), ACT_ENTER },
	{ 0, ACT_NONE }
};

const struct keybind keymap_creds[] = {
	{ 'a', ACT_ADD }, { 'r', ACT_ROTATE },
	{ 'd', ACT_REMOVE }, { UI_KEY(KEY_DC), ACT_REMOVE },
	{ 'f', ACT_FIX },
	{ 0, ACT_NONE }
};

const struct keybind keymap_maps[] = {
	{ '\r', ACT_ENTER }, { '\n', ACT_ENTER }, { UI_KEY(KEY_ENTER), ACT_ENTER },
	{ 't', ACT_TRY },
	{ 0, ACT_NONE }
};

const struct keybind keymap_map_table[] = {
	{ 'a', ACT_ADD },
	{ '\r', ACT_ENTER }, { '\n', ACT_ENTER }, { UI_KEY(KEY_ENTER), ACT_ENTER },
	{ 'e', ACT_ENTER },
	{ 'd', ACT_REMOVE }, { UI_KEY(KEY_DC), ACT_REMOVE },
	{ 't', ACT_TRY },
	{ 0, ACT_NONE }
};

const struct keybind keymap_setup[] = {
	{ '\r', ACT_ENTER }, { '\n', ACT_ENTER }, { UI_KEY(KEY_ENTER), ACT_ENTER },
	{ UI_ESC, ACT_WIZ_BACK }, { 'q', ACT_WIZ_LEAVE },
	{ 'a', ACT_WIZ_ADD }, { 'x', ACT_WIZ_DEL }, { ' ', ACT_WIZ_TOGGLE },
	{ 0, ACT_NONE }
};

const struct keybind keymap_probe[] = {
	{ '\r', ACT_ENTER }, { '\n', ACT_ENTER }, { UI_KEY(KEY_ENTER), ACT_ENTER },
	{ 'r', ACT_PROBE_RUN }, { 'p', ACT_PIN }, { UI_ESC, ACT_WIZ_BACK },
	{ 0, ACT_NONE }
};

const struct keybind keymap_queue[] = {
	{ '\r', ACT_ENTER }, { '\n', ACT_ENTER }, { UI_KEY(KEY_ENTER), ACT_ENTER },
	{ '\t', ACT_Q_VIEW }, { 'v', ACT_Q_VIEW },
	{ ' ', ACT_Q_MARK }, { '*', ACT_Q_MARK_ALL }, { 'c', ACT_Q_MARK_CLEAR },
	{ 'f', ACT_Q_FILTER }, { 'F', ACT_Q_FILTER_CLEAR },
	{ 'o', ACT_Q_SORT }, { 'O', ACT_Q_SORT_REVERSE },
	{ 'h', ACT_Q_HOLD }, { 'H', ACT_Q_RELEASE }, { 'Q', ACT_Q_REQUEUE },
	{ 'd', ACT_Q_DELETE }, { UI_KEY(KEY_DC), ACT_Q_DELETE },
	{ 'x', ACT_Q_FLUSH }, { 'X', ACT_Q_FLUSH_ALL },
	{ 'r', ACT_Q_REFRESH }, { UI_KEY(KEY_F(5)), ACT_Q_REFRESH },
	{ '/', ACT_Q_SEARCH }, { 'n', ACT_Q_SEARCH_NEXT },
	{ 'w', ACT_Q_QUEUES }, { 'b', ACT_Q_BY },
	{ 0, ACT_NONE }
};

const struct keybind keymap_dashboard[] = {
	{ '\r', ACT_ENTER }, { '\n', ACT_ENTER }, { UI_KEY(KEY_ENTER), ACT_ENTER },
	{ 'r', ACT_D_REFRESH }, { UI_KEY(KEY_F(5)), ACT_D_REFRESH },
	{ 'a', ACT_D_PROBE }, { 's', ACT_D_START },
	{ 0, ACT_NONE }
};

const struct keybind keymap_logs[] = {
	{ 'r', ACT_L_REFRESH }, { UI_KEY(KEY_F(5)), ACT_L_REFRESH },
	{ 'w', ACT_L_WINDOW },
	{ 0, ACT_NONE }
};

const struct keybind keymap_queue_msg[] = {
	{ 'b', ACT_Q_BODY },
	{ 0, ACT_NONE }
};

/* find - action of key in one table. */
static enum act find(const struct keybind *t, int key)
{
	for (; t && t->act != ACT_NONE; t++)
		if (t->key == key)
			return t->act;
	return ACT_NONE;
}

/* keymap_lookup - screen first, so screens may override global keys. */
enum act keymap_lookup(const struct keybind *screen, int key)
{
	enum act a = find(screen, key);

	return a != ACT_NONE ? a : find(keymap_global, key);
}

/* keymap_act_name - stable action name. */
const char *keymap_act_name(enum act a)
{
	return (a >= 0 && a < ACT_COUNT) ? acts[a].name : "?";
}

/* keymap_act_help - one-line description. */
const char *keymap_act_help(enum act a)
{
	return (a >= 0 && a < ACT_COUNT) ? acts[a].help : "";
}

/* keymap_key_name - printable key name. */
const char *keymap_key_name(int key, char *out, size_t outlen)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
		{ UI_KEY(KEY_UP), "Up" }, { UI_KEY(KEY_DOWN), "Down" },
		{ UI_KEY(KEY_PPAGE), "PgUp" }, { UI_KEY(KEY_NPAGE), "PgDn" },
		{ UI_KEY(KEY_HOME), "Home" }, { UI_KEY(KEY_END), "End" },
		{ UI_KEY(KEY_ENTER), "KpEnter" }, { UI_KEY(KEY_F(1)), "F1" },
		{ UI_KEY(KEY_DC), "Delete" }, { UI_KEY(KEY_F(5)), "F5" }, { '\t', "Tab" },
		{ '\r', "Enter" }, { '\n', "C-j" }, { UI_ESC, "Esc" }, { ' ', "Space" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].key == key) {
			snprintf(out, outlen, "%s", names[i].name);
			return out;
		}
	if (key > 0 && key < 32)
		snprintf(out, outlen, "C-%c", key + 'a' - 1);
	else if (key > 32 && key < 127)
		snprintf(out, outlen, "%c", key);
	else
		snprintf(out, outlen, "#%x", (unsigned)key);
	return out;
}

/* keys_of - "k, Up" : every key bound to a in table t. */
static void keys_of(const struct keybind *t, enum act a, char *out, size_t outlen)
{
	char name[16];
	size_t len = 0;

	out[0] = '\0';
	for (; t->act != ACT_NONE; t++) {
		/* C-j and KpEnter duplicate Enter; keep help short. */
		if (t->act != a || t->key == '\n' || t->key == UI_KEY(KEY_ENTER))
			continue;
		keymap_key_name(t->key, name, sizeof(name));
		len += (size_t)snprintf(out + len, len < outlen ? outlen - len : 0, "%s%s",
					len ? ", " : "", name);
		if (len >= outlen)
			break;
	}
}

/* help_table - one line per distinct action of a table. */
static int help_table(const struct keybind *t, const struct keybind *shadow, struct buf *out)
{
	unsigned char done[ACT_COUNT] = { 0 };
	char keys[64];
	const struct keybind *k;

	for (k = t; k->act != ACT_NONE; k++) {
		if (done[k->act])
			continue;
		done[k->act] = 1;
		/* A global action the screen rebinds is listed with the screen. */
		if (shadow && find(shadow, k->key) != ACT_NONE)
			continue;
		keys_of(t, k->act, keys, sizeof(keys));
		if (buf_printf(out, "  %-16s %s\n", keys, acts[k->act].help) < 0)
			return -1;
	}
	return 0;
}

/* hint - append "key:word" for the first key bound to a in t. */
static int hint(const struct keybind *t, enum act a, struct buf *out)
{
	char name[16];

	for (; t && t->act != ACT_NONE; t++)
		if (t->act == a)
			return buf_printf(out, "%s%s:%s", out->len ? " " : "",
					  keymap_key_name(t->key, name, sizeof(name)), acts[a].hint);
	return 0;
}

/* keymap_hints - "?:help q:back 1:relay 2:creds 3:maps", the screen's
 * actions, then search; help, back and the screen switch come first so a
 * narrow status bar never loses them. */
int keymap_hints(const struct keybind *screen, struct buf *out)
{
	unsigned char done[ACT_COUNT] = { 0 };
	const struct keybind *k;

	if (hint(keymap_global, ACT_HELP, out) < 0 || hint(keymap_global, ACT_BACK, out) < 0 ||
	    hint(keymap_global, ACT_SCREEN_RELAY, out) < 0 ||
	    hint(keymap_global, ACT_SCREEN_CREDS, out) < 0 ||
	    hint(keymap_global, ACT_SCREEN_MAPS, out) < 0 ||
	    hint(keymap_global, ACT_SCREEN_SETUP, out) < 0 ||
	    hint(keymap_global, ACT_SCREEN_PROBE, out) < 0 ||
	    hint(keymap_global, ACT_SCREEN_QUEUE, out) < 0 ||
	    hint(keymap_global, ACT_SCREEN_DASHBOARD, out) < 0 ||
	    hint(keymap_global, ACT_SCREEN_LOGS, out) < 0)
		return -1;
	for (k = screen; k && k->act != ACT_NONE; k++) {
		if (done[k->act] || acts[k->act].hint == NULL)
			continue;
		done[k->act] = 1;
		if (hint(screen, k->act, out) < 0)
			return -1;
	}
	/* a screen with its own search says so itself */
	return done[ACT_Q_SEARCH] ? 0 : hint(keymap_global, ACT_SEARCH, out);
}

/* keymap_help - help text generated from the tables. */
int keymap_help(const struct keybind *screen, const char *title, struct buf *out)
{
	if (screen && screen->act != ACT_NONE) {
		if (buf_printf(out, "%s\n", title) < 0 || help_table(screen, NULL, out) < 0 ||
		    buf_puts(out, "\n") < 0)
			return -1;
	}
	if (buf_puts(out, "Everywhere\n") < 0)
		return -1;
	if (help_table(keymap_global, screen, out) < 0)
		return -1;
	return buf_puts(out, "  mouse            Click selects a row, the wheel scrolls\n");
}
