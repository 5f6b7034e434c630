/*
 * logsrc - find a host's mail log and read its lines. See logsrc.h.
 */
#include "config.h"
#include "logsrc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "buf.h"
#include "logscan.h"
#include "maincf.h"
#include "postfix.h"
#include "target.h"

#define CHUNK (1024 * 1024)	/* a read through the target (a few round trips over SSH) */
#define CHUNK_LOCAL (256 * 1024)	/* here: stays in the cache while it is parsed */
#define SYSLOG_FILE "/var/log/mail.log"
#define JOURNAL_MS (10 * 60 * 1000)
#define READ_MS (10 * 60 * 1000)
#define SEEK_MIN (4LL << 20)	/* smaller files are read whole */
#define SEEK_GRAIN (256LL << 10)	/* bisection stops at this span */
#define PROBE (16 * 1024)	/* bytes read to date one offset */

void logsrc_init(struct logsrc *src)
{
	memset(src, 0, sizeof(*src));
}

void logsrc_free(struct logsrc *src)
{
	for (size_t i = 0; i < src->n; i++)
		free(src->files[i].path);
	free(src->files);
	memset(src, 0, sizeof(*src));
}

/* add - one file, stat'ed already. */
static int add(struct logsrc *src, const char *path, const struct target_stat *st, int journal,
	       struct err *e)
{
	if (src->n == src->alloc) {
		size_t na = src->alloc ? src->alloc * 2 : 8;
		struct logsrc_file *v = realloc(src->files, na * sizeof(*v));

		if (v == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		src->files = v;
		src->alloc = na;
	}
	if ((src->files[src->n].path = strdup(path)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	src->files[src->n].mtime = st->mtime;
	src->files[src->n].size = st->size;
	src->files[src->n].journal = journal;
	src->n++;
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

int logsrc_add_file(struct target *t, struct logsrc *src, const char *path, struct err *e)
{
	struct target_stat st;

	if (target_stat(t, path, &st, e) < 0)
		return -1;
	if (!st.exists) {
		err_set(e, ERR_NOTFOUND, "log file %s: No such file or directory", path);
		return err_at(e, path, 0);
	}
	if (st.is_dir) {
		err_set(e, ERR_INVALID, "log file %s: is a directory", path);
		return err_at(e, path, 0);
	}
	if (add(src, path, &st, ends_with(path, ".journal") || ends_with(path, ".journal~"),
		e) < 0)
		return -1;
	snprintf(src->desc, sizeof(src->desc), "%s%s", path, src->n > 1 ? " and others" : "");
	return 0;
}

/* suffix_num - N of "NAME.N" or "NAME.N.gz" after base, else -1. */
static long suffix_num(const char *name, size_t baselen)
{
	const char *p = name + baselen + 1;
	char *end;
	long n = strtol(p, &end, 10);

	if (end == p || (*end != '\0' && strcmp(end, ".gz") != 0))
		return -1;
	return n;
}

static size_t cmp_baselen;

/* older_first - by mtime, then the higher rotation number first. */
static int older_first(const void *a, const void *b)
{
	const struct logsrc_file *x = a, *y = b;
	const char *bx = strrchr(x->path, '/'), *by = strrchr(y->path, '/');
	long nx, ny;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	bx = bx ? bx + 1 : x->path;
	by = by ? by + 1 : y->path;
	if (cmp_baselen && strlen(bx) > cmp_baselen && strlen(by) > cmp_baselen) {
		nx = suffix_num(bx, cmp_baselen);
		ny = suffix_num(by, cmp_baselen);
		if (nx != ny)
			return nx > ny ? -1 : 1;
	}
	return strcmp(x->path, y->path);
}

void logsrc_sort(struct logsrc *src)
{
	cmp_baselen = 0;
	if (src->n > 1)
		qsort(src->files, src->n, sizeof(src->files[0]), older_first);
}

/* with_rotations - path's rotated siblings (oldest first), then path. */
static int with_rotations(struct target *t, struct logsrc *src, const char *path, struct err *e)
{
	char dir[1024], **names = NULL;
	const char *base = strrchr(path, '/');
	size_t n = 0, bl, rotated = 0;
	struct target_stat st;

	if (base == NULL || (size_t)(base - path) >= sizeof(dir))
		return err_set(e, ERR_INVALID, "log file %s: not an absolute path", path);
	memcpy(dir, path, (size_t)(base - path));
	dir[base - path] = '\0';
	if (dir[0] == '\0')
		strcpy(dir, "/");
	base++;
	bl = strlen(base);
	snprintf(src->live, sizeof(src->live), "%s", path);
	if (t->ops->list_dir && t->ops->list_dir(t, dir, &names, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char full[2048];

		if (strncmp(names[i], base, bl) != 0 || (names[i][bl] != '.' && names[i][bl] != '-') ||
		    names[i][bl + 1] == '\0')
			continue;
		snprintf(full, sizeof(full), "%s/%s", strcmp(dir, "/") ? dir : "", names[i]);
		if (target_stat(t, full, &st, e) < 0 || !st.exists || st.is_dir)
			continue;
		if (add(src, full, &st, 0, e) < 0) {
			target_names_free(names, n);
			return -1;
		}
		rotated++;
	}
	target_names_free(names, n);
	cmp_baselen = bl;
	if (src->n > 1)
		qsort(src->files, src->n, sizeof(src->files[0]), older_first);
	cmp_baselen = 0;
	if (target_stat(t, path, &st, e) < 0)
		return -1;
	if (st.exists && add(src, path, &st, 0, e) < 0)
		return -1;
	if (rotated)
		snprintf(src->desc, sizeof(src->desc), "%s (+%zu rotated)", path, rotated);
	else
		snprintf(src->desc, sizeof(src->desc), "%s", path);
	return 0;
}

/* maillog_from_maincf - maillog_file as main.cf says, for a main.cf that
 * Postfix refuses (its fatal message is in that log); "" when unset or
 * when it needs Postfix to expand it. */
static void maillog_from_maincf(struct target *t, struct buf *out)
{
	struct err e;
	struct maincf *m = postfix_read_maincf(t, &e);
	const char *v;

	buf_reset(out);
	if (m && (v = maincf_get(m, "maillog_file")) != NULL && !strchr(v, '$'))
		buf_append(out, v, strlen(v));
	maincf_free(m);
}

int logsrc_discover(struct target *t, struct logsrc *src, struct err *e)
{
	struct buf v = BUF_INIT;
	struct target_stat st;
	struct err ignore;

	/* 1. maillog_file: postlogd writes there, whatever syslog does. */
	err_clear(&ignore);
	if (postfix_expand(t, "maillog_file", &v, &ignore) < 0)
		maillog_from_maincf(t, &v);
	if (v.len > 0 && v.data[0] == '/') {
		int r;

		/* /dev/stdout: the output of whoever started Postfix, no file */
		if (strncmp(v.data, "/dev/", 5) == 0) {
			err_set(e, ERR_INVALID, "maillog_file is %.200s: not a file to read", v.data);
			buf_free(&v);
			return -1;
		}
		r = with_rotations(t, src, v.data, e);

		if (r == 0 && src->n == 0)
			snprintf(src->desc, sizeof(src->desc), "%.480s (not written yet)", v.data);
		buf_free(&v);
		return r;
	}
	buf_free(&v);
	/* 2. the syslog file. */
	if (target_stat(t, SYSLOG_FILE, &st, e) < 0)
		return -1;
	if (st.exists)
		return with_rotations(t, src, SYSLOG_FILE, e);
	/* 3. journald. */
	src->journal_units = 1;
	snprintf(src->desc, sizeof(src->desc), "journald (units postfix@- and postfix)");
	return 0;
}

/* ---- lines ------------------------------------------------------------------ */

struct splitter {
	const struct logsrc_sink *sink;
	char *buf;		/* LOGSRC_LINE_MAX */
	size_t len;
	int overlong;		/* the current line went past the cap */
	long cut;		/* lines cut at the cap */
	int stopped;
	int journal;		/* skip journalctl's "-- ... --" notes */
	long long bytes;	/* consumed through the last newline */
	long long held;		/* bytes of the unfinished line held (before the cap) */
	/* a span: lines that start before end (-1: all), the first skipped */
	long long base, end;
	int skip_first, span_done;
};

static void deliver(struct splitter *sp, const char *line, size_t len)
{
	if (sp->stopped)
		return;
	if (sp->end >= 0 && sp->base + sp->bytes >= sp->end) {
		sp->stopped = sp->span_done = 1;
		return;
	}
	if (sp->skip_first) {
		sp->skip_first = 0;
		return;
	}
	if (sp->journal && len >= 3 && memcmp(line, "-- ", 3) == 0)
		return;
	if (sp->sink->line(sp->sink->arg, line, len))
		sp->stopped = 1;
}

/* split - hand over each complete line; whole lines inside data go
 * straight from it, without a copy. */
static int split(void *arg, const char *data, size_t n)
{
	struct splitter *sp = arg;
	const char *p = data, *end = data + n, *nl;

	while (p < end && !sp->stopped) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			size_t k = (size_t)(end - p);

			sp->held += (long long)k;
			if (sp->len + k > LOGSRC_LINE_MAX) {
				k = LOGSRC_LINE_MAX - sp->len;
				sp->overlong = 1;
			}
			memcpy(sp->buf + sp->len, p, k);
			sp->len += k;
			break;
		}
		if (sp->len == 0 && !sp->overlong) {
			deliver(sp, p, (size_t)(nl - p));
		} else {
			size_t k = (size_t)(nl - p);

			if (sp->len + k > LOGSRC_LINE_MAX) {
				k = LOGSRC_LINE_MAX - sp->len;
				sp->overlong = 1;
			}
			memcpy(sp->buf + sp->len, p, k);
			sp->len += k;
			if (sp->overlong)
				sp->cut++;
			deliver(sp, sp->buf, sp->len);
			sp->len = 0;
			sp->overlong = 0;
		}
		/* the line's head came in an earlier piece */
		sp->bytes += sp->held + (nl + 1 - p);
		sp->held = 0;
		p = nl + 1;
	}
	return sp->stopped;
}

/* split_end - the last line when it has no newline. */
static void split_end(struct splitter *sp)
{
	if (sp->len > 0 && !sp->stopped)
		deliver(sp, sp->buf, sp->len);
	sp->len = 0;
	sp->held = 0;
}

/* ---- gzip --------------------------------------------------------------------- */

struct gunzip {
	z_stream z;
	int started, ended, failed;
	char msg[200];
	unsigned char *out;
	struct splitter *sp;
	long long in_bytes;
};

#define ZOUT (256 * 1024)

/* gunzip_feed - inflate one piece of the file; members may follow each other. */
static int gunzip_feed(void *arg, const char *data, size_t n)
{
	struct gunzip *g = arg;

	if (g->failed || g->sp->stopped)
		return 1;
	g->z.next_in = (unsigned char *)(uintptr_t)data;
	g->z.avail_in = (uInt)n;
	while (g->z.avail_in > 0 && !g->sp->stopped) {
		int r;

		if (g->ended) {
			if (inflateReset(&g->z) != Z_OK)
				break;
			g->ended = 0;
		}
		g->z.next_out = g->out;
		g->z.avail_out = ZOUT;
		r = inflate(&g->z, Z_NO_FLUSH);
		if (ZOUT - g->z.avail_out > 0)
			split(g->sp, (const char *)g->out, ZOUT - g->z.avail_out);
		if (r == Z_STREAM_END) {
			g->ended = 1;
		} else if (r != Z_OK && r != Z_BUF_ERROR) {
			snprintf(g->msg, sizeof(g->msg), "corrupt gzip data near byte %lld (%s)",
				 g->in_bytes + (long long)(n - g->z.avail_in),
				 g->z.msg ? g->z.msg : "zlib error");
			g->failed = 1;
			return 1;
		}
	}
	g->in_bytes += (long long)n;
	return 0;
}

/* ---- bytes of a file through the target ----------------------------------------- */

/* read_bytes - path from off to its end, piece by piece, to fn. */
static int read_bytes(struct target *t, const char *path, long long off, target_chunk_fn fn,
		      void *arg, struct err *e)
{
	if (t->ops->read_at) {
		struct buf b = BUF_INIT;
		size_t chunk = strcmp(t->ops->kind, "local") == 0 ? CHUNK_LOCAL : CHUNK;
		int rc = 0;

		buf_init(&b, chunk + 1);
		for (;;) {
			if (t->ops->read_at(t, path, off, chunk, &b, e) < 0) {
				rc = -1;
				break;
			}
			if (b.len > 0 && fn(arg, b.data, b.len))
				break;
			off += (long long)b.len;
			if (b.len < chunk)
				break;
		}
		buf_free(&b);
		return rc;
	} else {
		char skip[64];
		const char *argv[] = { "dd", NULL, "bs=1M", NULL, "iflag=skip_bytes",
				       "status=none", NULL };
		char ifa[2100];
		struct run_out o;
		int rc;

		snprintf(ifa, sizeof(ifa), "if=%s", path);
		snprintf(skip, sizeof(skip), "skip=%lld", off);
		argv[1] = ifa;
		argv[3] = skip;
		run_out_init(&o);
		rc = target_run_stream(t, argv, NULL, fn, arg, &o, READ_MS, e);
		if (rc == 0 && o.exit_code != 0 && !o.cancelled) {
			err_set(e, ERR_SYS, "read %s: %.*s", path,
				(int)(o.err.len > 200 ? 200 : o.err.len),
				o.err.data ? o.err.data : "dd failed");
			rc = err_at(e, path, 0);
		}
		run_out_free(&o);
		return rc;
	}
}

/* is_gzip - the file starts with gzip's magic bytes. */
static int is_gzip(struct target *t, const char *path)
{
	struct buf b = BUF_INIT;
	struct err ignore;
	int gz = 0;

	if (t->ops->read_at) {
		buf_init(&b, 64);
		if (t->ops->read_at(t, path, 0, 2, &b, &ignore) == 0 && b.len == 2 &&
		    (unsigned char)b.data[0] == 0x1f && (unsigned char)b.data[1] == 0x8b)
			gz = 1;
		buf_free(&b);
		return gz;
	}
	return ends_with(path, ".gz");
}

/* warn_cut - say how many lines were cut at the cap. */
static void warn_cut(const struct splitter *sp, const char *path)
{
	char msg[600];

	if (sp->cut && sp->sink->warn) {
		snprintf(msg, sizeof(msg), "%.300s: %ld line%s longer than %d bytes, read "
			 "up to that length", path, sp->cut, sp->cut == 1 ? "" : "s",
			 LOGSRC_LINE_MAX);
		sp->sink->warn(sp->sink->arg, msg);
	}
}

int logsrc_read_file(struct target *t, const char *path, long long off, int at_end,
		     long long *next_off, const struct logsrc_sink *sink, struct err *e)
{
	struct splitter sp;
	char msg[600];
	int rc;

	memset(&sp, 0, sizeof(sp));
	sp.sink = sink;
	sp.end = -1;
	if ((sp.buf = malloc(LOGSRC_LINE_MAX)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (is_gzip(t, path)) {
		struct gunzip g;

		memset(&g, 0, sizeof(g));
		g.sp = &sp;
		if ((g.out = malloc(ZOUT)) == NULL || inflateInit2(&g.z, 15 + 32) != Z_OK) {
			free(g.out);
			free(sp.buf);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		rc = read_bytes(t, path, 0, gunzip_feed, &g, e);
		inflateEnd(&g.z);
		free(g.out);
		if (rc == 0 && !g.failed && !g.ended && !sp.stopped) {
			snprintf(g.msg, sizeof(g.msg), "gzip data ends early after %lld bytes "
				 "(the file is cut)", g.in_bytes);
			g.failed = 1;
		}
		split_end(&sp);
		if (g.failed && sink->warn) {
			snprintf(msg, sizeof(msg), "%.300s: %s; the lines before it are counted",
				 path, g.msg);
			sink->warn(sink->arg, msg);
		}
		if (next_off)
			*next_off = 0;
	} else {
		rc = read_bytes(t, path, off, split, &sp, e);
		if (at_end)
			split_end(&sp);
		if (next_off)
			*next_off = off + sp.bytes + (at_end ? (long long)sp.len : 0);
	}
	warn_cut(&sp, path);
	free(sp.buf);
	return rc < 0 ? -1 : sp.stopped ? 1 : 0;
}

int logsrc_read_span(struct target *t, const char *path, long long off, long long end,
		     const struct logsrc_sink *sink, struct err *e)
{
	struct splitter sp;
	int rc;

	memset(&sp, 0, sizeof(sp));
	sp.sink = sink;
	sp.end = end;
	/* from the byte before off: the line it ends (or is in) is not ours */
	sp.base = off > 0 ? off - 1 : 0;
	sp.skip_first = off > 0;
	if ((sp.buf = malloc(LOGSRC_LINE_MAX)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = read_bytes(t, path, sp.base, split, &sp, e);
	split_end(&sp);
	warn_cut(&sp, path);
	free(sp.buf);
	return rc < 0 ? -1 : sp.stopped && !sp.span_done ? 1 : 0;
}

/* ---- journald ------------------------------------------------------------------------ */

static int read_journal(struct target *t, const struct logsrc *src, long long since,
			long long until, int follow, const struct logsrc_sink *sink, struct err *e)
{
	const char *argv[64];
	char s_since[32], s_until[32];
	struct splitter sp;
	struct run_out o;
	size_t a = 0, before;
	int rc;

	argv[a++] = "journalctl";
	if (src->journal_units) {
		argv[a++] = "-u";
		argv[a++] = "postfix@-";
		argv[a++] = "-u";
		argv[a++] = "postfix";
	}
	for (size_t i = 0; i < src->n && a < 50; i++) {
		if (!src->files[i].journal)
			continue;
		argv[a++] = "--file";
		argv[a++] = src->files[i].path;
	}
	argv[a++] = "-o";
	argv[a++] = "short-iso";
	argv[a++] = "-q";
	argv[a++] = "--no-pager";
	if (follow) {
		argv[a++] = "-f";
		argv[a++] = "-n";
		argv[a++] = follow > 1 ? "all" : "0";
	}
	if (since >= 0) {
		snprintf(s_since, sizeof(s_since), "@%lld", since);
		argv[a++] = "--since";
		argv[a++] = s_since;
	}
	before = a;
	if (until >= 0) {
		snprintf(s_until, sizeof(s_until), "@%lld", until);
		argv[a++] = "--until";
		argv[a++] = s_until;
	}
	argv[a] = NULL;
	memset(&sp, 0, sizeof(sp));
	sp.sink = sink;
	sp.end = -1;
	sp.journal = 1;
	if ((sp.buf = malloc(LOGSRC_LINE_MAX)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (sink->begin)
		sink->begin(sink->arg, "journal", (long long)time(NULL));
	run_out_init(&o);
	/* --since leaves out everything older, so the reader could not tell
	 * a journal that begins inside the window from one that holds more:
	 * the last entry before since comes first (outside the window, it
	 * only dates the journal's start; a second before since, so an entry
	 * at since itself is never read twice) */
	if (since >= 1 && !follow && before >= 2) {
		const char *pre[64];
		char s_pre[32];

		snprintf(s_pre, sizeof(s_pre), "@%lld", since - 1);
		memcpy(pre, argv, (before - 2) * sizeof(*pre));
		pre[before - 2] = "--until";
		pre[before - 1] = s_pre;
		/* -r: with --until, a plain -n 1 prints nothing (systemd 252) */
		pre[before] = "-r";
		pre[before + 1] = "-n";
		pre[before + 2] = "1";
		pre[before + 3] = NULL;
		rc = target_run_stream(t, pre, NULL, split, &sp, &o, JOURNAL_MS, e);
		run_out_free(&o);
		run_out_init(&o);
		if (rc < 0 || sp.stopped)
			goto done;
	}
	rc = target_run_stream(t, argv, NULL, split, &sp, &o,
			       follow ? 24 * 24 * 3600 * 1000 : JOURNAL_MS, e);
done:
	split_end(&sp);
	if (rc == 0 && o.exit_code != 0 && !o.cancelled) {
		size_t n = o.err.len;

		while (n > 0 && o.err.data[n - 1] == '\n')
			n--;
		err_set(e, ERR_SYS, "journalctl failed (exit %d): %.*s", o.exit_code,
			(int)(n > 300 ? 300 : n), o.err.data ? o.err.data : "");
		rc = -1;
	} else if (rc < 0 && e->sys_errno == 2) {
		err_set(e, ERR_NOTFOUND, "no mail log: maillog_file is not set, %s does not "
			"exist and journalctl cannot be run", SYSLOG_FILE);
	}
	run_out_free(&o);
	free(sp.buf);
	return rc < 0 ? -1 : sp.stopped ? 1 : 0;
}

/* ---- entering a file near a time --------------------------------------------------- */

/* probe_time - the time of the first whole line that parses in the piece
 * of path at off (the line start into *line_off); -1 when none does. */
static long long probe_time(struct target *t, const char *path, long long off, time_t mtime,
			    struct buf *b, long long *line_off)
{
	struct logscan_clock c;
	struct logscan_view v;
	struct err ignore;
	const char *p, *end, *nl;

	if (t->ops->read_at(t, path, off, PROBE, b, &ignore) < 0 || b->len == 0)
		return -1;
	p = b->data;
	end = b->data + b->len;
	if (off > 0) {		/* started inside a line */
		if ((nl = memchr(p, '\n', b->len)) == NULL)
			return -1;
		p = nl + 1;
	}
	for (; p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
		logscan_clock_init(&c, mtime);
		if (logscan_split(p, (size_t)(nl - p), &c, &v) == 0) {
			*line_off = off + (long long)(p - b->data);
			return (long long)v.time;
		}
	}
	return -1;
}

/* seek_line - the start of a line of path dated before since, found by
 * bisection over the line times at offsets (a log is written in time
 * order); 0 when the file starts later or cannot be dated. */
static long long seek_line(struct target *t, const struct logsrc_file *f, long long since)
{
	struct buf b = BUF_INIT;
	long long lo = 0, hi = f->size, at, when;

	buf_init(&b, PROBE + 1);
	while (hi - lo > SEEK_GRAIN) {
		long long mid = lo + (hi - lo) / 2;

		when = probe_time(t, f->path, mid, (time_t)f->mtime, &b, &at);
		if (when < 0 || at >= hi)
			break;		/* undated, or no line starts before hi */
		if (when < since)
			lo = at;
		else
			hi = mid;
	}
	buf_free(&b);
	return lo;
}

int logsrc_read(struct target *t, const struct logsrc *src, long long since, long long until,
		const struct logsrc_sink *sink, struct err *e)
{
	int read_ok = 0, journal = src->journal_units, rc;
	struct err first;
	char msg[700];

	err_clear(&first);
	for (size_t i = 0; i < src->n; i++) {
		const struct logsrc_file *f = &src->files[i];

		if (f->journal) {
			journal = 1;
			continue;
		}
		long long off = 0;
		int plain;

		/* written last before since: every line in it is older */
		if (since >= 0 && f->mtime < since) {
			read_ok = 1;
			continue;
		}
		plain = t->ops->read_at && !is_gzip(t, f->path);
		if (since >= 0 && f->size >= SEEK_MIN && plain)
			off = seek_line(t, f, since);
		if (sink->begin)
			sink->begin(sink->arg, f->path, f->mtime);
		if (off > 0 && sink->skipped)
			sink->skipped(sink->arg, off);
		rc = plain && sink->plain ? sink->plain(sink->arg, t, f, off, e) : 2;
		if (rc == 2)
			rc = logsrc_read_file(t, f->path, off, 1, NULL, sink, e);
		if (rc == 1)
			return 1;
		if (rc < 0) {
			if (first.msg[0] == '\0')
				first = *e;
			if (sink->warn) {
				snprintf(msg, sizeof(msg), "%s", e->msg);
				sink->warn(sink->arg, msg);
			}
			continue;
		}
		read_ok = 1;
	}
	if (journal) {
		rc = read_journal(t, src, since, until, 0, sink, e);
		if (rc != 0)
			return rc;
		read_ok = 1;
	}
	if (!read_ok && src->n > 0) {
		*e = first;
		return -1;
	}
	return 0;
}

int logsrc_follow_journal(struct target *t, const struct logsrc *src, int from_start,
			  const struct logsrc_sink *sink, struct err *e)
{
	return read_journal(t, src, -1, -1, from_start ? 2 : 1, sink, e);
}
