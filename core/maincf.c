/*
 * maincf - lossless model of Postfix's main.cf. See maincf.h.
 *
 * The model keeps the file as an array of physical lines pointing into a
 * private copy of the input, so an unedited model serializes to the exact
 * input bytes. Each logical line ("definition") records its first and last
 * physical line; a hash table maps names to their definitions in file
 * order. Edits mark lines deleted or give a line owned replacement text;
 * nothing is shifted, so an edit costs the size of the definition, not of
 * the file: the definition's text becomes its first line's owned text,
 * the rest of its lines are marked deleted. Line numbers come from a Fenwick tree of rows per physical
 * line, so edits and maincf_line stay O(log n) however they interleave.
 *
 * Postfix's rules, established with `postconf -c DIR -n` (Postfix 3.7.11):
 * - "Whitespace" is C isspace() in the C locale: space, \t, \n, \v, \f, \r.
 * - A line whose first byte is whitespace continues the logical line;
 *   the newline is dropped and the continuation's leading whitespace
 *   kept ("a" + "\n\fb" gives "a\fb").
 * - Blank or whitespace-only lines and comment lines (first non-blank is
 *   '#', indented or not) are skipped and do NOT end a logical line:
 *   "a = x,\n# c\n\n    y" is "a = x, y".
 * - A logical line that starts with whitespace before any other logical
 *   line (first line of the file) draws "logical line must not start with
 *   whitespace" and is ignored; it is not fatal. The model keeps such
 *   lines as inert text.
 * - The name runs up to whitespace or '='; then optional whitespace, then
 *   '='. "rel ayhost = a" and "foo" are fatal ("missing '=' after
 *   attribute name"), "= a" is fatal ("missing attribute name"); postconf
 *   reports the line where the logical line starts. Names may hold any
 *   other byte ("relay.host-x = 1" is accepted, unused).
 * - The value is what follows '=', with whitespace trimmed at both ends
 *   ("name =" is an empty value; tabs around '=' are fine; CRLF files
 *   work because \r is whitespace). '#' inside a value is not a comment.
 * - Duplicates: the last definition wins (postconf warns "overriding
 *   earlier entry").
 * - postconf stops at a NUL byte within a line; we refuse such files.
 * - `postconf -n` prints "name = value" sorted by strcmp() on the name,
 *   the value split on " \t\r\n" and joined by single spaces (\f and \v
 *   stay inside words), "name =" when empty, $name references left
 *   unexpanded. It omits the names Postfix does not use (warning "unused
 *   parameter": a name it does not know and that no value, default,
 *   smtpd_restriction_classes, table configured by name, or master.cf
 *   entry refers to) and read-only names, and with -c DIR it adds
 *   "config_directory = DIR" unless main.cf sets config_directory.
 *   maincf_show prints every name; callers comparing with postconf must
 *   allow for those differences.
 */
#include "config.h"
#include "maincf.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Postfix's ISSPACE: isspace() in the C locale, independent of setlocale. */
#define MC_ISSPACE(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || \
	(c) == '\v' || (c) == '\f' || (c) == '\r')
/* postconf -n's word separators. */
#define MC_ISSEP(c) ((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')

#define MC_FOLD_COLUMNS 80
#define MC_FOLD_INDENT "    "
#define MC_NONE SIZE_MAX

enum line_kind {
	LINE_START,	/* first line of a definition */
	LINE_CONT,	/* continuation line of a definition */
	LINE_COMMENT,	/* first non-blank is '#' */
	LINE_BLANK,	/* empty or whitespace only */
	LINE_ORPHAN,	/* leading-whitespace text before any definition (ignored by Postfix) */
};

struct line {
	const char *text;	/* bytes including the terminator, if any */
	size_t len;
	char *owned;		/* replacement or appended text we allocated */
	unsigned char kind;
	unsigned char deleted;
	unsigned char add_eol;	/* the file's last line got a newline on append */
};

struct def {
	size_t param;		/* index into params */
	size_t first, last;	/* physical line span */
	char *value;		/* as postconf -n prints it */
	int live;
};

struct param {
	char *name;
	size_t *defs;		/* definitions in file order; the last is effective */
	size_t ndefs, adefs;
};

struct maincf {
	char *data;		/* private copy of the input */
	size_t len;
	const char *eol;	/* "\n" or "\r\n", taken from the first line */

	struct line *lines;
	size_t nlines, alines;
	struct def *defs;
	size_t ndefs, adefs;
	struct param *params;
	size_t nparams, aparams;

	size_t *hash;		/* param index + 1; 0 is empty */
	size_t hsize;		/* power of two */

	/* Rows per physical line as a Fenwick tree (1-based), built on first
	 * use and then kept up to date; rebuilt when lines outgrow it. */
	long *fen;
	size_t fcap;
	int fen_ok;
};

static long line_rows(const struct line *);
static void fen_add(struct maincf *, size_t, long);

/* grow_array - make room for one more element in a malloc'd array. */
static int grow_array(void **arr, size_t *alloc, size_t used, size_t elsize)
{
	size_t n;
	void *p;

	if (used < *alloc)
		return 0;
	n = *alloc ? *alloc * 2 : 64;
	if (n > SIZE_MAX / elsize)
		return -1;
	p = realloc(*arr, n * elsize);
	if (p == NULL)
		return -1;
	*arr = p;
	*alloc = n;
	return 0;
}

