/*
 * secrecy - which tables and main.cf values hold secrets. See secrecy.h.
 *
 * The set of secret table files is built from the host's own postconf
 * (main.cf with -n -x, master.cf overrides with -P -x), so $name
 * references and ${config_directory} are expanded exactly as Postfix
 * expands them; each path is then reduced to an identity through the
 * target's stat, which works the same locally and over SSH.
 */
#include "config.h"
#include "secrecy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "maincf.h"
#include "target.h"
#include "valid.h"

#define POSTCONF_MS 10000
#define NEST_MAX 8

/* How a path was pinned down: the file itself, its directory plus its
 * name (the file does not exist yet), or, when the target cannot tell
 * identities, the path with "//", "." and ".." folded. */
enum id_kind { ID_FILE = 1, ID_DIR_NAME, ID_LEXICAL };

struct file_id {
	enum id_kind kind;
	unsigned long long dev, ino;
	char *name;		/* ID_DIR_NAME: the last component; ID_LEXICAL: the path */
};

const char *const secrecy_compiled_suffixes[] = { ".db", ".lmdb", ".cdb", ".dir", ".pag", NULL };

/* A table's forms: its source, then each file postmap may build from it. */
#define NCOMPILED (sizeof(secrecy_compiled_suffixes) / sizeof(secrecy_compiled_suffixes[0]) - 1)
#define NFORMS (1 + NCOMPILED)

struct secret_file {
	char *path;			/* as the first parameter that names it spells it */
	struct file_id id[NFORMS];	/* PATH, PATH.db, PATH.lmdb, ... */
};

struct secrecy {
	struct target *t;
	struct secret_file *files;
	size_t n;
};

/* ends_with - s ends with suffix. */
static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* secrecy_param_holds_passwords - the *_password_maps parameters. */
int secrecy_param_holds_passwords(const char *name)
{
	return name && (ends_with(name, "_password_maps") || ends_with(name, "_passwd_maps"));
}

/* The table types whose results are written in the reference itself. */
static const char *const literal_types[] = { "static", "inline", "randmap" };
#define NLITERAL (sizeof(literal_types) / sizeof(literal_types[0]))

/* secrecy_literal_type - types whose results are written in the reference. */
int secrecy_literal_type(const char *type)
{
	for (size_t i = 0; i < NLITERAL; i++)
		if (strcmp(type, literal_types[i]) == 0)
			return 1;
	return 0;
}

/* A callback for each table of a list: type and name (after "type:"). */
typedef int (*table_fn)(const char *type, const char *name, void *ctx, struct err *e);

/* walk_tables - every table reference in a Postfix list, proxy: stripped,
 * unionmap/pipemap members visited; items without "type:" are skipped. A
 * list that does not split (unbalanced braces, too long) is an error. */
static int walk_tables(const char *list, table_fn fn, void *ctx, int depth, struct err *e)
{
	char **items = NULL;
	size_t n = 0;
	struct err tmp;
	int r = 0;

	if (depth > NEST_MAX)
		return err_set(e, ERR_INVALID, "tables nested too deeply");
	err_clear(&tmp);
	if (valid_list_split(list, &items, &n, &tmp) < 0)
		return err_set(e, tmp.code, "%s", tmp.msg);
	for (size_t i = 0; i < n && r == 0; i++) {
		const char *item = items[i], *colon;
		char type[64];
		size_t tlen;

		while (strncmp(item, "proxy:", 6) == 0)
			item += 6;
		if ((colon = strchr(item, ':')) == NULL || (tlen = (size_t)(colon - item)) == 0 ||
		    tlen >= sizeof(type))
			continue;
		memcpy(type, item, tlen);
		type[tlen] = '\0';
		if ((strcmp(type, "unionmap") == 0 || strcmp(type, "pipemap") == 0) &&
		    colon[1] == '{') {
			size_t len = strlen(colon + 1);
			char *inner = strndup(colon + 2, len >= 2 ? len - 2 : 0);

			if (inner == NULL) {
				r = err_set(e, ERR_NOMEM, "out of memory");
				break;
			}
			r = walk_tables(inner, fn, ctx, depth + 1, e);
			free(inner);
			continue;
		}
		r = fn(type, colon + 1, ctx, e);
	}
	valid_list_free(items);
	return r;
}

/* --- identities ---------------------------------------------------------- */

