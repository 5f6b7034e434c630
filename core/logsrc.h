/*
 * logsrc - where a host's Postfix log is, and its lines in time order.
 *
 * logsrc_discover finds the log as the host's Postfix is configured:
 *   1. maillog_file when set (postlogd), with the files postfix logrotate
 *      made of it (NAME.SUFFIX[.gz]); from main.cf itself when postconf
 *      refuses it; one under /dev/ is an error (no file to read);
 *   2. else the syslog file /var/log/mail.log with its rotations
 *      (mail.log.N, mail.log.N.gz, mail.log-DATE[.gz]);
 *   3. else journald: `journalctl -u postfix@- -u postfix -o short-iso`.
 * Rotated files are read oldest first (by modification time, then by a
 * numeric suffix, higher is older), the live file last.
 * logsrc_add_file adds a file named by the admin (--file): "*.journal"
 * (and "*.journal~") go to journalctl --file, gzip is told by its magic
 * bytes, anything else is read as text.
 *
 * Everything goes through the target: files in pieces with read_at (over
 * SSH: SFTP), or `dd` through run_stream when a target has no read_at;
 * journalctl through run_stream. Nothing is read whole into memory.
 * gzip is inflated with zlib as it arrives; a corrupt or cut gzip file
 * keeps the lines before the damage and is reported as a warning. Lines
 * are handed over one at a time (at most LOGSRC_LINE_MAX bytes: a longer
 * line's head is handed over, the rest skipped and counted).
 *
 * Ownership: logsrc_free releases what discover/add_file stored.
 * Errors: -1 with e set when nothing could be read; problems with one
 * file while others read are warnings (sink->warn).
 */
#ifndef RELAYDECK_LOGSRC_H
#define RELAYDECK_LOGSRC_H

#include <stddef.h>

#include "err.h"

struct target;

#define LOGSRC_LINE_MAX 8192

struct logsrc_file {
	char *path;
	long long mtime;
	long long size;
	int journal;		/* read with journalctl --file */
};

struct logsrc {
	struct logsrc_file *files;	/* oldest first */
	size_t n, alloc;
	int journal_units;		/* no files: journalctl -u postfix@- -u postfix */
	char live[1024];		/* the file Postfix writes now ("" for journald) */
	char desc[512];			/* "/var/log/mail.log (+2 rotated)" */
};

struct logsrc_sink {
	void *arg;
	/* a new file starts (name and its mtime, for classic stamps' year) */
	void (*begin)(void *arg, const char *name, long long mtime);
	/* one line without its newline; non-zero stops the reading */
	int (*line)(void *arg, const char *line, size_t len);
	/* a problem that leaves the other lines readable */
	void (*warn)(void *arg, const char *msg);
	/* may be NULL: the file begun is entered at byte off (> 0), its
	 * lines before that left unread (logsrc_read with since) */
	void (*skipped)(void *arg, long long off);
	/* may be NULL: reads a plain file (read_at, no gzip) from byte off
	 * itself, after begin (in pieces at once, say: logsrc_read_span);
	 * returns as logsrc_read_file does, or 2 to have it read as usual */
	int (*plain)(void *arg, struct target *t, const struct logsrc_file *f, long long off,
		     struct err *e);
};

void logsrc_init(struct logsrc *src);
void logsrc_free(struct logsrc *src);

/* logsrc_discover - the host's own mail log (see above). */
int logsrc_discover(struct target *t, struct logsrc *src, struct err *e);

/* logsrc_add_file - one file named by the admin; ERR_NOTFOUND when missing. */
int logsrc_add_file(struct target *t, struct logsrc *src, const char *path, struct err *e);

/* logsrc_sort - files oldest first (discover sorts its own). */
void logsrc_sort(struct logsrc *src);

/* logsrc_read - the lines of src in order, to sink. since/until (-1:
 * open) are passed to journalctl. With since, files are entered near it:
 * a file last written before since is skipped, and a plain file of
 * SEEK_MIN bytes or more (through read_at) is entered at the start of a
 * line dated before since, found by bisection over line times (a few
 * 16 KiB reads); gzip files are read from their start. Lines before
 * since may still come (the caller windows); a log whose clock went back
 * may be entered later than a full read would start counting. Returns 0,
 * 1 when the sink stopped it, -1 when nothing could be read. */
int logsrc_read(struct target *t, const struct logsrc *src, long long since, long long until,
		const struct logsrc_sink *sink, struct err *e);

/* logsrc_read_file - one plain or gzip file from byte off (gzip: from 0),
 * complete lines only unless at_end; *next_off: where the next read
 * starts (the partial last line is read again then). For follow. */
int logsrc_read_file(struct target *t, const char *path, long long off, int at_end,
		     long long *next_off, const struct logsrc_sink *sink, struct err *e);

/* logsrc_read_span - the lines of plain file path that start in [off,
 * end) (end -1: to its end; off need not be a line's start: the line it
 * falls in belongs to the span before). Spans that meet read every line
 * once, so they can be read at the same time (on a reentrant target).
 * Returns as logsrc_read_file does. */
int logsrc_read_span(struct target *t, const char *path, long long off, long long end,
		     const struct logsrc_sink *sink, struct err *e);

/* logsrc_follow_journal - journalctl -f over src's journal (its units or
 * files): new lines to sink until it returns non-zero (from_start: the
 * lines already there first). */
int logsrc_follow_journal(struct target *t, const struct logsrc *src, int from_start,
			  const struct logsrc_sink *sink, struct err *e);

#endif
