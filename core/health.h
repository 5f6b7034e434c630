/*
 * health - one verdict on "is this relay well?" for one host: Postfix
 * running (master pid, uptime), its configuration valid, the relayhost
 * and its provider, TLS and AUTH as the last probe found them, the queue
 * (size, oldest message, deferred trend), recent SASL and TLS failures,
 * delivery rate and use of the provider's daily quota.
 *
 * Two halves: health_gather collects the facts through the target
 * (core/health_gather.c: the same on this machine and over SSH), and
 * health_judge turns facts and thresholds into items, pure, so tests and
 * both front ends agree. Each item has a level, a line of text, what to
 * do when it is not well and which console screen fixes it.
 * health_lines, health_json and health_nagios are the three ways of
 * saying the result (console and `relaydeck health`, --json, --nagios).
 *
 * The mail-log facts are a small input struct (health_log_facts), filled
 * by health_log_read (core/health_log.c) from the log summary
 * (core/logsum), so they are counted as `relaydeck logs summary` counts.
 *
 * Ownership: all structs are plain values; nothing to free.
 * Errors: health_gather returns -1 only when it could not run at all
 * (out of memory); a fact it could not get is marked unknown with why.
 */
#ifndef RELAYDECK_HEALTH_H
#define RELAYDECK_HEALTH_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "health_probe.h"
#include "lines.h"

struct target;
struct provider_catalog;

/* Levels are the exit codes of a monitoring check. */
enum health_level { HEALTH_OK = 0, HEALTH_WARNING = 1, HEALTH_CRITICAL = 2, HEALTH_UNKNOWN = 3 };

/* The console screen that fixes an item. */
enum health_fix {
	HFIX_NONE, HFIX_START, HFIX_RELAY, HFIX_CREDS, HFIX_SETUP, HFIX_PROBE, HFIX_QUEUE,
	HFIX_REPROBE		/* probe the relayhost again (the Dashboard's own key) */
};

enum health_item_id {
	HI_POSTFIX, HI_CONFIG, HI_RELAYHOST, HI_TLS, HI_AUTH, HI_QUEUE, HI_OLDEST, HI_TREND,
	HI_SASL, HI_TLSFAIL, HI_DELIVERY, HI_QUOTA, HI_COUNT
};

struct health_thresholds {
	long long warn_queue, crit_queue;	/* messages in the queue */
	long long warn_age, crit_age;		/* seconds, oldest message */
	long warn_cert_days, crit_cert_days;	/* certificate days left, below */
	long warn_sasl, warn_tls;		/* failures in the window, at least */
	int warn_quota, crit_quota;		/* percent of the daily limit */
	long long warn_rise;			/* deferred grew by at least this */
	long long window;			/* seconds of log the rates cover */
};

/* What the mail log says (the input health_judge takes). */
struct health_log_facts {
	int have;		/* the log was read */
	char file[512];		/* which file */
	char why[300];		/* why it was not read, or a note */
	long long window;	/* seconds the window counts cover */
	long long since;	/* time of the first line read (coverage), -1 none */
	int partial_24h;	/* the log begins later than 24 hours ago */
	int partial_window;	/* ... later than the window's start */
	long sasl_failures;	/* SASL authentication failed (ours and clients') */
	long tls_failures;	/* TLS handshakes and verifications that failed */
	long delivered;		/* status=sent lines in the window */
	long deferred;		/* messages deferred in the window (each once) */
	long bounced;		/* status=bounced lines in the window */
	long delivered_24h;
	long quota_per_day;	/* the provider's daily limit, -1 unknown */
	char last_fatal[300];	/* the last fatal or panic message in the window */
	long long last_fatal_time;
};