/* lexical - path with "//", "/./" and "x/.." folded (no trailing '/'). */
static char *lexical(const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(n + 2), *o = out;
	const char *p = path;

	if (out == NULL)
		return NULL;
	if (*p == '/')
		*o++ = '/';
	while (*p) {
		const char *seg;
		size_t len;

		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			/* drop the last component, never above the root */
			while (o > out + 1 && o[-1] == '/')
				o--;
			while (o > out + (out[0] == '/') && o[-1] != '/')
				o--;
			continue;
		}
		if (o > out && o[-1] != '/')
			*o++ = '/';
		memcpy(o, seg, len);
		o += len;
	}
	while (o > out + 1 && o[-1] == '/')
		o--;
	*o = '\0';
	return out;
}

/* id_of - pin path down (see enum id_kind). */
static int id_of(struct target *t, const char *path, struct file_id *id, struct err *e)
{
	struct target_stat st;
	char *lex, *slash;

	memset(id, 0, sizeof(*id));
	if ((lex = lexical(path)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (target_stat(t, path, &st, e) < 0) {
		free(lex);
		return -1;
	}
	if (st.exists && st.has_id) {
		free(lex);
		id->kind = ID_FILE;
		id->dev = st.dev;
		id->ino = st.ino;
		return 0;
	}
	slash = strrchr(lex, '/');
	if (!st.exists && slash && slash[1]) {
		char *dir = strndup(lex, slash == lex ? 1 : (size_t)(slash - lex));
		int r;

		if (dir == NULL) {
			free(lex);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		r = target_stat(t, dir, &st, e);
		free(dir);
		if (r < 0) {
			free(lex);
			return -1;
		}
		if (st.exists && st.has_id) {
			id->kind = ID_DIR_NAME;
			id->dev = st.dev;
			id->ino = st.ino;
			id->name = strdup(slash + 1);
			free(lex);
			return id->name ? 0 : err_set(e, ERR_NOMEM, "out of memory");
		}
	}
	id->kind = ID_LEXICAL;
	id->name = lex;
	return 0;
}

/* id_equal - the same file. */
static int id_equal(const struct file_id *a, const struct file_id *b)
{
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case ID_FILE:
		return a->dev == b->dev && a->ino == b->ino;
	case ID_DIR_NAME:
		return a->dev == b->dev && a->ino == b->ino && strcmp(a->name, b->name) == 0;
	default:
		return strcmp(a->name, b->name) == 0;
	}
}

/* forms_free - release the identities of a table's forms. */
static void forms_free(struct file_id ids[NFORMS])
{
	for (size_t i = 0; i < NFORMS; i++) {
		free(ids[i].name);
		ids[i].name = NULL;
	}
}

/* forms_of - the identities of path and of each compiled file beside it
 * (postmap -q reads PATH.db, not PATH: a link to a credentials table's
 * .db under another name is that table). With lexical_ok, a form that
 * cannot be stat'ed gets its folded path instead of an error: a path we
 * may not stat is still secret. */
static int forms_of(struct target *t, const char *path, struct file_id ids[NFORMS],
		    int lexical_ok, struct err *e)
{
	memset(ids, 0, NFORMS * sizeof(*ids));
	for (size_t i = 0; i < NFORMS; i++) {
		const char *suf = i ? secrecy_compiled_suffixes[i - 1] : "";
		char *p = malloc(strlen(path) + strlen(suf) + 1);
		struct err tmp;
		int r = -1;

		err_clear(&tmp);
		if (p == NULL) {
			err_set(&tmp, ERR_NOMEM, "out of memory");
		} else {
			sprintf(p, "%s%s", path, suf);
			r = id_of(t, p, &ids[i], &tmp);
			if (r < 0 && lexical_ok && tmp.code != ERR_NOMEM) {
				ids[i].kind = ID_LEXICAL;
				if ((ids[i].name = lexical(p)) != NULL)
					r = 0;
				else
					err_set(&tmp, ERR_NOMEM, "out of memory");
			}
		}
		free(p);
		if (r < 0) {
			forms_free(ids);
			*e = tmp;
			return -1;
		}
	}
	return 0;
}

/* forms_meet - some form of a is the same file as some form of b. */
static int forms_meet(const struct file_id a[NFORMS], const struct file_id b[NFORMS])
{
	for (size_t i = 0; i < NFORMS; i++)
		for (size_t j = 0; j < NFORMS; j++)
			if (id_equal(&a[i], &b[j]))
				return 1;
	return 0;
}

/* add_path - the forms of one secret table, once per source file. */
static int add_path(struct secrecy *s, const char *path, struct err *e)
{
	struct secret_file f, *nv;

	if (forms_of(s->t, path, f.id, 1, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (id_equal(&s->files[i].id[0], &f.id[0])) {
			forms_free(f.id);
			return 0;
		}
	if ((nv = realloc(s->files, (s->n + 1) * sizeof(*nv))) == NULL ||
	    (f.path = strdup(path)) == NULL) {
		if (nv)
			s->files = nv;
		forms_free(f.id);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	s->files = nv;
	s->files[s->n++] = f;
	return 0;
}

/* add_table - a walk_tables callback: file-based tables of a password parameter. */
static int add_table(const char *type, const char *name, void *ctx, struct err *e)
{
	if (secrecy_literal_type(type) || name[0] != '/')
		return 0;
	return add_path(ctx, name, e);
}

/* add_lines - "name = value" lines (main.cf) or "svc/type/name = value"
 * lines (master.cf): the tables of every password parameter. */
static int add_lines(struct secrecy *s, char *text, struct err *e)
{
	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n'), *eq, *name;
		int r = 0;

		if (nl)
			*nl = '\0';
		if ((eq = strstr(p, " = ")) != NULL) {
			*eq = '\0';
			name = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
			/* a password parameter we cannot read: fail closed */
			if (secrecy_param_holds_passwords(name) &&
			    (r = walk_tables(eq + 3, add_table, s, 0, e)) < 0 &&
			    e->code != ERR_NOMEM)
				/* the value may hold a password: never quote it */
				err_set(e, ERR_INVALID, "%s: cannot tell which tables hold "
					"passwords: the value does not parse as a list of "
					"tables (unbalanced braces, or too long)", name);
		}
		if (r < 0)
			return -1;
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* run_postconf - postconf -c DIR FLAG -x; a missing main.cf (-n) or
 * master.cf (-P) sets nothing, as Postfix reads it. */
static int run_postconf(struct target *t, const char *flag, struct buf *out, struct err *e)
{
	const char *argv[] = { "postconf", "-c", t->config_dir, flag, "-x", NULL };
	struct run_out o;
	int r;

	run_out_init(&o);
	r = target_run_ok(t, argv, NULL, &o, POSTCONF_MS, e);
	if (r < 0) {
		char *path = target_config_path(t, strcmp(flag, "-P") == 0 ? "master.cf"
									: "main.cf");
		struct target_stat st;
		struct err tmp;

		err_clear(&tmp);
		if (path && target_stat(t, path, &st, &tmp) == 0 && !st.exists) {
			err_clear(e);
			r = 0;
			buf_reset(&o.out);
		}
		free(path);
	}
	if (r == 0 && buf_append(out, o.out.data ? o.out.data : "", o.out.len) < 0)
		r = err_set(e, ERR_LIMIT, "postconf %s: output too large", flag);
	run_out_free(&o);
	return r;
}

/* secrecy_load - main.cf, master.cf overrides and the sasl_passwd default. */
struct secrecy *secrecy_load(struct target *t, struct err *e)
{
	struct secrecy *s = calloc(1, sizeof(*s));
	struct buf conf = BUF_INIT, master = BUF_INIT;
	char *def = NULL;
	int r;

	if (s == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	s->t = t;
	r = run_postconf(t, "-n", &conf, e);
	if (r == 0)
		r = run_postconf(t, "-P", &master, e);
	if (r == 0 && conf.data)
		r = add_lines(s, conf.data, e);
	if (r == 0 && master.data)
		r = add_lines(s, master.data, e);
	if (r == 0 && (def = target_config_path(t, "sasl_passwd")) == NULL)
		r = err_set(e, ERR_NOMEM, "out of memory");
	if (r == 0)
		r = add_path(s, def, e);
	free(def);
	buf_free(&conf);
	buf_free(&master);
	if (r < 0) {
		secrecy_free(s);
		return NULL;
	}
	return s;
}

/* secrecy_free - release a set. */
void secrecy_free(struct secrecy *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		forms_free(s->files[i].id);
		free(s->files[i].path);
	}
	free(s->files);
	free(s);
}

/* secrecy_count - how many secret table files. */
size_t secrecy_count(const struct secrecy *s)
{
	return s ? s->n : 0;
}

/* secrecy_path - the path of file i. */
const char *secrecy_path(const struct secrecy *s, size_t i)
{
	return s && i < s->n ? s->files[i].path : NULL;
}

/* secrecy_table - is path, or a file built from it, one of the secret files? */
int secrecy_table(struct secrecy *s, const char *path, struct err *e)
{
	struct file_id q[NFORMS];
	int found = 0;

	if (path == NULL || *path == '\0')
		return 0;
	if (forms_of(s->t, path, q, 0, e) < 0)
		return -1;
	for (size_t i = 0; i < s->n && !found; i++)
		found = forms_meet(s->files[i].id, q);
	forms_free(q);
	return found;
}

/* secrecy_table_path - one question, one load. */
int secrecy_table_path(struct target *t, const char *path, struct err *e)
{
	struct secrecy *s = secrecy_load(t, e);
	int r;

	if (s == NULL)
		return -1;
	r = secrecy_table(s, path, e);
	secrecy_free(s);
	return r;
}

/* --- literal tables ------------------------------------------------------ */

/* word_char - a byte that continues a name or a path: a type name right
 * after it does not start a table reference ("/etc/postfix/static:x"). */
static int word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == '/';
}

/* literal_in - the first literal table type in value ("" when none): a
 * type name that starts a word and is followed by ':'. The text is
 * scanned, not parsed as a list, so that no shape Postfix accepts hides
 * one: "${name?{static:...}}", "${name:{inline:{...}}}", "proxy:static:",
 * nesting, braces that do not balance. Fails closed: a path such as
 * "hash:/x,static:y" counts. */
static int literal_in(const char *value, char type[16])
{
	type[0] = '\0';
	for (const char *p = value; *p; p++) {
		if (p > value && word_char(p[-1]))
			continue;
		for (size_t i = 0; i < NLITERAL; i++) {
			size_t k = strlen(literal_types[i]);

			if (strncmp(p, literal_types[i], k) == 0 && p[k] == ':') {
				snprintf(type, 16, "%s", literal_types[i]);
				return 1;
			}
		}
	}
	return 0;
}

/* secrecy_check_param - refuse a password in main.cf. */
int secrecy_check_param(const char *name, const char *value, struct err *e)
{
	char type[16];

	if (!secrecy_param_holds_passwords(name) || value == NULL || !literal_in(value, type))
		return 0;
	return err_set(e, ERR_INVALID,
		       "%s: %s: would put the password into main.cf, which every local user "
		       "can read; keep credentials in a table file instead (hash: or lmdb:, "
		       "mode 0600), e.g. relaydeck creds add [HOST]:PORT --user USER "
		       "--password-file FILE", name, type);
}

/* closing - the byte that closes the '{' or '(' at open, nesting
 * counted; NULL when it is never closed. */
static const char *closing(const char *open)
{
	char o = *open, c = o == '{' ? '}' : ')';
	int depth = 0;

	for (const char *p = open; *p; p++)
		if (*p == o)
			depth++;
		else if (*p == c && --depth == 0)
			return p;
	return NULL;
}

/* expand - value with $name, ${name}, $(name) replaced from m (nested up
 * to NEST_MAX). ${name?text}, ${name:text}, ${name?{a}:{b}} keep both the
 * value and the text, itself expanded: enough to find a literal table in
 * either, whatever name is set to. Text that does not close stays as it is. */
static int expand(const struct maincf *m, const char *value, struct buf *out, int depth)
{
	for (const char *p = value; *p;) {
		const char *v, *end;
		char name[257];
		size_t len = 0;

		if (*p != '$' || depth > NEST_MAX) {
			if (buf_putc(out, *p++) < 0)
				return -1;
			continue;
		}
		p++;
		if ((*p == '{' || *p == '(') && (end = closing(p)) != NULL) {
			len = strcspn(p + 1, "?:}) ");
			if (len >= sizeof(name) || p + 1 + len > end)
				len = 0;
			memcpy(name, p + 1, len);
			name[len] = '\0';
			if (p + 1 + len < end) {
				/* the text of ${name?text} / ${name:text} */
				char *text = strndup(p + 1 + len, (size_t)(end - (p + 1 + len)));
				int r = text == NULL || buf_putc(out, ' ') < 0 ||
					expand(m, text, out, depth + 1) < 0 || buf_putc(out, ' ') < 0;

				free(text);
				if (r)
					return -1;
			}
			p = end + 1;
		} else if (*p == '{' || *p == '(') {
			continue;
		} else {
			while ((p[len] >= 'a' && p[len] <= 'z') || (p[len] >= 'A' && p[len] <= 'Z') ||
			       (p[len] >= '0' && p[len] <= '9') || p[len] == '_')
				len++;
			if (len >= sizeof(name))
				len = sizeof(name) - 1;
			memcpy(name, p, len);
			name[len] = '\0';
			p += len;
		}
		if (name[0] && (v = maincf_get(m, name)) != NULL && expand(m, v, out, depth + 1) < 0)
			return -1;
	}
	return 0;
}

/* secrecy_check_maincf - refuse a literal table that this change brings in. */
int secrecy_check_maincf(const struct maincf *before, const struct maincf *after,
			 struct err *e)
{
	const char **names = NULL;
	size_t n = 0;
	int r = 0;

	if (maincf_names(after, &names, &n) < 0)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n && r == 0; i++) {
		struct buf now = BUF_INIT, was = BUF_INIT;

		if (!secrecy_param_holds_passwords(names[i]))
			continue;
		if (expand(after, maincf_get(after, names[i]), &now, 0) < 0 ||
		    (before && maincf_get(before, names[i]) &&
		     expand(before, maincf_get(before, names[i]), &was, 0) < 0))
			r = err_set(e, ERR_NOMEM, "out of memory");
		else if (was.data == NULL || strcmp(was.data, now.data ? now.data : "") != 0)
			r = secrecy_check_param(names[i], now.data ? now.data : "", e);
		buf_free(&now);
		buf_free(&was);
	}
	free(names);
	return r;
}

/* --- what may be printed ------------------------------------------------- */

/* secrecy_mask_value - keep the user, hide the password. */
void secrecy_mask_value(const char *value, char *out, size_t n)
{
	const char *colon = strchr(value, ':');

	if (colon)
		snprintf(out, n, "%.*s:%s", (int)(colon - value), value, SECRECY_MASK);
	else
		snprintf(out, n, "%s", SECRECY_MASK);
}

/* secrecy_mask_spec - "static:••••" for a literal table. */
void secrecy_mask_spec(const char *spec, char *out, size_t n)
{
	char type[16];

	if (literal_in(spec, type))
		snprintf(out, n, "%s:%s%s%s", type, strcmp(type, "static") ? "{" : "",
			 SECRECY_MASK, strcmp(type, "static") ? "}" : "");
	else
		snprintf(out, n, "%s", spec);
}

/* mask_quoted - one line: the value after the last "NAME=" that Postfix
 * quotes after one of its phrases, masked when secret. */
static int mask_quoted(const char *p, size_t l, struct buf *out)
{
	static const char *const phrases[] = { "unused parameter: ", "overriding earlier entry: " };

	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++) {
		size_t k = strlen(phrases[i]);

		for (size_t at = 0; at + k <= l; at++) {
			const char *name = p + at + k, *eq;
			char nm[257], *val;
			size_t nlen;
			int secret;

			if (memcmp(p + at, phrases[i], k) != 0)
				continue;
			eq = memchr(name, '=', l - (size_t)(name - p));
			if (eq == NULL || (nlen = (size_t)(eq - name)) == 0 || nlen >= sizeof(nm))
				continue;
			memcpy(nm, name, nlen);
			nm[nlen] = '\0';
			if ((val = strndup(eq + 1, l - (size_t)(eq + 1 - p))) == NULL)
				return -1;
			secret = secrecy_param_secret(nm, val);
			free(val);
			if (secret)
				return buf_append(out, p, (size_t)(eq + 1 - p)) < 0 ? -1
										 : buf_puts(out, SECRECY_MASK_PARAM);
		}
	}
	return buf_append(out, p, l);
}

/* secrecy_mask_postfix_text - Postfix's warnings with secret values masked. */
int secrecy_mask_postfix_text(const char *text, size_t len, struct buf *out)
{
	size_t pos = 0;

	while (pos < len) {
		const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - p) : len - pos;

		if (mask_quoted(p, l, out) < 0 || (nl && buf_putc(out, '\n') < 0))
			return -1;
		pos += l + (nl != NULL);
	}
	return 0;
}

/* secrecy_mask_postfix_msg - in place, for an error message. */
void secrecy_mask_postfix_msg(char *msg, size_t size)
{
	struct buf b = BUF_INIT;

	if (secrecy_mask_postfix_text(msg, strlen(msg), &b) == 0 && b.data)
		snprintf(msg, size, "%s", b.data);
	buf_free(&b);
}

/* secret_name - names that say their value is a password. */
static int secret_name(const char *name)
{
	return ends_with(name, "_password") || ends_with(name, "_passwd") ||
	       ends_with(name, "_pw") || ends_with(name, "_secret");
}

/* secrecy_param_secret - a main.cf value that must not be shown. */
int secrecy_param_secret(const char *name, const char *value)
{
	char type[16];

	if (secret_name(name))
		return 1;
	return secrecy_param_holds_passwords(name) && value && literal_in(value, type);
}

/* One logical line of main.cf for secrecy_maincf_lines. */
struct logical {
	size_t first, last;	/* physical lines (0-based), continuation included */
	char name[257];
	struct buf value;
	int secret;
};

/* line_at - start and length of the next physical line. */
static const char *line_at(const char *text, size_t len, size_t *pos, size_t *l)
{
	const char *p = text + *pos, *nl = memchr(p, '\n', len - *pos);

	*l = nl ? (size_t)(nl - p) : len - *pos;
	*pos += *l + (nl != NULL);
	return p;
}

/* refers_to - value mentions $name, ${name...} or $(name...). */
static int refers_to(const char *value, const char *name)
{
	size_t k = strlen(name);

	for (const char *p = strchr(value, '$'); p; p = strchr(p + 1, '$')) {
		const char *q = p + 1;

		if (*q == '{' || *q == '(')
			q++;
		if (strncmp(q, name, k) == 0) {
			char c = q[k];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '_'))
				return 1;
		}
	}
	return 0;
}

