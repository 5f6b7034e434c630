/*
 * logscan - parse, follow and trace Postfix log lines. See logscan.h.
 */
#include "config.h"
#include "logscan.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE_CAP 8192
/* ASCII digits without the locale tables (the hot path runs per byte). */
#define DIGIT(c) ((unsigned)((c) - '0') < 10)

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* num - n digits at s into *v; 0 or -1. */
static int num(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!DIGIT(s[i]))
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
		for (i++; i < len && DIGIT(s[i]); i++)
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
/* Character classes for queue IDs, by table: this runs on every line. */
#define C_ALNUM 1
#define C_DIGIT 2
#define C_UHEX 4
static const unsigned char cclass[256] = {
	['0'] = 7, ['1'] = 7, ['2'] = 7, ['3'] = 7, ['4'] = 7, ['5'] = 7, ['6'] = 7, ['7'] = 7,
	['8'] = 7, ['9'] = 7, ['A'] = 5, ['B'] = 5, ['C'] = 5, ['D'] = 5, ['E'] = 5, ['F'] = 5,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
	['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1,
	['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
	['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
	['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static size_t queue_id_at(const char *s, size_t len)
{
	size_t n = 0;
	unsigned all = C_UHEX, any = 0, c;

	while (n < len && n < 31 && ((c = cclass[(unsigned char)s[n]]) & C_ALNUM)) {
		all &= c;
		any |= c;
		n++;
	}
	int hex = (all & C_UHEX) != 0, digit = (any & C_DIGIT) != 0;

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

		for (i++; i < len && DIGIT(line[i]) && pid < 100000000; i++)
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

/* logscan_clock_init - year and month of ref, local time. */
void logscan_clock_init(struct logscan_clock *c, time_t ref)
{
	struct tm tm;

	memset(c, 0, sizeof(*c));
	localtime_r(&ref, &tm);
	c->ref_year = tm.tm_year + 1900;
	c->ref_mon = tm.tm_mon;
	c->last_mon = -1;
	c->first_mon = -1;
}

/* clock_classic - "Mmm dd hh:mm:ss" (checked by the caller's format test)
 * to a time, the year from c. -1 when a field is out of range. */
static time_t clock_classic(struct logscan_clock *c, const char *s)
{
	struct tm tm;
	int mon = -1, d, h, mi, se, year;

	if (num(s + 13, 2, &se) < 0 || se > 60)
		return -1;
	if (c->year && memcmp(s, c->key, 12) == 0)
		return c->key_time + se;
	for (int i = 0; i < 12; i++)
		if (memcmp(s, months[i], 3) == 0)
			mon = i;
	if (mon < 0 || num(s + 7, 2, &h) < 0 || num(s + 10, 2, &mi) < 0)
		return -1;
	if (s[4] == ' ' ? num(s + 5, 1, &d) < 0 : num(s + 4, 2, &d) < 0)
		return -1;
	if (d < 1 || d > 31 || h > 23 || mi > 59)
		return -1;
	if (c->year == 0) {
		c->year = mon > c->ref_mon ? c->ref_year - 1 : c->ref_year;
		c->last_mon = mon;
		c->first_mon = mon;
		c->first_year = c->year;
	}
	year = c->year;
	if (mon + 6 < c->last_mon) {
		year = ++c->year;
		c->last_mon = mon;
	} else if (mon > c->last_mon + 6) {
		year--;		/* a straggler from before New Year */
	} else {
		c->last_mon = mon;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	memcpy(c->key, s, 12);
	c->key_year = year;
	c->key_time = mktime(&tm);
	if (year != c->year)
		c->key[0] = '\0';	/* never reuse a straggler's minute */
	return c->key_time + se;
}

long long logscan_days_from_civil(int y, int m, int d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* clock_rfc3339 - like stamp_rfc3339 with the minute cached. */
static size_t clock_rfc3339(struct logscan_clock *c, const char *s, size_t len, time_t *t)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	size_t i = 19;

	if (len < 21 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || num(s + 17, 2, &se) < 0 || se > 60)
		return 0;
	if (i < len && s[i] == '.')
		for (i++; i < len && DIGIT(s[i]); i++)
			;
	if (i < len && s[i] == 'Z') {
		i++;
	} else if (i + 6 <= len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
		   num(s + i + 1, 2, &oh) == 0 && num(s + i + 4, 2, &om) == 0) {
		sign = s[i] == '-' ? -1 : 1;
		i += 6;
	} else if (i + 5 <= len && (s[i] == '+' || s[i] == '-') &&
		   num(s + i + 1, 2, &oh) == 0 && num(s + i + 3, 2, &om) == 0) {
		sign = s[i] == '-' ? -1 : 1;	/* journalctl -o short-iso: +0000 */
		i += 5;
	} else {
		return 0;
	}
	if (i >= len || s[i] != ' ')
		return 0;
	if (c->rkey[0] == '\0' || memcmp(s, c->rkey, 16) != 0) {
		if (num(s, 4, &y) < 0 || num(s + 5, 2, &mo) < 0 || num(s + 8, 2, &d) < 0 ||
		    num(s + 11, 2, &h) < 0 || num(s + 14, 2, &mi) < 0)
			return 0;
		if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59)
			return 0;
		memcpy(c->rkey, s, 16);
		c->rkey_time = (time_t)(logscan_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60);
	}
	*t = c->rkey_time + se - sign * (oh * 3600 + om * 60);
	return i + 1;
}

/* zbytes - 0x80 in each byte of w that is zero, exactly (no borrow
 * between bytes); BYTES(c): c in every byte. */
static inline uint64_t zbytes(uint64_t w)
{
	const uint64_t m = 0x7f7f7f7f7f7f7f7full;

	return ~(((w & m) + m) | w | m);
}
#define BYTES(c) (0x0101010101010101ull * (unsigned char)(c))

/* Bytes that end a program name, and its '/' (one table look-up a byte). */
#define P_END 1
#define P_SLASH 2
static const unsigned char pclass[256] = { ['['] = P_END, [':'] = P_END, [' '] = P_END,
					   ['/'] = P_SLASH };

/* logscan_split - stamp, host, program[pid]: [QID: ]text, no copies. */
int logscan_split(const char *line, size_t len, struct logscan_clock *c,
		  struct logscan_view *v)
{
	const char *s = line, *end, *p, *q;
	size_t n;

	v->pid = -1;
	v->queue_id = NULL;
	v->qidlen = 0;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	end = line + len;
	if (len >= 16 && s[3] == ' ' && s[6] == ' ' && s[9] == ':' && s[12] == ':' &&
	    s[15] == ' ' && (unsigned)((s[0] | 0x20) - 'a') < 26) {
		if ((v->time = clock_classic(c, s)) == (time_t)-1)
			return -1;
		p = s + 16;
	} else if ((n = clock_rfc3339(c, s, len, &v->time)) > 0) {
		p = s + n;
	} else {
		return -1;
	}
	v->host = p;
	if ((q = memchr(p, ' ', (size_t)(end - p))) == NULL || q == p)
		return -1;
	v->hostlen = (size_t)(q - p);
	p = q + 1;
	v->program = p;
	v->service = p;
	q = p;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* eight bytes at a time: program names are a dozen bytes or more */
	for (; q + 8 <= end; q += 8) {
		uint64_t w, stop, slash;

		memcpy(&w, q, 8);
		stop = zbytes(w ^ BYTES('[')) | zbytes(w ^ BYTES(':')) | zbytes(w ^ BYTES(' '));
		slash = zbytes(w ^ BYTES('/'));
		if (stop)
			slash &= (stop & -stop) - 1;	/* the slashes before the end */
		if (slash)
			v->service = q + (63 - __builtin_clzll(slash)) / 8 + 1;
		if (stop) {
			q += __builtin_ctzll(stop) / 8;
			goto program_end;
		}
	}
#endif
	for (; q < end; q++) {
		unsigned k = pclass[(unsigned char)*q];

		if (k == P_END)
			break;
		if (k == P_SLASH)
			v->service = q + 1;
	}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
program_end:
#endif
	if (q == p || q >= end)
		return -1;
	v->proglen = (size_t)(q - p);
	v->servlen = (size_t)(q - v->service);
	if (*q == '[') {
		long pid = 0;

		for (q++; q < end && (unsigned)(*q - '0') < 10 && pid < 100000000; q++)
			pid = pid * 10 + (*q - '0');
		if (q >= end || *q != ']')
			return -1;
		v->pid = pid;
		q++;
	}
	if (q + 1 >= end || q[0] != ':' || q[1] != ' ')
		return -1;
	q += 2;
	if ((n = queue_id_at(q, (size_t)(end - q))) > 0) {
		v->queue_id = q;
		v->qidlen = n;
		q += n + 2;
	}
	v->text = q;
	v->textlen = (size_t)(end - q);
	return 0;
}

/* logscan_file_open - remember where the file ends now. */
/* not_regular - the error for a log that is a FIFO or a device: opening a
 * FIFO waits for a writer (past any deadline), and maillog_file =
 * /dev/stdout goes to the output of whoever started Postfix. */
static int not_regular(const char *path, struct err *e)
{
	return err_set(e, ERR_INVALID, "log file %s: not a regular file; relaydeck follows "
		       "the mail log only in a regular file (set maillog_file to one)", path);
}

int logscan_file_open(struct logscan_file *f, const char *path, int from_start, struct err *e)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	buf_init(&f->partial, LINE_CAP);
	if ((f->path = strdup(path)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return not_regular(path, e);
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
		/* O_NONBLOCK: a FIFO put in its place must not hold the open */
		if ((f->fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0) {
			if (errno == ENOENT)
				return 0;
			return err_sys(e, "log file %s", f->path);
		}
		if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(f->fd);
			f->fd = -1;
			return not_regular(f->path, e);
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
