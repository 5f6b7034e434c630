/*
 * verdict_cache - what Postfix said of the configuration last time, kept
 * in the state directory so that an apply need not ask again before its
 * change when nothing changed since.
 *
 * A verdict is stored under a key: the SHA-256 of the config dir's path
 * and identity (device, inode, modification time: a file created,
 * removed or renamed in it changes the key), whether commands run as
 * root, and the hashes of main.cf and master.cf. Only a verdict that
 * accepts the files is kept, with its messages once each (pfdiag keys:
 * what the comparison of warnings needs). Files the key does not cover
 * (lookup tables, the Postfix programs) can change behind it: the
 * change set re-checks the old files whenever a kept verdict would make
 * it blame the change (changeset.c).
 *
 * State file (0600, written atomically): "relaydeck-verdict 1 KEYHEX
 * CHECK\n" then the messages, one a line. A missing, unreadable or
 * foreign file is no verdict.
 */
#ifndef RELAYDECK_VERDICT_CACHE_H
#define RELAYDECK_VERDICT_CACHE_H

#include "err.h"
#include "postfix.h"

struct target;

#define VERDICT_KEY_LEN 32

/* verdict_cache_key - the key of the configuration as it is now. */
int verdict_cache_key(struct target *t, unsigned char key[VERDICT_KEY_LEN], struct err *e);

/* verdict_cache_load - 1 with v filled (check, conf 0, messages) when a
 * verdict is stored under key, 0 when none is. */
int verdict_cache_load(struct target *t, const unsigned char key[VERDICT_KEY_LEN],
		       struct postfix_verdict *v);

/* verdict_cache_save - store v (its messages, the distinct ones or all)
 * under key, replacing any other. A verdict that rejects the files is not
 * stored: the one there is removed. Best effort: -1 with e on failure. */
int verdict_cache_save(struct target *t, const unsigned char key[VERDICT_KEY_LEN],
		       const struct postfix_verdict *v, struct err *e);

/* verdict_cache_drop - remove the stored verdict, if any. */
void verdict_cache_drop(struct target *t);

#endif