/* secrecy_maincf_lines - flag the lines of secret parameters. */
void secrecy_maincf_lines(const char *text, size_t len, unsigned char *flags, size_t n)
{
	struct logical *v = NULL;
	size_t nv = 0, pos = 0, i = 0;
	int changed;

	memset(flags, 0, n);
	/* Logical lines: a line that starts with non-blank text (not '#');
	 * blank-led lines continue it, comment and empty lines in between
	 * belong to it when a continuation line follows them. */
	while (pos < len && i < n) {
		size_t l;
		const char *p = line_at(text, len, &pos, &l);

		if (l > 0 && p[0] != ' ' && p[0] != '\t' && p[0] != '#' && p[0] != '\r') {
			struct logical *nvv = realloc(v, (nv + 1) * sizeof(*v));
			size_t k = strcspn(p, " \t=\r\n");

			if (nvv == NULL)
				goto out;
			v = nvv;
			memset(&v[nv], 0, sizeof(v[nv]));
			v[nv].first = v[nv].last = i;
			if (k > l)
				k = l;
			snprintf(v[nv].name, sizeof(v[nv].name), "%.*s", (int)k, p);
			{
				const char *eq = memchr(p, '=', l);

				if (eq)
					buf_append(&v[nv].value, eq + 1, l - (size_t)(eq + 1 - p));
			}
			nv++;
		} else if (nv > 0 && l > 0 && (p[0] == ' ' || p[0] == '\t') &&
			   p[strspn(p, " \t")] != '#' && strspn(p, " \t\r") < l) {
			v[nv - 1].last = i;
			buf_putc(&v[nv - 1].value, ' ');
			buf_append(&v[nv - 1].value, p, l);
		}
		i++;
	}
	for (size_t k = 0; k < nv; k++)
		v[k].secret = secrecy_param_secret(v[k].name, v[k].value.data ? v[k].value.data
									     : "");
	/* A literal table reached through $name from a password parameter is
	 * as secret as one written there. */
	do {
		changed = 0;
		for (size_t k = 0; k < nv; k++) {
			char type[16];

			if (v[k].secret || !v[k].value.data || !literal_in(v[k].value.data, type))
				continue;
			for (size_t j = 0; j < nv && !v[k].secret; j++)
				if (v[j].value.data && (secrecy_param_holds_passwords(v[j].name) ||
							v[j].secret) &&
				    j != k && refers_to(v[j].value.data, v[k].name))
					v[k].secret = changed = 1;
		}
	} while (changed);
	for (size_t k = 0; k < nv; k++)
		if (v[k].secret)
			for (size_t x = v[k].first; x <= v[k].last && x < n; x++)
				flags[x] = 1;
out:
	for (size_t k = 0; k < nv; k++)
		buf_free(&v[k].value);
	free(v);
}
