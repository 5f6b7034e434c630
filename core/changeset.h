/*
 * changeset - every write relaydeck makes goes through here.
 *
 * Stage new contents for files on one target, show them as a unified
 * diff (secret files masked), then apply: take the change lock, back up
 * the current files, write each atomically, rebuild maps with postmap,
 * validate with the real `postfix check` and `postconf -n` (errors, and
 * warnings the change introduced, fail the apply; warnings already there
 * are reported but do not; a failure Postfix already reported before the
 * change is named as such, not blamed on it; what Postfix said of the
 * files before is taken from the last apply's verdict while they are
 * unchanged, see verdict_cache.h), reload Postfix when it
 * runs, and restore the backup automatically if any step fails. Backups live in the target's
 * state directory and are listed by changeset_history; rollback restores
 * one through a change set of its own.
 *
 * Ownership: changeset_new returns an object freed with changeset_free;
 * reports are freed with apply_report_free; history with
 * changeset_history_free.
 */
#ifndef RELAYDECK_CHANGESET_H
#define RELAYDECK_CHANGESET_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "err.h"

struct target;
struct changeset;

/* CS_SECRET: content is secret: masked in diffs, mode 0600, owner root when run as root */
#define CS_SECRET 0x01
#define CS_POSTMAP 0x02	/* run `postmap TYPE:path` after writing */

struct changeset *changeset_new(struct target *t);
void changeset_free(struct changeset *cs);

/* changeset_stage - set the new content of an absolute path. mode applies
 * to new files; an existing file keeps its owner and mode unless
 * CS_SECRET, which forces 0600. Staging the same path again replaces it. */
int changeset_stage(struct changeset *cs, const char *path, const void *data, size_t len,
		    mode_t mode, unsigned flags, struct err *e);

/* changeset_stage_map - changeset_stage with the lookup table type that
 * CS_POSTMAP passes to postmap ("hash", "lmdb", ...; NULL or "" means the
 * host's default_database_type). */
int changeset_stage_map(struct changeset *cs, const char *path, const void *data,
			size_t len, mode_t mode, unsigned flags, const char *type,
			struct err *e);

/* changeset_stage_buf - changeset_stage_map of data's bytes, which cs
 * takes over instead of copying them (data is left empty, to be freed as
 * usual): a 50 MB table is not copied again. */
int changeset_stage_buf(struct changeset *cs, const char *path, struct buf *data, mode_t mode,
			unsigned flags, const char *type, struct err *e);

/* changeset_stage_remove - stage the removal of path (used by rollback for
 * files that did not exist before). Removing a missing file is no change. */
int changeset_stage_remove(struct changeset *cs, const char *path, unsigned flags,
			   struct err *e);

/* changeset_staged - 1 with the content staged for path in *data and *len
 * (owned by cs, valid until the next staging of path), 0 when path is not
 * staged or staged for removal. Lets several edits of one file share a
 * change set. */
int changeset_staged(const struct changeset *cs, const char *path, const char **data,
		     size_t *len);

/* changeset_hash - the SHA-256 that stands for a file's version: of its
 * bytes, or all zero when it does not exist (exists 0). */
#define CHANGESET_HASH_LEN 32
void changeset_hash(const void *data, size_t len, int exists,
		    unsigned char out[CHANGESET_HASH_LEN]);

/* changeset_expect - the version (changeset_hash) of staged path that its
 * new content was made from. changeset_apply, under the lock, refuses
 * with ERR_CHANGED when the file is another version by then: someone
 * else's edit would be lost. Without it, the version the first
 * changeset_diff or changeset_changed read is the expected one. */
int changeset_expect(struct changeset *cs, const char *path,
		     const unsigned char hash[CHANGESET_HASH_LEN], struct err *e);

/* changeset_changed - number of staged files whose content differs.
 * Right after changeset_diff (nothing staged since) it counts the files
 * that diff read and showed, without reading them again. */
size_t changeset_changed(struct changeset *cs, struct err *e);

/* changeset_diff - unified diff (paths as on the target) appended to out.
 * Labels are "a" and "b" followed by the absolute path ("a/etc/postfix/main.cf");
 * a file being created or removed diffs against "/dev/null"; CS_SECRET
 * files are masked as diff.h describes. */
int changeset_diff(struct changeset *cs, struct buf *out, struct err *e);

struct apply_report {
	char backup_id[64];	/* backup taken before writing ("" if none) */
	int validated;		/* postfix check ran and passed */
	int check_skipped;	/* postfix check could not run (not root) */
	int reloaded;		/* postfix reload ran */
	int restored;		/* a failure made us restore the backup */
	struct buf steps;	/* one line per step, human readable */
	struct buf warnings;	/* warnings present before and after (not blocking) */
	size_t nwarnings;	/* lines in warnings */
	/* Postfix's reason when it refused the files already before the
	 * change ("" when it accepted them): front ends say so first. */
	char rejected_before[400];
};

void apply_report_init(struct apply_report *r);
void apply_report_free(struct apply_report *r);

/* changeset_apply - see the file header. description is stored with the
 * backup ("set relayhost"). On failure e says which step failed and why
 * (for validation, Postfix's own message), and r->restored tells whether
 * the previous files were put back. */
int changeset_apply(struct changeset *cs, const char *description, struct apply_report *r,
		    struct err *e);

/* changeset_recover - when an apply was interrupted (the process killed,
 * the machine lost power: its marker is in the state directory), put
 * back the files it had begun to change, exactly as they were, and
 * rebuild their maps; front ends call it when they open a target, before
 * reading anything. 1 when it recovered (r->steps says what), 0 when
 * there was nothing to do or a live apply holds the lock, -1 on error. */
int changeset_recover(struct target *t, struct apply_report *r, struct err *e);

struct backup_info {
	char id[64];		/* UTC YYYYMMDDTHHMMSSZ-N, N from 1 within a second */
	long long when;		/* unix time */
	char description[256];
	char **files;		/* absolute target paths */
	size_t nfiles;
};

int changeset_history(struct target *t, struct backup_info **list, size_t *count,
		      struct err *e);
void changeset_history_free(struct backup_info *list, size_t count);

/* changeset_rollback - restore backup id (NULL: the newest) as a new
 * change set, itself backed up and validated. */
int changeset_rollback(struct target *t, const char *id, struct apply_report *r,
		       struct err *e);

#endif