/* hash_name - FNV-1a over the name bytes. */
static size_t hash_name(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n-- > 0) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* hash_slot - slot holding name, or the empty slot where it would go. */
static size_t hash_slot(const struct maincf *m, const char *name, size_t n)
{
	size_t mask = m->hsize - 1;
	size_t i = hash_name(name, n) & mask;

	while (m->hash[i] != 0) {
		const char *pn = m->params[m->hash[i] - 1].name;

		if (strncmp(pn, name, n) == 0 && pn[n] == '\0')
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

/* hash_grow - double the table, keeping the load factor under one half. */
static int hash_grow(struct maincf *m)
{
	size_t nsize = m->hsize ? m->hsize * 2 : 1024;
	size_t *old = m->hash, osize = m->hsize, i;

	m->hash = calloc(nsize, sizeof(*m->hash));
	if (m->hash == NULL) {
		m->hash = old;
		return -1;
	}
	m->hsize = nsize;
	for (i = 0; i < osize; i++) {
		if (old[i] != 0) {
			const char *pn = m->params[old[i] - 1].name;

			m->hash[hash_slot(m, pn, strlen(pn))] = old[i];
		}
	}
	free(old);
	return 0;
}

/* param_find - index of name (n bytes), or MC_NONE. */
static size_t param_find(const struct maincf *m, const char *name, size_t n)
{
	size_t i;

	if (m->hsize == 0)
		return MC_NONE;
	i = hash_slot(m, name, n);
	return m->hash[i] ? m->hash[i] - 1 : MC_NONE;
}

/* param_intern - index of name, adding it when new; MC_NONE when out of memory. */
static size_t param_intern(struct maincf *m, const char *name, size_t n)
{
	size_t idx = param_find(m, name, n);
	struct param *p;

	if (idx != MC_NONE)
		return idx;
	if ((m->nparams + 1) * 2 > m->hsize && hash_grow(m) < 0)
		return MC_NONE;
	if (grow_array((void **)&m->params, &m->aparams, m->nparams, sizeof(*m->params)) < 0)
		return MC_NONE;
	p = &m->params[m->nparams];
	memset(p, 0, sizeof(*p));
	if ((p->name = malloc(n + 1)) == NULL)
		return MC_NONE;
	memcpy(p->name, name, n);
	p->name[n] = '\0';
	m->hash[hash_slot(m, name, n)] = ++m->nparams;
	return m->nparams - 1;
}

/* param_add_def - record def as the newest definition of param. */
static int param_add_def(struct maincf *m, size_t param, size_t def)
{
	struct param *p = &m->params[param];

	if (grow_array((void **)&p->defs, &p->adefs, p->ndefs, sizeof(*p->defs)) < 0)
		return -1;
	p->defs[p->ndefs++] = def;
	return 0;
}

/* value_normalize - trim, split on postconf's separators, join with single spaces. */
static char *value_normalize(const char *v, size_t n)
{
	char *out, *op;
	size_t i = 0;
	int need_space = 0;

	while (n > 0 && MC_ISSPACE((unsigned char)v[n - 1]))
		n--;
	while (i < n && MC_ISSPACE((unsigned char)v[i]))
		i++;
	if ((out = op = malloc(n - i + 1)) == NULL)
		return NULL;
	for (; i < n; i++) {
		if (MC_ISSEP((unsigned char)v[i])) {
			need_space = 1;
			continue;
		}
		if (need_space && op > out)
			*op++ = ' ';
		need_space = 0;
		*op++ = v[i];
	}
	*op = '\0';
	return out;
}

/* line_add - append a physical line record. */
static int line_add(struct maincf *m, const char *text, size_t len, enum line_kind kind)
{
	struct line *l;

	if (grow_array((void **)&m->lines, &m->alines, m->nlines, sizeof(*m->lines)) < 0)
		return -1;
	l = &m->lines[m->nlines++];
	memset(l, 0, sizeof(*l));
	l->text = text;
	l->len = len;
	l->kind = (unsigned char)kind;
	fen_add(m, m->nlines - 1, line_rows(l));
	return 0;
}

/* def_add - record a definition of name spanning lines first..last. */
static int def_add(struct maincf *m, const char *name, size_t namelen, char *value,
		   size_t first, size_t last)
{
	size_t param = param_intern(m, name, namelen);
	struct def *d;

	if (param == MC_NONE ||
	    grow_array((void **)&m->defs, &m->adefs, m->ndefs, sizeof(*m->defs)) < 0 ||
	    param_add_def(m, param, m->ndefs) < 0) {
		free(value);
		return -1;
	}
	d = &m->defs[m->ndefs++];
	d->param = param;
	d->first = first;
	d->last = last;
	d->value = value;
	d->live = 1;
	return 0;
}

/* printable_name - a short, printable copy of a name for error messages. */
static void printable_name(char *out, size_t outlen, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 4 < outlen; i++)
		out[o++] = ((unsigned char)s[i] >= 0x21 && (unsigned char)s[i] < 0x7f) ? s[i] : '?';
	if (i < n && o + 4 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* logical_finish - split one logical line into name and value, as Postfix's split_nameval. */
static int logical_finish(struct maincf *m, const char *path, const struct buf *text,
			  size_t first, size_t last, int lineno, struct err *e)
{
	const char *s = text->data, *end = text->data + text->len;
	const char *np = s, *ep, *cp;
	char shown[72];
	char *value;

	ep = np;
	while (ep < end && !MC_ISSPACE((unsigned char)*ep) && *ep != '=')
		ep++;
	if (ep == np) {
		err_set(e, ERR_PARSE, "missing parameter name before '='");
		return err_at(e, path, lineno);
	}
	cp = ep;
	while (cp < end && MC_ISSPACE((unsigned char)*cp))
		cp++;
	if (cp == end || *cp != '=') {
		printable_name(shown, sizeof(shown), np, (size_t)(ep - np));
		err_set(e, ERR_PARSE, "missing '=' after parameter name \"%s\"", shown);
		return err_at(e, path, lineno);
	}
	cp++;
	if ((value = value_normalize(cp, (size_t)(end - cp))) == NULL ||
	    def_add(m, np, (size_t)(ep - np), value, first, last) < 0) {
		err_set(e, ERR_NOMEM, "%s: out of memory", path);
		return -1;
	}
	return 0;
}

/* classify - kind of a physical line (content without its newline). */
static enum line_kind classify(const char *p, size_t n, int in_def)
{
	size_t i = 0;

	while (i < n && MC_ISSPACE((unsigned char)p[i]))
		i++;
	if (i == n)
		return LINE_BLANK;
	if (p[i] == '#')
		return LINE_COMMENT;
	if (i > 0)
		return in_def ? LINE_CONT : LINE_ORPHAN;
	return LINE_START;
}

/* maincf_parse - build the model; see maincf.h. */
struct maincf *maincf_parse(const char *path, const char *data, size_t len, struct err *e)
{
	struct maincf *m;
	struct buf text;
	const char *p, *end, *nl, *nul;
	size_t cur_first = MC_NONE, cur_last = 0;
	int lineno = 0, cur_lineno = 0, in_def = 0;

	if (path == NULL)
		path = "main.cf";
	if (data == NULL && len > 0) {
		err_set(e, ERR_INVALID, "%s: no data", path);
		return NULL;
	}
	if ((nul = len ? memchr(data, '\0', len) : NULL) != NULL) {
		int l = 1;

		for (p = data; p < nul; p++)
			l += (*p == '\n');
		err_set(e, ERR_PARSE, "NUL byte in file (binary data?)");
		err_at(e, path, l);
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL || (m->data = malloc(len + 1)) == NULL) {
		free(m);
		err_set(e, ERR_NOMEM, "%s: out of memory", path);
		return NULL;
	}
	if (len)
		memcpy(m->data, data, len);
	m->data[len] = '\0';
	m->len = len;
	nl = memchr(m->data, '\n', len);
	m->eol = (nl != NULL && nl > m->data && nl[-1] == '\r') ? "\r\n" : "\n";
	buf_init(&text, 0);

	for (p = m->data, end = m->data + len; p < end; p = nl) {
		enum line_kind kind;
		size_t clen;

		nl = memchr(p, '\n', (size_t)(end - p));
		clen = nl ? (size_t)(nl - p) : (size_t)(end - p);
		nl = nl ? nl + 1 : end;
		lineno++;
		kind = classify(p, clen, in_def);
		if (kind == LINE_START && in_def) {
			if (logical_finish(m, path, &text, cur_first, cur_last, cur_lineno, e) < 0)
				goto fail;
			in_def = 0;
		}
		if (line_add(m, p, (size_t)(nl - p), kind) < 0)
			goto nomem;
		if (kind == LINE_START) {
			in_def = 1;
			cur_first = cur_last = m->nlines - 1;
			cur_lineno = lineno;
			buf_reset(&text);
		}
		if (kind == LINE_START || kind == LINE_CONT) {
			cur_last = m->nlines - 1;
			if (buf_append(&text, p, clen) < 0)
				goto nomem;
		}
	}
	if (in_def && logical_finish(m, path, &text, cur_first, cur_last, cur_lineno, e) < 0)
		goto fail;
	buf_free(&text);
	return m;

nomem:
	err_set(e, ERR_NOMEM, "%s: out of memory", path);
fail:
	buf_free(&text);
	maincf_free(m);
	return NULL;
}

/* maincf_free - release the model and everything it owns. */
void maincf_free(struct maincf *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nlines; i++)
		free(m->lines[i].owned);
	for (i = 0; i < m->ndefs; i++)
		free(m->defs[i].value);
	for (i = 0; i < m->nparams; i++) {
		free(m->params[i].name);
		free(m->params[i].defs);
	}
	free(m->lines);
	free(m->defs);
	free(m->params);
	free(m->hash);
	free(m->fen);
	free(m->data);
	free(m);
}

/* maincf_serialize - emit every live line, with any added newline. */
int maincf_serialize(const struct maincf *m, struct buf *out)
{
	size_t i;

	for (i = 0; i < m->nlines; i++) {
		const struct line *l = &m->lines[i];

		if (l->deleted)
			continue;
		if (buf_append(out, l->text, l->len) < 0)
			return -1;
		if (l->add_eol && buf_puts(out, m->eol) < 0)
			return -1;
	}
	return 0;
}

struct maincf *maincf_copy(const struct maincf *m, const char *path, struct err *e)
{
	struct buf b = BUF_INIT;
	struct maincf *copy = NULL;

	if (maincf_serialize(m, &b) < 0)
		err_set(e, ERR_NOMEM, "%s: out of memory", path ? path : "main.cf");
	else
		copy = maincf_parse(path, b.data ? b.data : "", b.len, e);
	buf_free(&b);
	return copy;
}

/* effective_def - the last definition of name, or NULL. */
static const struct def *effective_def(const struct maincf *m, const char *name)
{
	size_t p;

	if (name == NULL || (p = param_find(m, name, strlen(name))) == MC_NONE ||
	    m->params[p].ndefs == 0)
		return NULL;
	return &m->defs[m->params[p].defs[m->params[p].ndefs - 1]];
}

/* maincf_get - effective value as postconf -n prints it. */
const char *maincf_get(const struct maincf *m, const char *name)
{
	const struct def *d = effective_def(m, name);

	return d ? d->value : NULL;
}

/* line_rows - how many rows a physical line takes in the output. */
static long line_rows(const struct line *l)
{
	long n = 0;
	size_t j;

	if (l->deleted)
		return 0;
	for (j = 0; j < l->len; j++)
		n += (l->text[j] == '\n');
	return n + l->add_eol;
}

/* fen_add - add delta to line i's rows, when the tree is built. */
static void fen_add(struct maincf *m, size_t i, long delta)
{
	if (!m->fen_ok || delta == 0)
		return;
	if (i >= m->fcap) {
		m->fen_ok = 0;
		return;
	}
	for (i++; i <= m->fcap; i += i & (~i + 1))
		m->fen[i] += delta;
}

/* fen_build - build the tree over every line in O(n), with room to grow. */
static int fen_build(struct maincf *m)
{
	size_t i, j, cap = m->nlines * 2 + 64;
	long *f;

	if (m->fen_ok && m->nlines <= m->fcap)
		return 0;
	if ((f = calloc(cap + 1, sizeof(*f))) == NULL)
		return -1;
	for (i = 1; i <= cap; i++) {
		if (i <= m->nlines)
			f[i] += line_rows(&m->lines[i - 1]);
		j = i + (i & (~i + 1));
		if (j <= cap)
			f[j] += f[i];
	}
	free(m->fen);
	m->fen = f;
	m->fcap = cap;
	m->fen_ok = 1;
	return 0;
}

/* line_touch - record that line i changed from old_rows rows. */
static void line_touch(struct maincf *m, size_t i, long old_rows)
{
	fen_add(m, i, line_rows(&m->lines[i]) - old_rows);
}

/* line_delete - drop physical line i from the output. */
static void line_delete(struct maincf *m, size_t i)
{
	long rows = line_rows(&m->lines[i]);

	m->lines[i].deleted = 1;
	line_touch(m, i, rows);
}

/* maincf_line - 1-based line of the effective definition, or 0. */
int maincf_line(const struct maincf *m, const char *name)
{
	const struct def *d = effective_def(m, name);
	/* The row index is a cache, not part of the model's observable state. */
	struct maincf *mm = (struct maincf *)m;
	size_t i;
	long n = 1;

	if (d == NULL || fen_build(mm) < 0)
		return 0;
	for (i = d->first; i > 0; i -= i & (~i + 1))
		n += m->fen[i];
	return n > INT_MAX ? 0 : (int)n;
}

/* maincf_name_ok - the names relaydeck writes: letters, digits, '_', '.', '-'. */
int maincf_name_ok(const char *name)
{
	const char *s;

	if (name == NULL || *name == '\0' || strlen(name) > 256)
		return 0;
	for (s = name; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

/*
 * Rewriting one definition in place. The definition's text (its first
 * line, continuation lines, and the comment and blank lines among them)
 * is cut into rows; each row holding part of the value is a "unit" with
 * its words. The new value's words are matched against the units (a
 * longest common subsequence of whole units, after the common head and
 * tail), so rows whose words survive stay byte for byte, comment rows stay
 * where they are, and only the rows that changed are rewritten in their
 * own layout: the spacing around '=', each row's indentation and trailing
 * blanks, its line ending. New rows take the indentation of their
 * neighbours and the definition's style: one item per row when every row
 * holds one item (an item ends at a comma when the value uses commas,
 * else at each word; a { ... } group stays whole), else all new words of
 * a changed stretch on one row. A definition on a single line stays on a
 * single line.
 */

/* A word of a value: bytes up to postconf's separators. */
struct word {
	const char *p;
	size_t len;
};

/* A row of the definition's text. */
struct row {
	const char *p;		/* the row without its end of line */
	size_t len;
	const char *eol;	/* "", "\n" or "\r\n" */
	unsigned char kind;	/* LINE_START, LINE_CONT, LINE_COMMENT, LINE_BLANK */
	size_t lead;		/* START: through '='; CONT: leading whitespace */
	size_t gap;		/* START: whitespace between '=' and the content */
	size_t clen;		/* content after lead + gap, without trailing blanks */
	size_t w0, nw;		/* the content's words */
	size_t mj;		/* kept: where its words start in the new value */
	unsigned char unit;	/* holds words of the value */
	unsigned char keep;	/* a unit left as it is */
	unsigned char act;	/* ROW_* below */
	size_t ca, cb;		/* ROW_REWRITE: its new words */
	size_t ia, ib;		/* new rows after it: their words (ib > ia) */
	const char *ind;	/* ... and their indentation */
	size_t indlen;
};

enum { ROW_SAME, ROW_REWRITE, ROW_DROP };

enum style {
	STYLE_SINGLE,	/* the definition is one line: it stays one line */
	STYLE_ITEMS,	/* one item per row */
	STYLE_RUNS,	/* rows hold several items: a changed stretch on one row */
};

/* The rewrite of one definition. */
struct rewrite {
	struct buf text;	/* the old text */
	struct row *rows;
	size_t nrows;
	struct word *ow;	/* words of the old units */
	size_t now;
	struct word *nw;	/* words of the new value */
	size_t nnw;
	int commas;		/* the new value separates items with commas */
	int ended_eol;		/* the old text ended with an end of line */
	const char *eol;	/* end of line for new rows */
};

#define MC_MATCH_CELLS ((size_t)1 << 20)

/* split_words - words of s (n bytes) split at postconf's separators,
 * appended to *w (grown as needed). */
static int split_words(const char *s, size_t n, struct word **w, size_t *nw, size_t *aw)
{
	size_t i = 0;

	while (i < n) {
		size_t st;

		while (i < n && MC_ISSEP((unsigned char)s[i]))
			i++;
		if (i == n)
			break;
		st = i;
		while (i < n && !MC_ISSEP((unsigned char)s[i]))
			i++;
		if (grow_array((void **)w, aw, *nw, sizeof(**w)) < 0)
			return -1;
		(*w)[*nw].p = s + st;
		(*w)[(*nw)++].len = i - st;
	}
	return 0;
}

/* item_end - end (exclusive) of the item that starts at word i of w[..n):
 * through a word ending in ',' when commas separate items, else one word;
 * a { ... } group is never cut, and a word starting with '#' never starts
 * an item (at the start of a row it would make a comment). */
static size_t item_end(const struct word *w, size_t i, size_t n, int commas)
{
	long depth = 0;

	while (i < n) {
		const struct word *x = &w[i++];

		for (size_t k = 0; k < x->len; k++)
			depth += (x->p[k] == '{') - (x->p[k] == '}');
		if (depth < 0)
			depth = 0;
		if (depth == 0 && (!commas || x->p[x->len - 1] == ',') &&
		    (i == n || w[i].p[0] != '#'))
			break;
	}
	return i;
}

/* uses_commas - does a word of w[..n) end with a comma? */
static int uses_commas(const struct word *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].p[w[i].len - 1] == ',')
			return 1;
	return 0;
}

/* trim_right - length of s[..n) without trailing whitespace. */
static size_t trim_right(const char *s, size_t n)
{
	while (n > 0 && MC_ISSPACE((unsigned char)s[n - 1]))
		n--;
	return n;
}

/* rewrite_rows - cut the definition's text into rows and units. */
static int rewrite_rows(struct rewrite *rw)
{
	const char *p = rw->text.data, *end = p + rw->text.len;
	size_t arows = 0, aow = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct row *r;
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), i = 0, c;

		if (grow_array((void **)&rw->rows, &arows, rw->nrows, sizeof(*rw->rows)) < 0)
			return -1;
		r = &rw->rows[rw->nrows];
		memset(r, 0, sizeof(*r));
		r->eol = !nl ? "" : (n > 0 && p[n - 1] == '\r') ? "\r\n" : "\n";
		if (nl && n > 0 && p[n - 1] == '\r')
			n--;
		r->p = p;
		r->len = n;
		r->kind = (unsigned char)(rw->nrows == 0 ? LINE_START : classify(p, n, 1));
		if (r->kind == LINE_START) {
			while (i < n && p[i] != '=')
				i++;
			r->lead = i < n ? i + 1 : n;
		} else if (r->kind == LINE_CONT) {
			while (i < n && MC_ISSPACE((unsigned char)p[i]))
				i++;
			r->lead = i;
		}
		if (r->kind == LINE_START || r->kind == LINE_CONT) {
			c = r->lead;
			while (c < n && MC_ISSPACE((unsigned char)p[c]))
				c++;
			r->gap = c - r->lead;
			r->clen = c < n ? trim_right(p + c, n - c) : 0;
			r->w0 = rw->now;
			if (split_words(p + c, r->clen, &rw->ow, &rw->now, &aow) < 0)
				return -1;
			r->nw = rw->now - r->w0;
			r->unit = r->nw > 0;
		}
		rw->nrows++;
		p = nl ? nl + 1 : end;
	}
	rw->ended_eol = rw->nrows > 0 && *rw->rows[rw->nrows - 1].eol;
	rw->eol = *rw->rows[0].eol ? rw->rows[0].eol : NULL;
	return 0;
}

