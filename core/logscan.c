/*
 * logscan - parse, follow and trace Postfix log lines. See logscan.h.
 */
#include "config.h"
#include "logscan.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_CAP 8192

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* num - n digits at s into *v; 0 or -1. */
static int num(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* stamp_syslog - "Nov 29 08:42:57 " (day may be " 9"); length used, or 0. */
static size_t stamp_syslog(const char *s, size_t len, time_t *t)
{
	struct tm tm;
	time_t now = time(NULL);
	int mon = -1, d, h, mi, se;

	if (len < 16 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':' ||
	    s[15] != ' ')
		return 0;
	for (int i = 0; i < 12; i++)
		if (memcmp(s, months[i], 3) == 0)
			mon = i;
	if (mon < 0 || num(s + 7, 2, &h) < 0 || num(s + 10, 2, &mi) < 0 ||
	    num(s + 13, 2, &se) < 0)
		return 0;
	if (s[4] == ' ' ? num(s + 5, 1, &d) < 0 : num(s + 4, 2, &d) < 0)
		return 0;
	if (d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return 0;
	/* No year in the stamp: this year, or last year for a December line read in January. */
	gmtime_r(&now, &tm);
	if (mon > tm.tm_mon + 1)
		tm.tm_year--;
	tm.tm_mon = mon;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	*t = mktime(&tm);
	return 16;
}

/* stamp_rfc3339 - "2026-11-29T08:42:57[.frac](Z|+hh:mm) "; length used, or 0. */
static size_t stamp_rfc3339(const char *s, size_t len, time_t *t)
{
	struct tm tm;
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	size_t i = 19;

	if (len < 21 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':')
		return 0;
	if (num(s, 4, &y) < 0 || num(s + 5, 2, &mo) < 0 || num(s + 8, 2, &d) < 0 ||
	    num(s + 11, 2, &h) < 0 || num(s + 14, 2, &mi) < 0 || num(s + 17, 2, &se) < 0)
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return 0;
	if (i < len && s[i] == '.')
		for (i++; i < len && isdigit((unsigned char)s[i]); i++)
			;
	if (i < len && s[i] == 'Z') {
		i++;
	} else if (i + 6 <= len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
		   num(s + i + 1, 2, &oh) == 0 && num(s + i + 4, 2, &om) == 0) {
		sign = s[i] == '-' ? -1 : 1;
		i += 6;
	} else {
		return 0;
	}
	if (i >= len || s[i] != ' ')
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*t = timegm(&tm) - sign * (oh * 3600 + om * 60);
	return i + 1;
}

/* queue_id_at - a queue ID followed by ": "; its length or 0. Short IDs
 * are upper-case hex (6 or more); long ones (enable_long_queue_ids) mix
 * digits and letters, 10 or more, so "warning: " or "statistics: " never
 * pass for one. */
static size_t queue_id_at(const char *s, size_t len)
{
	size_t n = 0;
	int hex = 1, digit = 0;

	while (n < len && n < 31 && isalnum((unsigned char)s[n])) {
		hex &= isdigit((unsigned char)s[n]) || (s[n] >= 'A' && s[n] <= 'F');
		digit |= isdigit((unsigned char)s[n]) != 0;
		n++;
	}
	if (n + 1 >= len || s[n] != ':' || s[n + 1] != ' ')
		return 0;
	if (hex ? n < 6 : (n < 10 || !digit))
		return 0;
	return n;
}

/* logscan_parse_line - stamp, host, program[pid]: [QID: ]text. */
int logscan_parse_line(const char *line, size_t len, struct logscan_line *out)
{
	size_t i, n, hs, ps, pe;
	time_t t = -1;

	memset(out, 0, sizeof(*out));
	out->pid = -1;
	out->time = -1;
	if (line == NULL)
		return -1;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	/* Postfix writes text: a NUL means a damaged or foreign line. */
	if (memchr(line, '\0', len) != NULL)
		return -1;
	if ((i = stamp_syslog(line, len, &t)) == 0 && (i = stamp_rfc3339(line, len, &t)) == 0)
		return -1;
	out->time = t;
	hs = i;
	while (i < len && line[i] != ' ')
		i++;
	if (i == hs || i >= len || i - hs >= sizeof(out->host))
		return -1;
	memcpy(out->host, line + hs, i - hs);
	ps = ++i;
	while (i < len && line[i] != '[' && line[i] != ':' && line[i] != ' ')
		i++;
	pe = i;
	if (pe == ps || pe - ps >= sizeof(out->program) || i >= len)
		return -1;
	memcpy(out->program, line + ps, pe - ps);
	if (line[i] == '[') {
		long pid = 0;

		for (i++; i < len && isdigit((unsigned char)line[i]) && pid < 100000000; i++)
			pid = pid * 10 + (line[i] - '0');
		if (i >= len || line[i] != ']')
			return -1;
		out->pid = pid;
		i++;
	}
	if (i + 1 >= len || line[i] != ':' || line[i + 1] != ' ')
		return -1;
	i += 2;
	if ((n = queue_id_at(line + i, len - i)) > 0) {
		memcpy(out->queue_id, line + i, n);
		i += n + 2;
	}
	out->text = line + i;
	out->textlen = len - i;
	return 0;
}

/* logscan_file_open - remember where the file ends now. */
int logscan_file_open(struct logscan_file *f, const char *path, int from_start, struct err *e)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	buf_init(&f->partial, LINE_CAP);
	if ((f->path = strdup(path)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (!from_start && stat(path, &st) == 0)
		f->off = st.st_size;
	else if (!from_start && errno != ENOENT)
		return err_sys(e, "log file %s", path);
	return 0;
}

/* logscan_file_read - pread from the offset; reopen when the file was replaced. */
int logscan_file_read(struct logscan_file *f, struct buf *out, struct err *e)
{
	char chunk[16384];
	struct stat st;
	ssize_t n;

	if (f->fd < 0) {
		if ((f->fd = open(f->path, O_RDONLY | O_CLOEXEC)) < 0) {
			if (errno == ENOENT)
				return 0;
			return err_sys(e, "log file %s", f->path);
		}
	}
	if (fstat(f->fd, &st) == 0 && st.st_size < f->off) {
		f->off = 0;
		buf_reset(&f->partial);
	}
	while ((n = pread(f->fd, chunk, sizeof(chunk), f->off)) > 0) {
		size_t start = 0;

		f->off += n;
		for (size_t k = 0; k < (size_t)n; k++) {
			if (chunk[k] != '\n')
				continue;
			/* A line longer than the cap is cut: its head still parses. */
			if (f->partial.len < LINE_CAP)
				buf_append(&f->partial, chunk + start,
					   k - start < LINE_CAP - f->partial.len ?
					   k - start : LINE_CAP - f->partial.len);
			buf_append(out, f->partial.data ? f->partial.data : "", f->partial.len);
			buf_putc(out, '\n');
			buf_reset(&f->partial);
			start = k + 1;
		}
		if (start < (size_t)n && f->partial.len < LINE_CAP)
			buf_append(&f->partial, chunk + start,
				   (size_t)n - start < LINE_CAP - f->partial.len ?
				   (size_t)n - start : LINE_CAP - f->partial.len);
	}
	if (n < 0)
		return err_sys(e, "read log file %s", f->path);
	return 0;
}

void logscan_file_close(struct logscan_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->path);
	f->path = NULL;
	buf_free(&f->partial);
}

/* logscan_trace_init - strip the brackets so either form matches. */
void logscan_trace_init(struct logscan_trace *t, const char *message_id)
{
	size_t n;

	memset(t, 0, sizeof(*t));
	if (message_id == NULL)
		return;
	if (*message_id == '<')
		message_id++;
	snprintf(t->message_id, sizeof(t->message_id), "%s", message_id);
	n = strlen(t->message_id);
	if (n && t->message_id[n - 1] == '>')
		t->message_id[n - 1] = '\0';
}

/* field - the value of "name=" in text up to ", " (or the end) into out. */
static void field(const char *text, size_t len, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);

	out[0] = '\0';
	for (size_t i = 0; i + nl <= len; i++) {
		if ((i == 0 || text[i - 1] == ' ') && memcmp(text + i, name, nl) == 0) {
			size_t s = i + nl, k = s;

			while (k < len && text[k] != ',' && text[k] != ' ')
				k++;
			snprintf(out, outlen, "%.*s", (int)(k - s), text + s);
			return;
		}
	}
}

/* program_is - program's last component ("postfix-x/smtp" is "smtp"). */
static int program_is(const char *program, const char *name)
{
	const char *slash = strrchr(program, '/');

	return strcmp(slash ? slash + 1 : program, name) == 0;
}

/* remember_tls - keep the TLS line of an smtp process for its next delivery. */
static void remember_tls(struct logscan_trace *t, const struct logscan_line *l)
{
	size_t slot = t->next_pid;

	for (size_t i = 0; i < LOGSCAN_TLS_PIDS; i++)
		if (t->pids[i].pid == l->pid && t->pids[i].line[0]) {
			slot = i;
			break;
		}
	if (slot == t->next_pid)
		t->next_pid = (t->next_pid + 1) % LOGSCAN_TLS_PIDS;
	t->pids[slot].pid = l->pid;
	snprintf(t->pids[slot].line, sizeof(t->pids[slot].line), "%.*s", (int)l->textlen,
		 l->text);
}

/* logscan_trace_feed - queue ID from cleanup, then that ID's delivery. */
int logscan_trace_feed(struct logscan_trace *t, const struct logscan_line *l)
{
	static const struct {
		const char *word;
		enum logscan_status s;
	} statuses[] = { { "sent", LS_SENT }, { "deferred", LS_DEFERRED },
			 { "bounced", LS_BOUNCED }, { "expired", LS_EXPIRED } };
	const char *txt = l->text;
	size_t len = l->textlen;
	char st[16];

	if (txt == NULL)
		return 0;
	if (l->queue_id[0] == '\0') {
		if (program_is(l->program, "smtp") && len > 30 &&
		    memmem(txt, len, "TLS connection established to ", 30) != NULL)
			remember_tls(t, l);
		return 0;
	}
	if (t->queue_id[0] == '\0') {
		size_t ml = strlen(t->message_id);

		if (program_is(l->program, "cleanup") && ml && len == ml + 13 &&
		    memcmp(txt, "message-id=<", 12) == 0 && memcmp(txt + 12, t->message_id, ml) == 0 &&
		    txt[len - 1] == '>')
			snprintf(t->queue_id, sizeof(t->queue_id), "%s", l->queue_id);
		return 0;
	}
	if (strcmp(l->queue_id, t->queue_id) != 0)
		return 0;
	field(txt, len, "status=", st, sizeof(st));
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		const char *paren;

		if (strcmp(st, statuses[i].word) != 0)
			continue;
		t->status = statuses[i].s;
		field(txt, len, "to=", t->to, sizeof(t->to));
		field(txt, len, "relay=", t->relay, sizeof(t->relay));
		field(txt, len, "delay=", t->delay, sizeof(t->delay));
		field(txt, len, "delays=", t->delays, sizeof(t->delays));
		field(txt, len, "dsn=", t->dsn, sizeof(t->dsn));
		paren = memchr(txt, '(', len);
		if (paren) {
			size_t rl = len - (size_t)(paren + 1 - txt);

			if (rl && paren[rl] == ')')
				rl--;
			snprintf(t->reason, sizeof(t->reason), "%.*s", (int)rl, paren + 1);
		} else {
			t->reason[0] = '\0';
		}
		if (memmem(txt, len, "SASL authentication failed", 26) != NULL) {
			t->sasl_failed = 1;
			snprintf(t->sasl, sizeof(t->sasl), "%s", t->reason);
		}
		for (size_t k = 0; k < LOGSCAN_TLS_PIDS; k++)
			if (t->pids[k].pid == l->pid && t->pids[k].line[0] && l->pid >= 0)
				snprintf(t->tls, sizeof(t->tls), "%s", t->pids[k].line);
		return 1;
	}
	return 0;
}

/* logscan_status_name - the word Postfix logs. */
const char *logscan_status_name(enum logscan_status s)
{
	switch (s) {
	case LS_SENT:
		return "sent";
	case LS_DEFERRED:
		return "deferred";
	case LS_BOUNCED:
		return "bounced";
	case LS_EXPIRED:
		return "expired";
	default:
		return "";
	}
}