struct health_facts {
	long long now;
	char host[256];		/* the target's name */
	char config_dir[512];
	/* Postfix */
	int running;		/* 1 yes, 0 no, -1 could not tell */
	long master_pid;	/* -1 unknown */
	long long uptime;	/* seconds, -1 unknown */
	char running_why[400];	/* how it was told, or why not */
	/* configuration */
	int check;		/* postfix check: 0 passed, 1 skipped (not root), -1 failed */
	int conf;		/* postconf -n: 0 passed, -1 failed */
	char config_reason[400];	/* Postfix's words when one failed */
	/* relay */
	char relayhost[300];
	int sasl_enabled;	/* smtp_sasl_auth_enable = yes */
	char provider_id[64];	/* "" when no catalog entry matches */
	char provider_name[128];
	/* the last probes (state dir) */
	struct health_probe tls, auth;
	/* queue */
	int queue_ok;		/* the queue was read */
	char queue_why[300];
	long long queue_total, queue_deferred, queue_active, queue_hold, queue_incoming;
	long long oldest_age;	/* seconds, -1 when the queue is empty */
	int have_prev;		/* a previous sample is in the state dir */
	long long prev_deferred, prev_time;
	/* mail log */
	struct health_log_facts log;
};

struct health_item {
	const char *name;	/* stable key: "postfix", "config", ... */
	const char *label;	/* "Postfix", "Config", ... */
	enum health_level level;
	int counts;		/* an unknown here makes the whole verdict unknown */
	char text[512];
	char todo[400];		/* what to do ("" when well) */
	enum health_fix fix;
};

struct health_report {
	enum health_level level;
	struct health_item items[HI_COUNT];
	struct health_thresholds th;
	struct health_facts f;
};

void health_thresholds_default(struct health_thresholds *th);
void health_facts_init(struct health_facts *f);

/* health_gather - every fact of t (see the header); cat (may be NULL)
 * names the provider. The deferred count is stored in the state dir as
 * the next run's previous sample. stop (may be NULL) is looked at before
 * each command: once it is non-zero the rest is left out and -1 returned
 * (ERR_USAGE, "stopped"), so a front end that leaves waits for one
 * command at most. -1 also when out of memory. */
int health_gather(struct target *t, const struct provider_catalog *cat,
		  const struct health_thresholds *th, struct health_facts *f,
		  const volatile int *stop, struct err *e);

/* health_judge - items and the overall level from the facts. */
void health_judge(const struct health_facts *f, const struct health_thresholds *th,
		  struct health_report *r);

const char *health_level_name(enum health_level l);	/* "OK", "WARNING", ... */
const char *health_level_word(enum health_level l);	/* "ok", "warning", ... (JSON) */
const char *health_fix_name(enum health_fix x);		/* "relay", "creds", ... or NULL */
/* health_fix_key - the console key that opens the fixing screen ('1'...), or 0. */
int health_fix_key(enum health_fix x);
/* health_fix_screen - "Relay settings", ... or NULL. */
const char *health_fix_screen(enum health_fix x);

/* health_lines - the report for people: a header line, then per item
 * its line (tag: the item id, pickable) and, when not well, what to do.
 * Kinds: LK_OK, LK_WARN, LK_ERROR, LK_DIM (unknown). */
void health_lines(const struct health_report *r, struct lines *out);

/* health_json - the report as one JSON object. */
void health_json(const struct health_report *r, struct buf *out);

/* health_nagios - "RELAYDECK OK - ... | queue=12;100;1000 ..." (one line,
 * no newline). */
void health_nagios(const struct health_report *r, struct buf *out);

/* health_log_read - the log facts of the target's mail log (found as its
 * Postfix is configured: core/logsrc), window seconds back from now,
 * counted by core/logsum. Never fails: a log it cannot read leaves have 0
 * and says why. */
void health_log_read(struct target *t, long long now, long long window,
		     struct health_log_facts *lf);

struct logsum_brief;

/* health_log_from_brief - the facts from a logsum_brief of [now - window,
 * open) (exposed for tests). */
void health_log_from_brief(struct health_log_facts *lf, const struct logsum_brief *b,
			   long long now, long long window);

#endif
