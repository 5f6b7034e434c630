/*
 * postfix - run the host's own Postfix tools on a target (the oracle).
 *
 * Every command gets "-c config_dir" so private instances and sandboxes
 * are handled like /etc/postfix.
 */
#ifndef RELAYDECK_POSTFIX_H
#define RELAYDECK_POSTFIX_H

#include "buf.h"
#include "err.h"

struct target;
struct maincf;

/* postfix_read_maincf - the target's main.cf, read and parsed; NULL with
 * e when it cannot be. The caller frees it with maincf_free. */
struct maincf *postfix_read_maincf(struct target *t, struct err *e);

/* postfix_conf_n - `postconf -c DIR -n`: stdout into out, warnings (stderr
 * lines) into warnings; fails when postconf exits non-zero. */
int postfix_conf_n(struct target *t, struct buf *out, struct buf *warnings, struct err *e);

/* postfix_conf_nx - `postconf -c DIR -n -x` (every $name expanded by Postfix)
 * into out. */
int postfix_conf_nx(struct target *t, struct buf *out, struct err *e);

/* postfix_conf_value - the value of name in "name = value" lines as postconf
 * prints them, copied into out; -1 when name is not there. */
int postfix_conf_value(const char *text, const char *name, struct buf *out);

/* postfix_conf_names - the parameter names of postconf -n style text (one
 * "name = value" or "name =" a line; other lines are skipped), sorted by
 * strcmp and without repeats: the names Postfix itself counts as set and
 * used. *names is one malloc'd block (the pointers and the strings); the
 * caller frees it with free(*names). 0, or -1 with ERR_NOMEM. */
int postfix_conf_names(const char *text, size_t len, const char ***names, size_t *count,
		       struct err *e);

/* postfix_warned_names - the NAMEs of Postfix warnings "...PHRASE: NAME=..."
 * in text (e.g. PHRASE "read-only parameter assignment"), sorted and
 * without repeats; *names as for postfix_conf_names. */
int postfix_warned_names(const char *text, size_t len, const char *phrase, const char ***names,
			 size_t *count, struct err *e);

/* postfix_expand - `postconf -c DIR -x -h name` into out (newline trimmed). */
int postfix_expand(struct target *t, const char *name, struct buf *out, struct err *e);

/* postfix_relayhost - m's relayhost as Postfix reads it, in a new string
 * ("" when unset): "$name" in it is expanded by postconf, and only then is
 * postconf run; when that fails the text is kept as written. NULL: out of
 * memory. */
char *postfix_relayhost(struct target *t, const struct maincf *m);

/* postfix_check - `postfix -c DIR check`; everything it prints into
 * warnings. Returns 1 when it cannot run here (not root), 0 when it
 * passed, -1 on failure with Postfix's own reason in e ("postfix check
 * failed: fatal: bad string length 0 < 1: setgid_group ="): when the
 * output does not hold it, check runs again with a terminal as stderr,
 * where `postfix` itself and postfix-script write it (else they log it
 * to syslog or maillog_file only). */
int postfix_check(struct target *t, struct buf *warnings, struct err *e);

/* What Postfix thinks of the configuration as it is: `postfix check` (as
 * root) and `postconf -n`. */
struct postfix_verdict {
	int check;		/* 0 passed, 1 skipped (needs root), -1 failed */
	int conf;		/* postconf -n: 0 passed, -1 failed */
	char reason[400];	/* Postfix's words when one failed, else "" */
	struct err e;		/* the first failure as an error */
	struct buf messages;	/* all they printed, one message a line */
};

void postfix_verdict_init(struct postfix_verdict *v);
void postfix_verdict_free(struct postfix_verdict *v);

/* postfix_verdict_get - run both and fill v. */
void postfix_verdict_get(struct target *t, struct postfix_verdict *v);

/* postfix_verdict_status - postfix_verdict_get, and `postfix status` too
 * when running is not NULL: *running as postfix_running returns it, its
 * error in *status_e (may be NULL). On a target that runs commands side
 * by side (target_ops.parallel_run: the local one) they all run at once,
 * elsewhere (SSH) one after the other. */
void postfix_verdict_status(struct target *t, struct postfix_verdict *v, int *running,
			    struct err *status_e);

/* postfix_verdict_rejected - 1 when Postfix refuses the configuration. */
int postfix_verdict_rejected(const struct postfix_verdict *v);

/* postfix_running - 1 when the instance's master runs, 0 when not. */
int postfix_running(struct target *t, struct err *e);
/* postfix_running_within - postfix_running with its own deadline (ms). */
int postfix_running_within(struct target *t, int timeout_ms, struct err *e);

/* postfix_start - `postfix -c DIR start`; its reason in e when it fails. */
int postfix_start(struct target *t, struct err *e);

/* postfix_reload - `postfix -c DIR reload`. */
int postfix_reload(struct target *t, struct err *e);

/* postfix_postmap - `postmap TYPE:path` (type "" uses default_database_type). */
int postfix_postmap(struct target *t, const char *type, const char *path, struct err *e);

#endif