/* unit_at - do row r's words equal the new words from j on? */
static int unit_at(const struct rewrite *rw, const struct row *r, size_t j, size_t jend)
{
	if (j + r->nw > jend)
		return 0;
	for (size_t k = 0; k < r->nw; k++) {
		const struct word *a = &rw->ow[r->w0 + k], *b = &rw->nw[j + k];

		if (a->len != b->len || memcmp(a->p, b->p, a->len) != 0)
			return 0;
	}
	return 1;
}

/* keep_unit - mark row r kept, its words at j. */
static size_t keep_unit(struct row *r, size_t j)
{
	r->keep = 1;
	r->mj = j;
	return j + r->nw;
}

/* match_units - choose the units that stay: the common head and tail, then
 * the longest common subsequence of whole units in between (skipped when
 * the table would be too large: the middle is then all new). */
static int match_units(struct rewrite *rw)
{
	size_t *u, k = 0, i, i2, j = 0, j2 = rw->nnw;
	unsigned *L;

	if ((u = malloc((rw->nrows + 1) * sizeof(*u))) == NULL)
		return -1;
	for (size_t r = 0; r < rw->nrows; r++)
		if (rw->rows[r].unit)
			u[k++] = r;
	for (i = 0; i < k && unit_at(rw, &rw->rows[u[i]], j, j2); i++)
		j = keep_unit(&rw->rows[u[i]], j);
	for (i2 = k; i2 > i && rw->rows[u[i2 - 1]].nw <= j2 - j &&
	     unit_at(rw, &rw->rows[u[i2 - 1]], j2 - rw->rows[u[i2 - 1]].nw, j2); i2--) {
		j2 -= rw->rows[u[i2 - 1]].nw;
		keep_unit(&rw->rows[u[i2 - 1]], j2);
	}
	if (i < i2 && j < j2 && (i2 - i + 1) <= MC_MATCH_CELLS / (j2 - j + 1)) {
		size_t W = j2 - j + 1, a, b;

		if ((L = calloc((i2 - i + 1) * W, sizeof(*L))) == NULL) {
			free(u);
			return -1;
		}
#define LCELL(a, b) L[((a) - i) * W + ((b) - j)]
		for (a = i2; a-- > i;) {
			const struct row *r = &rw->rows[u[a]];

			for (b = j2; b-- > j;) {
				unsigned best = LCELL(a + 1, b);

				if (LCELL(a, b + 1) > best)
					best = LCELL(a, b + 1);
				if (unit_at(rw, r, b, j2) && 1 + LCELL(a + 1, b + r->nw) > best)
					best = 1 + LCELL(a + 1, b + r->nw);
				LCELL(a, b) = best;
			}
		}
		for (a = i, b = j; a < i2 && b < j2;) {
			struct row *r = &rw->rows[u[a]];

			if (unit_at(rw, r, b, j2) && LCELL(a, b) == 1 + LCELL(a + 1, b + r->nw)) {
				b = keep_unit(r, b);
				a++;
			} else if (LCELL(a, b) == LCELL(a + 1, b)) {
				a++;
			} else {
				b++;
			}
		}
#undef LCELL
		free(L);
	}
	free(u);
	/* Words that come before the first row's own words need that row. */
	if (rw->rows[0].keep && rw->rows[0].mj > 0)
		rw->rows[0].keep = 0;
	return 0;
}

