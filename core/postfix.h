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

/* postfix_conf_n - `postconf -c DIR -n`: stdout into out, warnings (stderr
 * lines) into warnings; fails when postconf exits non-zero. */
int postfix_conf_n(struct target *t, struct buf *out, struct buf *warnings, struct err *e);

/* postfix_conf_nx - `postconf -c DIR -n -x` (every $name expanded by Postfix)
 * into out. */
int postfix_conf_nx(struct target *t, struct buf *out, struct err *e);

/* postfix_conf_value - the value of name in "name = value" lines as postconf
 * prints them, copied into out; -1 when name is not there. */
int postfix_conf_value(const char *text, const char *name, struct buf *out);

/* postfix_expand - `postconf -c DIR -x -h name` into out (newline trimmed). */
int postfix_expand(struct target *t, const char *name, struct buf *out, struct err *e);

/* postfix_check - `postfix -c DIR check`; warnings into warnings. Returns
 * 1 when it cannot run here (not root), 0 when it passed, -1 on failure. */
int postfix_check(struct target *t, struct buf *warnings, struct err *e);

/* postfix_running - 1 when the instance's master runs, 0 when not. */
int postfix_running(struct target *t, struct err *e);

/* postfix_reload - `postfix -c DIR reload`. */
int postfix_reload(struct target *t, struct err *e);

/* postfix_postmap - `postmap TYPE:path` (type "" uses default_database_type). */
int postfix_postmap(struct target *t, const char *type, const char *path, struct err *e);

#endif
