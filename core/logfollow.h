/*
 * logfollow - the live tail of a mail log: new lines as they are written,
 * through the target, kept across rotation, with filters.
 *
 * logfollow_poll reads the complete lines a file gained since the last
 * poll (read_at from the remembered offset; the first poll starts at the
 * end unless from_start). Rotation: when the path names another file than
 * before (its inode changed; over SFTP, which has no inodes, its size fell
 * below the offset), the rest of the old file is read from PATH.1 when
 * that is it (same identity, or at least as long as the offset), then the
 * new file from its first byte. A file truncated in place (copytruncate)
 * is read again from byte 0.
 *
 * Filters (all given must match; case-sensitive substrings):
 *   status	the line's status= word (sent, deferred, bounced, expired),
 *		or "reject" for reject lines
 *   relay	inside relay=
 *   rcpt	inside to=<...>
 *   sender	the message's sender (from qmgr's from=, remembered per
 *		queue ID for the last LOGFOLLOW_SENDERS messages)
 *   text	anywhere in the line
 *
 * Ownership: logfollow_new / logfollow_free. Errors: -1 with e set.
 */
#ifndef RELAYDECK_LOGFOLLOW_H
#define RELAYDECK_LOGFOLLOW_H

#include <stddef.h>

#include "err.h"
#include "logscan.h"

struct target;
struct logsrc_sink;

#define LOGFOLLOW_SENDERS 8192

struct logfollow_filter {
	const char *status, *relay, *rcpt, *sender, *text;
};

enum logfollow_kind { LF_OTHER, LF_SENT, LF_DEFERRED, LF_BOUNCED };

struct logfollow {
	struct logfollow_filter f;
	char *path;
	long long off;
	int started;
	int from_start;
	unsigned long long ino;
	int has_id;
	long rotations;		/* rotations seen */
	struct logscan_clock clock;
	struct {
		char qid[24];
		char *sender;
	} senders[LOGFOLLOW_SENDERS];
};

/* logfollow_new - a follower of path (NULL for journald: the caller runs
 * journalctl -f and uses logfollow_match only). */
struct logfollow *logfollow_new(const char *path, const struct logfollow_filter *f,
				int from_start);
void logfollow_free(struct logfollow *lf);

/* logfollow_match - 1 when the line passes the filters (it also learns
 * senders from qmgr lines, so feed every line). */
int logfollow_match(struct logfollow *lf, const char *line, size_t len);

/* logfollow_kind - the line's outcome, for colour. */
enum logfollow_kind logfollow_kind(const char *line, size_t len);

/* logfollow_poll - hand every new line (filtered or not: the sink
 * decides with logfollow_match) to sink. 0, or -1 with e set. */
int logfollow_poll(struct logfollow *lf, struct target *t, const struct logsrc_sink *sink,
		   struct err *e);

#endif