/* style_of - how the definition lays out its value (see above). */
static enum style style_of(const struct rewrite *rw)
{
	int commas = uses_commas(rw->ow, rw->now), cont = 0;

	for (size_t r = 1; r < rw->nrows; r++)
		cont |= rw->rows[r].kind == LINE_CONT;
	if (!cont)
		return STYLE_SINGLE;
	for (size_t r = 0; r < rw->nrows; r++) {
		const struct row *x = &rw->rows[r];

		if (x->unit && item_end(rw->ow, x->w0, x->w0 + x->nw, commas) < x->w0 + x->nw)
			return STYLE_RUNS;
	}
	return STYLE_ITEMS;
}

/* consistent - do the units' words make up the old value, word for word?
 * Not when a row boundary falls inside a word (a continuation indented
 * with \f or \v only), or when the rows do not say what the model says. */
static int consistent(const struct rewrite *rw, const char *value)
{
	size_t k = 0;
	const char *v = value;

	for (; *v; k++) {
		size_t n = strcspn(v, " ");

		if (k >= rw->now || rw->ow[k].len != n || memcmp(rw->ow[k].p, v, n) != 0)
			return 0;
		v += n + (v[n] == ' ');
	}
	return k == rw->now;
}

/* indent_near - indentation for new rows after row r: r's own, else the
 * first continuation row's, else four spaces. */
