/*
 * pending - parameter edits staged across invocations, so that
 * `relaydeck set`, then `diff`, then `apply` work as separate commands.
 *
 * Kept in the target's state directory ("pending", one edit per line).
 * Edits are replayed onto the current main.cf when a change set is built.
 * The version of main.cf they were staged against is kept with them: when
 * main.cf has changed since (another admin, postconf -e, configuration
 * management), apply refuses until the admin has seen the diff against the
 * new file and rebased (pending_rebase), so no one's edit is lost unseen.
 *
 * Ownership: pending_load returns an object freed with pending_free.
 */
#ifndef RELAYDECK_PENDING_H
#define RELAYDECK_PENDING_H

#include <stddef.h>

#include "err.h"

struct target;
struct changeset;
struct pending;

struct pending_edit {
	char *name;
	char *value;	/* NULL means unset */
};

struct pending *pending_load(struct target *t, struct err *e);
void pending_free(struct pending *p);

/* pending_set / pending_unset - stage an edit, replacing any earlier one
 * for the same name. */
int pending_set(struct pending *p, const char *name, const char *value, struct err *e);
int pending_unset(struct pending *p, const char *name, struct err *e);
/* pending_stage_set / pending_stage_unset - the same against main.cf as it
 * is (m): 0 when staged; 1 when it would change nothing (main.cf already
 * has that value, or does not set name), in which case nothing is staged
 * and an earlier staged edit of name is dropped. -1 on error. Values
 * compare as postconf -n prints them (blanks collapsed). */
struct maincf;
int pending_stage_set(struct pending *p, const struct maincf *m, const char *name,
		      const char *value, struct err *e);
int pending_stage_unset(struct pending *p, const struct maincf *m, const char *name,
			struct err *e);

/* pending_note_base - record the main.cf m (every byte of it) as the
 * version the edits are made against, unless one is recorded: the first
 * edit's. 1 when the recorded one differs from m (main.cf changed since
 * the earlier edits), 0 when not, -1 out of memory. pending_stage_set
 * and pending_stage_unset call it; a front end that stages with
 * pending_set calls it itself. */
int pending_note_base(struct pending *p, const struct maincf *m);

/* pending_rebase - the next pending_build takes main.cf as it is then as
 * the version the edits are made against (saved by pending_save): after
 * the admin has seen the diff of the edits on someone else's newer
 * main.cf. */
void pending_rebase(struct pending *p);

/* pending_stale - 1 when the last pending_build read another main.cf
 * than the one the edits were staged against; changeset_apply will then
 * refuse (ERR_CHANGED) unless the edits are rebased. */
int pending_stale(const struct pending *p);

/* pending_drop - forget the staged edit for name (0 also when none). */
int pending_drop(struct pending *p, const char *name);

size_t pending_count(const struct pending *p);
/* pending_describe - "set relayhost, unset debug_peer_list" (names only),
 * the description an apply of the edits records with its backup. */
void pending_describe(const struct pending *p, char *out, size_t outlen);
const struct pending_edit *pending_at(const struct pending *p, size_t i);
/* pending_find - the staged edit for name, or NULL. */
const struct pending_edit *pending_find(const struct pending *p, const char *name);

/* pending_save - write the state file atomically (removed when empty). */
int pending_save(struct pending *p, struct err *e);
/* pending_clear - forget everything and remove the state file. */
int pending_clear(struct pending *p, struct err *e);

/* pending_build - read main.cf, replay the edits through maincf, and
 * stage the result into cs. */
int pending_build(struct pending *p, struct changeset *cs, struct err *e);

#endif
