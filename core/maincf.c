/*
 * maincf - lossless model of Postfix's main.cf. See maincf.h.
 *
 * The model keeps the file as an array of physical lines pointing into a
 * private copy of the input, so an unedited model serializes to the exact
 * input bytes. Each logical line ("definition") records its first and last
 * physical line; a hash table maps names to their definitions in file
 * order. Edits mark lines deleted or give a line owned replacement text;
 * nothing is shifted, so an edit costs the size of the definition, not of
 * the file. Line numbers come from a Fenwick tree of rows per physical
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
 *   unexpanded. It omits names Postfix does not know unless another value
 *   references them as $name/${name}/$(name) (warning "unused
 *   parameter"), and with -c DIR it adds "config_directory = DIR" unless
 *   main.cf sets config_directory. maincf_show prints every name; callers
 *   comparing with postconf must allow for those two differences.
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

/* fold_items - append the folded form: "name =" then one item per indented line.
 * Items are split at postconf's separators only, so the admin's commas stay
 * and the value postconf reports does not change; a { ... } group stays on
 * one line, and an item starting with '#' never starts a line (it would
 * become a comment). */
static int fold_items(struct buf *b, const char *name, const char *v, size_t n,
		      const char *eol)
{
	size_t i = 0, start;
	int depth;

	if (buf_printf(b, "%s =", name) < 0)
		return -1;
	while (i < n) {
		while (i < n && MC_ISSEP((unsigned char)v[i]))
			i++;
		if (i == n)
			break;
		start = i;
		depth = 0;
		while (i < n && (depth > 0 || !MC_ISSEP((unsigned char)v[i]))) {
			if (v[i] == '{')
				depth++;
			else if (v[i] == '}' && depth > 0)
				depth--;
			i++;
		}
		if (v[start] == '#') {
			if (buf_putc(b, ' ') < 0)
				return -1;
		} else if (buf_puts(b, eol) < 0 || buf_puts(b, MC_FOLD_INDENT) < 0) {
			return -1;
		}
		if (buf_append(b, v + start, i - start) < 0)
			return -1;
	}
	return 0;
}

/* count_items - number of separator-delimited words in v. */
static size_t count_items(const char *v, size_t n)
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
	if (strlen(name) + 3 + n <= MC_FOLD_COLUMNS || count_items(v, n) < 2) {
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
	const char *eol, *final;
	char *norm, *owned;
	size_t i, len, prev;
	long rows;

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
		struct line *start = &m->lines[d->first];
		int kept = 0;

		/* Keep the file's line ending style and its (missing) final newline. */
		for (i = d->first + 1; i <= d->last; i++)
			if (m->lines[i].kind != LINE_CONT)
				kept = 1;
		final = line_eol(kept ? start : &m->lines[d->last]);
		eol = *line_eol(start) ? line_eol(start) : m->eol;
		if (render_def(&b, name, value, eol) < 0 || buf_puts(&b, final) < 0)
			goto nomem;
		len = b.len;
		if ((owned = buf_steal(&b)) == NULL)
			goto nomem;
		/* Comment and blank lines inside the old definition stay, after it. */
		for (i = d->first + 1; i <= d->last; i++)
			if (m->lines[i].kind == LINE_CONT)
				line_delete(m, i);
		rows = line_rows(start);
		free(start->owned);
		start->owned = owned;
		start->text = owned;
		start->len = len;
		line_touch(m, dd->first, rows);
		free(dd->value);
		dd->value = norm;
		dd->last = dd->first;
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
	size_t idx, i, j;

	if (check_edit(name, NULL, e) < 0)
		return -1;
	if ((idx = param_find(m, name, strlen(name))) == MC_NONE)
		return 0;
	p = &m->params[idx];
	for (i = 0; i < p->ndefs; i++) {
		struct def *d = &m->defs[p->defs[i]];

		line_delete(m, d->first);
		for (j = d->first + 1; j <= d->last; j++)
			if (m->lines[j].kind == LINE_CONT)
				line_delete(m, j);
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