static void indent_near(const struct rewrite *rw, size_t r, const char **ind, size_t *len)
{
	if (rw->rows[r].kind != LINE_CONT) {
		for (r = 1; r < rw->nrows && rw->rows[r].kind != LINE_CONT; r++)
			;
		if (r == rw->nrows) {
			*ind = MC_FOLD_INDENT;
			*len = strlen(MC_FOLD_INDENT);
			return;
		}
	}
	*ind = rw->rows[r].p;
	*len = rw->rows[r].lead;
}

/* plan_region - give the new words [wa, wb) to the dropped units d[..nd)
 * of one stretch; what is left goes on new rows after the last row used
 * (anchor when none). -1 when a row would start with '#'. */
static int plan_region(struct rewrite *rw, enum style st, const size_t *d, size_t nd,
		       size_t anchor, size_t wa, size_t wb)
{
	size_t di = 0, w = wa, last = anchor;

	/* the next chunk: one item, or the whole stretch */
#define NEXT_CHUNK(w) (st == STYLE_ITEMS ? item_end(rw->nw, (w), wb, rw->commas) : wb)
	if (nd > 0 && d[0] == 0) {
		struct row *f = &rw->rows[0];

		f->act = ROW_REWRITE;
		f->ca = w;
		f->cb = w < wb ? NEXT_CHUNK(w) : w;
		w = f->cb;
		last = 0;
		di = 1;
	}
	for (; di < nd; di++) {
		struct row *r = &rw->rows[d[di]];

		if (w < wb) {
			r->act = ROW_REWRITE;
			r->ca = w;
			r->cb = w = NEXT_CHUNK(w);
			last = d[di];
			if (rw->nw[r->ca].p[0] == '#')
				return -1;
		} else {
			r->act = ROW_DROP;
		}
	}
	if (w < wb) {
		struct row *r = &rw->rows[last];

		if (rw->nw[w].p[0] == '#')
			return -1;
		r->ia = w;
		r->ib = wb;
		indent_near(rw, last, &r->ind, &r->indlen);
	}
#undef NEXT_CHUNK
	return 0;
}

/* plan_layout - decide every row's fate; -1 (nothing decided that matters)
 * when the value must go on the first line instead. */
