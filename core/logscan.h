/*
 * logscan - Postfix log lines, parsed and followed.
 *
 * logscan_parse_line splits one line in either stamp form Postfix
 * writes ("Nov 29 08:42:57 host prog[pid]: text" from syslog or
 * maillog_file, "2026-11-29T08:42:57.123456+00:00 host prog[pid]: text"
 * from RFC 3339 syslog) into {time, program, pid, queue_id, text}.
 *
 * logscan_file follows a log file by offset (local files only; never
 * grep or tail): open at the current end, then read the complete lines
 * written since, a partial last line kept for the next read.
 *
 * logscan_trace follows one message: fed every line, it finds the queue
 * ID from the cleanup line "QID: message-id=<ID>", then collects the
 * delivery line (relay=, delays=, dsn=, status=sent|deferred|bounced and
 * the reason) and the smtp client's TLS line from the same process.
 *
 * Ownership: logscan_line.text points into the caller's line;
 * logscan_file_close frees what logscan_file_open allocated.
 * Errors: -1 with e naming the file.
 */
#ifndef RELAYDECK_LOGSCAN_H
#define RELAYDECK_LOGSCAN_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "err.h"

struct logscan_line {
	time_t time;		/* -1 when the stamp does not parse; syslog stamps take this year */
	char host[128];
	char program[96];	/* "postfix-rdtest/smtp" */
	long pid;		/* -1 when absent */
	char queue_id[32];	/* "" when the text does not start with "QID: " */
	const char *text;	/* after "QID: " (or after ": " without one) */
	size_t textlen;
};

/* logscan_parse_line - 0 and out filled, -1 when line is not a log line. */
int logscan_parse_line(const char *line, size_t len, struct logscan_line *out);

/* The year of classic stamps ("Dec 31 23:59:59" has none). A file is read
 * with a clock started from the time of its last line (its mtime): the
 * first line takes that year, or the year before when its month is later
 * than the mtime's; a month that goes back by more than six (December to
 * January) starts the next year, one that jumps forward by more than six
 * (a late December line after January's) belongs to the year before. The
 * last minute's time is cached (mktime is slow). */
struct logscan_clock {
	int year;		/* of the lines now being read; 0 until the first line */
	int ref_year, ref_mon;	/* from the reference time */
	int last_mon;
	char key[12];		/* "Mmm dd hh:mm" of the cached minute */
	int key_year;
	time_t key_time;
	int first_mon, first_year;	/* of the first classic stamp read; -1, 0 none */
	char rkey[16];		/* "YYYY-MM-DDTHH:MM" of RFC 3339 stamps */
	time_t rkey_time;
};

/* logscan_clock_init - a clock for lines that end at ref (local time). */
void logscan_clock_init(struct logscan_clock *c, time_t ref);

/* A log line split in place: pointers into the caller's line. */
struct logscan_view {
	time_t time;
	const char *host;
	size_t hostlen;
	const char *program;	/* "postfix-out/smtp" */
	size_t proglen;
	const char *service;	/* "smtp": the last part of program */
	size_t servlen;
	long pid;		/* -1 when absent */
	const char *queue_id;	/* NULL when none */
	size_t qidlen;
	const char *text;	/* after "QID: " or after ": " */
	size_t textlen;
};

/* logscan_split - like logscan_parse_line without copies, classic stamps
 * dated by c. 0, or -1 when the line is not a log line. */
int logscan_split(const char *line, size_t len, struct logscan_clock *c,
		  struct logscan_view *v);

struct logscan_file {
	char *path;
	int fd;
	off_t off;
	struct buf partial;	/* an unfinished last line */
};

/* logscan_file_open - follow path from its current end (from_start: from
 * byte 0). A missing file is followed from 0 once it appears. */
int logscan_file_open(struct logscan_file *f, const char *path, int from_start, struct err *e);

/* logscan_file_read - complete lines written since the last call, '\n'
 * separated, appended to out (each line capped at 8 KiB). A file that
 * shrank (rotated) is read again from 0. */
int logscan_file_read(struct logscan_file *f, struct buf *out, struct err *e);

void logscan_file_close(struct logscan_file *f);

enum logscan_status { LS_NONE = 0, LS_SENT, LS_DEFERRED, LS_BOUNCED, LS_EXPIRED };

#define LOGSCAN_TLS_PIDS 16

struct logscan_trace {
	char message_id[256];	/* input: without the angle brackets */
	char queue_id[32];	/* found from the cleanup line */
	enum logscan_status status;
	char to[256];
	char relay[300];	/* "127.0.0.1[127.0.0.1]:587" or "none" */
	char delay[32];
	char delays[64];	/* "a/b/c/d" */
	char dsn[16];
	char reason[1024];	/* the text in parentheses after status= */
	char tls[512];		/* "Verified TLS connection established to ..." */
	int sasl_failed;	/* the client logged "SASL authentication failed" */
	char sasl[1024];	/* that reason, or "" */
	struct {		/* the last TLS line of each smtp process seen */
		long pid;
		char line[512];
	} pids[LOGSCAN_TLS_PIDS];
	size_t next_pid;
};

/* logscan_trace_init - follow the message with this Message-ID ("<x@y>" or "x@y"). */
void logscan_trace_init(struct logscan_trace *t, const char *message_id);

/* logscan_trace_feed - one parsed line; 1 when a final status was seen. */
int logscan_trace_feed(struct logscan_trace *t, const struct logscan_line *l);

/* logscan_status_name - "sent", "deferred", "bounced", "expired", "". */
const char *logscan_status_name(enum logscan_status s);

/* logscan_days_from_civil - days since 1970-01-01 of a proleptic
 * Gregorian date (timegm without the C library's time zone state). */
long long logscan_days_from_civil(int y, int m, int d);

#endif
