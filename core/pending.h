/*
 * pending - parameter edits staged across invocations, so that
 * `relaydeck set`, then `diff`, then `apply` work as separate commands.
 *
 * Kept in the target's state directory ("pending", one edit per line).
 * Edits are replayed onto the current main.cf when a change set is built,
 * so a main.cf edited by hand in between is respected.
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
/* pending_drop - forget the staged edit for name (0 also when none). */
int pending_drop(struct pending *p, const char *name);

size_t pending_count(const struct pending *p);
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