static int plan_layout(struct rewrite *rw, enum style st)
{
	size_t *d, nd = 0, anchor = 0, wa = 0;

	if ((d = malloc((rw->nrows + 1) * sizeof(*d))) == NULL)
		return -2;
	for (size_t r = 0; r <= rw->nrows; r++) {
		struct row *x = r < rw->nrows ? &rw->rows[r] : NULL;

		if (x && !x->unit)
			continue;
		if (x && !x->keep) {
			d[nd++] = r;
			continue;
		}
		if (plan_region(rw, st, d, nd, anchor, wa, x ? x->mj : rw->nnw) < 0) {
			free(d);
			return -1;
		}
		if (x) {
			anchor = r;
			wa = x->mj + x->nw;
		}
		nd = 0;
	}
	free(d);
	return 0;
}

/* put_words - the new words [a, b) joined by single spaces. */
static int put_words(struct buf *out, const struct rewrite *rw, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		if ((i > a && buf_putc(out, ' ') < 0) ||
		    buf_append(out, rw->nw[i].p, rw->nw[i].len) < 0)
			return -1;
	return 0;
}

/* tail_kept - how many of row x's trailing blanks (after its content)
 * stay. A \f or \v is no separator to postconf: before another row of
 * the value it would glue the last word to the next, so such blanks go
 * when more of the value follows (more: 1). */
static size_t tail_kept(const struct row *x, int more)
{
	size_t after = x->lead + x->gap + x->clen;

	if (more)
		for (size_t i = after; i < x->len; i++)
			if (!MC_ISSEP((unsigned char)x->p[i]))
				return 0;
	return x->len - after;
}

/* put_first - the first row with content [ca, cb) or, when raw is given,
 * that text; the spacing after '=' and trailing blanks stay (see
 * tail_kept). */
static int put_first(struct buf *out, const struct rewrite *rw, const char *raw, size_t rawlen,
		     size_t ca, size_t cb, int more)
{
	const struct row *f = &rw->rows[0];
	size_t after = f->lead + f->gap + f->clen;

	/* "name" alone, its '=' on a continuation line (dropped with it):
	 * the name line gets its own '=' */
	if (f->lead == 0 || f->p[f->lead - 1] != '=') {
		if (buf_append(out, f->p, trim_right(f->p, f->lead)) < 0 || buf_puts(out, " =") < 0)
			return -1;
		if (raw ? rawlen == 0 : ca == cb)
			return 0;
		if (buf_putc(out, ' ') < 0)
			return -1;
		return raw ? buf_append(out, raw, rawlen) : put_words(out, rw, ca, cb);
	}
	if (buf_append(out, f->p, f->lead) < 0)
		return -1;
	if (raw ? rawlen == 0 : ca == cb)
		return 0;
	if (f->gap > 0 || f->clen > 0) {
		if (buf_append(out, f->p + f->lead, f->gap) < 0)
			return -1;
	} else if (f->lead >= 2 && MC_ISSPACE((unsigned char)f->p[f->lead - 2]) &&
		   buf_putc(out, ' ') < 0) {
		return -1;	/* "name =" gets "name = value", "name=" gets "name=value" */
	}
	if ((raw ? buf_append(out, raw, rawlen) : put_words(out, rw, ca, cb)) < 0)
		return -1;
	/* trailing blanks after the old content stay; none after an empty one */
	return f->clen ? buf_append(out, f->p + after, tail_kept(f, more)) : 0;
}

/* row_begin - start a row: end the previous one (pending eol). */
static int row_begin(struct buf *out, const char **pending, const char *eol)
{
	int r = 0;

	if (*pending)
		r = buf_puts(out, **pending ? *pending : eol);
	*pending = NULL;
	return r;
}

/* render - the new text of the definition into out. raw (the new value,
 * trimmed) is the first row's content in the single-line layout. */
static int render(struct buf *out, const struct rewrite *rw, enum style st, const char *raw,
		  size_t rawlen)
{
	const char *pending = NULL, *eol = rw->eol;
	size_t last = 0;	/* the last row that holds part of the new value */

	for (size_t r = 0; st != STYLE_SINGLE && r < rw->nrows; r++)
		if ((rw->rows[r].unit && rw->rows[r].act != ROW_DROP) ||
		    rw->rows[r].act == ROW_REWRITE || rw->rows[r].ia < rw->rows[r].ib)
			last = r;
	for (size_t r = 0; r < rw->nrows; r++) {
		const struct row *x = &rw->rows[r];
		int more = r < last || x->ia < x->ib;

		if (st == STYLE_SINGLE && x->kind == LINE_CONT)
			continue;
		if (x->act == ROW_DROP)
			continue;
		if (row_begin(out, &pending, eol) < 0)
			return -1;
		if (st == STYLE_SINGLE && r == 0) {
			if (put_first(out, rw, raw, rawlen, 0, 0, 0) < 0)
				return -1;
		} else if (x->act == ROW_REWRITE && r == 0) {
			if (put_first(out, rw, NULL, 0, x->ca, x->cb, more) < 0)
				return -1;
		} else if (x->act == ROW_REWRITE) {
			size_t after = x->lead + x->gap + x->clen;

			if (buf_append(out, x->p, x->lead) < 0 || put_words(out, rw, x->ca, x->cb) < 0 ||
			    buf_append(out, x->p + after, tail_kept(x, more)) < 0)
				return -1;
		} else if (x->unit) {
			if (buf_append(out, x->p, x->lead + x->gap + x->clen + tail_kept(x, more)) < 0)
				return -1;
		} else if (buf_append(out, x->p, x->len) < 0) {
			return -1;
		}
		pending = x->eol;
		for (size_t w = x->ia; w < x->ib;) {
			size_t e = st == STYLE_ITEMS ? item_end(rw->nw, w, x->ib, rw->commas) : x->ib;

			if (row_begin(out, &pending, eol) < 0 || buf_append(out, x->ind, x->indlen) < 0 ||
			    put_words(out, rw, w, e) < 0)
				return -1;
			pending = "";
			w = e;
		}
	}
	if (rw->ended_eol && pending && buf_puts(out, *pending ? pending : eol) < 0)
		return -1;
	return 0;
}

/* rewrite_free - release a rewrite's arrays. */
static void rewrite_free(struct rewrite *rw)
{
	buf_free(&rw->text);
	free(rw->rows);
	free(rw->ow);
	free(rw->nw);
}

/* def_text - the current text of d's lines (added newlines included). */
static int def_text(const struct maincf *m, const struct def *d, struct buf *out)
{
	for (size_t i = d->first; i <= d->last; i++) {
		const struct line *l = &m->lines[i];

		if (l->deleted)
			continue;
		if (buf_append(out, l->text, l->len) < 0 || (l->add_eol && buf_puts(out, m->eol) < 0))
			return -1;
	}
	return 0;
}

/* def_replace - d's lines become text (owned, may be NULL for none). */
static void def_replace(struct maincf *m, struct def *d, char *text, size_t len)
{
	struct line *f = &m->lines[d->first];
	long rows;

	for (size_t i = d->first + 1; i <= d->last; i++) {
		if (!m->lines[i].deleted)
			line_delete(m, i);
		m->lines[i].add_eol = 0;
	}
	if (text == NULL) {
		line_delete(m, d->first);
		f->add_eol = 0;
		return;
	}
	rows = line_rows(f);
	free(f->owned);
	f->owned = text;
	f->text = text;
	f->len = len;
	f->add_eol = 0;
	line_touch(m, d->first, rows);
	d->last = d->first;
}

/* plan_forget - drop a layout plan: every row as it is, no new rows. */
static void plan_forget(struct rewrite *rw)
{
	for (size_t i = 0; i < rw->nrows; i++) {
		rw->rows[i].act = ROW_SAME;
		rw->rows[i].ia = rw->rows[i].ib = 0;
	}
}

/* reads_as - does the definition text s (one START row, then continuation,
 * comment and blank rows) read back as the normalized value norm? A kept
 * row indented with \f or \v glues to a word put before it (postconf
 * splits words on space, tab, CR and LF only), so a layout can fail this. */
static int reads_as(const char *s, size_t len, const char *norm)
{
	const char *p, *nl, *end = s + len, *eq;
	struct buf v = BUF_INIT;
	char *got = NULL;
	int same = 0;

	for (p = s; p < end; p = nl) {
		size_t clen;
		enum line_kind kind;

		nl = memchr(p, '\n', (size_t)(end - p));
		clen = nl ? (size_t)(nl - p) : (size_t)(end - p);
		nl = nl ? nl + 1 : end;
		kind = classify(p, clen, 1);
		if (kind == LINE_START && p != s)
			goto out;	/* a second definition */
		if ((kind == LINE_START || kind == LINE_CONT) && buf_append(&v, p, clen) < 0)
			goto out;
	}
	if (v.data && (eq = memchr(v.data, '=', v.len)) != NULL &&
	    (got = value_normalize(eq + 1, v.len - (size_t)(eq + 1 - v.data))) != NULL)
		same = strcmp(got, norm) == 0;
out:
	free(got);
	buf_free(&v);
	return same;
}

/* def_rewrite - give d the value norm (raw: as the caller wrote it,
 * trimmed) in d's own layout; -1 when out of memory. */
static int def_rewrite(struct maincf *m, struct def *d, const char *norm, const char *raw,
		       size_t rawlen)
{
	struct rewrite rw;
	struct buf out = BUF_INIT;
	enum style st;
	size_t anw = 0, len;
	int r;
	char *text;

	memset(&rw, 0, sizeof(rw));
	buf_init(&rw.text, 0);
	if (def_text(m, d, &rw.text) < 0 || rewrite_rows(&rw) < 0 ||
	    split_words(norm, strlen(norm), &rw.nw, &rw.nnw, &anw) < 0)
		goto nomem;
	if (rw.eol == NULL)
		rw.eol = m->eol;
	rw.commas = uses_commas(rw.nw, rw.nnw);
	st = style_of(&rw);
	if (st != STYLE_SINGLE && consistent(&rw, d->value)) {
		if (match_units(&rw) < 0)
			goto nomem;
		if ((r = plan_layout(&rw, st)) == -2)
			goto nomem;
		if (r < 0) {
			plan_forget(&rw);
			st = STYLE_SINGLE;
		}
	} else {
		st = STYLE_SINGLE;
	}
	if (render(&out, &rw, st, raw, rawlen) < 0)
		goto nomem;
	if (st != STYLE_SINGLE && !reads_as(out.data ? out.data : "", out.len, norm)) {
		/* the layout cannot carry this value: it goes on the first line */
		plan_forget(&rw);
		buf_reset(&out);
		if (render(&out, &rw, STYLE_SINGLE, raw, rawlen) < 0)
			goto nomem;
	}
	rewrite_free(&rw);
	len = out.len;
	if ((text = buf_steal(&out)) == NULL)
		return -1;
	def_replace(m, d, text, len);
	return 0;
nomem:
	rewrite_free(&rw);
	buf_free(&out);
	return -1;
}

/* def_remove - drop d's lines but the comment and blank lines among them. */
static int def_remove(struct maincf *m, struct def *d)
{
	struct rewrite rw;
	struct buf out = BUF_INIT;
	const char *pending = NULL;
	size_t len;
	char *text = NULL;

	memset(&rw, 0, sizeof(rw));
	buf_init(&rw.text, 0);
	if (def_text(m, d, &rw.text) < 0 || rewrite_rows(&rw) < 0)
		goto nomem;
	for (size_t r = 0; r < rw.nrows; r++) {
		const struct row *x = &rw.rows[r];

		if (x->kind != LINE_COMMENT && x->kind != LINE_BLANK)
			continue;
		if (row_begin(&out, &pending, rw.eol ? rw.eol : m->eol) < 0 ||
		    buf_append(&out, x->p, x->len) < 0)
			goto nomem;
		pending = x->eol;
	}
	if (rw.ended_eol && pending && buf_puts(&out, *pending ? pending : rw.eol ? rw.eol : m->eol) < 0)
		goto nomem;
	rewrite_free(&rw);
	len = out.len;
	if (len > 0 && (text = buf_steal(&out)) == NULL)
		return -1;
	buf_free(&out);
	def_replace(m, d, text, len);
	return 0;
nomem:
	rewrite_free(&rw);
	buf_free(&out);
	return -1;
}

/* fold_items - append the folded form: "name =" then one item per
 * indented line (item_end: the admin's commas stay where they are, a
 * { ... } group stays whole, a word starting with '#' never starts a line),
 * so postconf reports the same value. */
static int fold_items(struct buf *b, const char *name, const char *v, size_t n,
		      const char *eol)
{
	struct word *w = NULL;
	size_t nw = 0, aw = 0, i = 0;
	int commas, r = -1;

	if (split_words(v, n, &w, &nw, &aw) < 0 || buf_printf(b, "%s =", name) < 0)
		goto out;
	commas = uses_commas(w, nw);
	while (i < nw) {
		size_t e = item_end(w, i, nw, commas);

		/* only the very first word can start with '#': it stays on the first line */
		if (w[i].p[0] == '#' ? buf_putc(b, ' ') < 0
				     : (buf_puts(b, eol) < 0 || buf_puts(b, MC_FOLD_INDENT) < 0))
			goto out;
		for (size_t k = i; k < e; k++)
			if ((k > i && buf_putc(b, ' ') < 0) || buf_append(b, w[k].p, w[k].len) < 0)
				goto out;
		i = e;
	}
	r = 0;
out:
	free(w);
	return r;
}

/* count_words - number of separator-delimited words in v. */
static size_t count_words(const char *v, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		if (!MC_ISSEP((unsigned char)v[i]) && (i == 0 || MC_ISSEP((unsigned char)v[i - 1])))
			count++;
	return count;
}

/* render_def - the text of a new definition, without its final terminator. */
static int render_def(struct buf *b, const char *name, const char *value, const char *eol)
{
	const char *v = value;
	size_t n = strlen(value);

	while (n > 0 && MC_ISSPACE((unsigned char)v[n - 1]))
		n--;
	while (n > 0 && MC_ISSPACE((unsigned char)*v)) {
		v++;
		n--;
	}
	if (n == 0)
		return buf_printf(b, "%s =", name);
	if (strlen(name) + 3 + n <= MC_FOLD_COLUMNS || count_words(v, n) < 2) {
		if (buf_printf(b, "%s = ", name) < 0)
			return -1;
		return buf_append(b, v, n);
	}
	return fold_items(b, name, v, n, eol);
}

/* line_eol - the terminator a physical line ends with ("", "\n" or "\r\n"). */
static const char *line_eol(const struct line *l)
{
	if (l->len == 0 || l->text[l->len - 1] != '\n')
		return "";
	if (l->len >= 2 && l->text[l->len - 2] == '\r')
		return "\r\n";
	return "\n";
}

/* last_live_line - index of the last line still in the file, or MC_NONE. */
static size_t last_live_line(const struct maincf *m)
{
	size_t i = m->nlines;

	while (i-- > 0)
		if (!m->lines[i].deleted)
			return i;
	return MC_NONE;
}

/* check_edit - validate a name (and value) for set/unset. */
static int check_edit(const char *name, const char *value, struct err *e)
{
	const char *s;

	if (!maincf_name_ok(name))
		return err_set(e, ERR_INVALID, "invalid parameter name \"%.64s\"%s",
			       name ? name : "", name && strlen(name) > 64 ? "..." : "");
	if (value == NULL)
		return 0;
	for (s = value; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			return err_set(e, ERR_INVALID, "%s: value must not contain a newline", name);
		/* \r, \f, \v and other controls change how Postfix splits the value */
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return err_set(e, ERR_INVALID, "%s: value must not contain control characters",
				       name);
	}
	return 0;
}

/* maincf_set - replace the effective definition in place, or append. */
int maincf_set(struct maincf *m, const char *name, const char *value, struct err *e)
{
	struct buf b;
	const struct def *d;
	char *norm, *owned;
	size_t i, len, prev;

	if (check_edit(name, value, e) < 0)
		return -1;
	if (value == NULL)
		return err_set(e, ERR_INVALID, "%s: no value", name);
	if ((norm = value_normalize(value, strlen(value))) == NULL)
		return err_set(e, ERR_NOMEM, "%s: out of memory", name);
	buf_init(&b, 0);
	d = effective_def(m, name);
	if (d != NULL) {
		struct def *dd = &m->defs[d - m->defs];
		const char *v = value;
		size_t n = strlen(value);

		/* The value it already has: not a byte changes. */
		if (strcmp(norm, dd->value) == 0) {
			free(norm);
			return 0;
		}
		while (n > 0 && MC_ISSPACE((unsigned char)v[n - 1]))
			n--;
		while (n > 0 && MC_ISSPACE((unsigned char)*v)) {
			v++;
			n--;
		}
		if (def_rewrite(m, dd, norm, v, n) < 0)
			goto nomem;
		free(dd->value);
		dd->value = norm;
		return 0;
	}

	/* A new name goes at the end; a last line without newline gets one. */
	prev = last_live_line(m);
	if (render_def(&b, name, value, m->eol) < 0 || buf_puts(&b, m->eol) < 0)
		goto nomem;
	len = b.len;
	if ((owned = buf_steal(&b)) == NULL)
		goto nomem;
	if (line_add(m, owned, len, LINE_START) < 0) {
		free(owned);
		goto nomem;
	}
	m->lines[m->nlines - 1].owned = owned;
	i = m->nlines - 1;
	if (def_add(m, name, strlen(name), norm, i, i) < 0) {
		line_delete(m, i);
		return err_set(e, ERR_NOMEM, "%s: out of memory", name);
	}
	if (prev != MC_NONE && !*line_eol(&m->lines[prev])) {
		m->lines[prev].add_eol = 1;
		fen_add(m, prev, 1);
	}
	return 0;

nomem:
	buf_free(&b);
	free(norm);
	return err_set(e, ERR_NOMEM, "%s: out of memory", name);
}

/* maincf_unset - delete the start and continuation lines of every definition. */
int maincf_unset(struct maincf *m, const char *name, struct err *e)
{
	struct param *p;
	size_t idx, i;

	if (check_edit(name, NULL, e) < 0)
		return -1;
	if ((idx = param_find(m, name, strlen(name))) == MC_NONE)
		return 0;
	p = &m->params[idx];
	for (i = 0; i < p->ndefs; i++) {
		struct def *d = &m->defs[p->defs[i]];

		if (def_remove(m, d) < 0)
			return err_set(e, ERR_NOMEM, "%s: out of memory", name);
		d->live = 0;
	}
	p->ndefs = 0;
	return 0;
}

/* cmp_names - strcmp order, as postconf sorts. */
static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* maincf_names - sorted distinct names that have a definition. */
int maincf_names(const struct maincf *m, const char ***names, size_t *count)
{
	const char **v;
	size_t i, n = 0;

	*names = NULL;
	*count = 0;
	if ((v = malloc((m->nparams + 1) * sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < m->nparams; i++)
		if (m->params[i].ndefs > 0)
			v[n++] = m->params[i].name;
	qsort(v, n, sizeof(*v), cmp_names);
	*names = v;
	*count = n;
	return 0;
}

/* maincf_show - "name = value" lines sorted by name, like postconf -n. */
int maincf_show(const struct maincf *m, struct buf *out)
{
	const char **names;
	size_t n, i;
	int rc = 0;

	if (maincf_names(m, &names, &n) < 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		const char *v = maincf_get(m, names[i]);

		rc = *v ? buf_printf(out, "%s = %s\n", names[i], v)
			: buf_printf(out, "%s =\n", names[i]);
	}
	free(names);
	return rc;
}
