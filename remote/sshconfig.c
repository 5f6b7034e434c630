/*
 * sshconfig - ssh_config(5) as ssh(1) reads it. See sshconfig.h.
 *
 * One pass reads the files top to bottom with a flag "this section
 * applies"; a keyword sets a value only when the section applies and the
 * value is still unset (first value wins). Values that carry tokens are
 * kept raw until the end, when host, port and user are known, then
 * expanded. `Match final` asks for a second pass over the same files with
 * Host lines matched against the resolved HostName, as ssh(1) does.
 */
#include "config.h"
#include "sshconfig.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "buf.h"

#define MAX_ARGS 64

/* Raw values, kept until host, port and user are known. */
struct raw {
	int have_hostname, have_port, have_user, have_ids_only, have_jump, have_strict,
	    have_ukh, have_gkh, have_timeout, have_hash, have_alias;
	char *hostname;
	char *identity[SSHCFG_MAX_FILES];
	size_t n_identity;
	char *jump;		/* ProxyJump text, or NULL after "none" / ProxyCommand none */
	char *proxy_command;	/* set when ProxyCommand (not none) won */
	struct sshcfg_origin o_proxy_command;
	char *ukh[SSHCFG_MAX_FILES];
	size_t n_ukh;
	struct sshcfg_origin o_ukh;
};

struct parse {
	const struct sshcfg_in *in;
	struct sshcfg *out;
	struct raw *raw;
	const char *host_match;	/* what Host lines match: the name given, or in the final pass the HostName */
	int final_pass;
	int want_final;
	const char *home;
	const char *local_user;
	struct buf notes;
	struct buf files;
	struct err *e;
};

static const char *const ignored_with_note[] = {
	"hostkeyalgorithms", "kexalgorithms", "ciphers", "macs", "pubkeyacceptedalgorithms",
	"pubkeyacceptedkeytypes", "hostbasedacceptedalgorithms", "casignaturealgorithms",
	"canonicalizehostname", "bindaddress", "bindinterface", "addressfamily",
	"certificatefile", "identityagent", "knownhostscommand", "verifyhostkeydns",
	"controlmaster", "controlpath", "remotecommand", "requesttty", "localcommand",
	"permitlocalcommand", "preferredauthentications", "pkcs11provider",
	"securitykeyprovider", "updatehostkeys", "checkhostip", NULL,
};

const char *sshcfg_strict_name(enum sshcfg_strict s)
{
	switch (s) {
	case SSHCFG_STRICT_YES:
		return "yes";
	case SSHCFG_STRICT_ACCEPT_NEW:
		return "accept-new";
	case SSHCFG_STRICT_NO:
		return "no";
	case SSHCFG_STRICT_ASK:
	default:
		return "ask";
	}
}

int sshcfg_pattern_match(const char *s, const char *p, int fold)
{
	const char *star = NULL, *mark = NULL;

	/* Greedy match with one backtrack point: linear in |s| per `*`. */
	while (*s) {
		if (*p == '*') {
			star = p++;
			mark = s;
		} else if (*p == '?' ||
			   (*p && (fold ? tolower((unsigned char)*p) == tolower((unsigned char)*s)
				       : *p == *s))) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++mark;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* pattern_list - a comma-separated pattern list: 1 when one positive
 * pattern matches and no negated one does. */
static int pattern_list(const char *s, const char *list, int fold)
{
	char pat[1024];
	int got = 0;

	while (*list) {
		size_t n = strcspn(list, ",");
		int neg = *list == '!';
		const char *p = list + neg;
		size_t pn = n - (size_t)neg;

		if (pn < sizeof(pat)) {
			memcpy(pat, p, pn);
			pat[pn] = '\0';
			if (sshcfg_pattern_match(s, pat, fold)) {
				if (neg)
					return 0;
				got = 1;
			}
		}
		list += n;
		if (*list == ',')
			list++;
	}
	return got;
}

static void note(struct parse *ps, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void note(struct parse *ps, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	buf_printf(&ps->notes, "%s:%d: ", file, line);
	va_start(ap, fmt);
	buf_vprintf(&ps->notes, fmt, ap);
	va_end(ap);
	buf_putc(&ps->notes, '\n');
}

static int perr(struct parse *ps, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int perr(struct parse *ps, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	ps->e->code = ERR_PARSE;
	va_start(ap, fmt);
	vsnprintf(ps->e->msg, sizeof(ps->e->msg), fmt, ap);
	va_end(ap);
	return err_at(ps->e, file, line);
}

/*
 * split_args - the words of a line after its keyword, as OpenSSH splits
 * them: whitespace separates, "..." or '...' quote (quotes may sit inside
 * a word), a backslash escapes a quote, a backslash or (outside quotes) a
 * space; `#` at the start of a word ends the line. Words are written into
 * store (the same size as the line). -1 on an unclosed quote.
 */
static int split_args(const char *s, char *store, char **av, int *ac)
{
	char *w = store;

	*ac = 0;
	for (;;) {
		char quote = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			return 0;
		if (*ac >= MAX_ARGS)
			return -2;
		av[(*ac)++] = w;
		for (; *s; s++) {
			if (*s == '\\' && (s[1] == '\'' || s[1] == '"' || s[1] == '\\' ||
					   (quote == 0 && s[1] == ' '))) {
				*w++ = *++s;
			} else if (quote == 0 && (*s == ' ' || *s == '\t')) {
				break;
			} else if (quote == 0 && (*s == '"' || *s == '\'')) {
				quote = *s;
			} else if (quote != 0 && *s == quote) {
				quote = 0;
			} else {
				*w++ = *s;
			}
		}
		*w++ = '\0';
		if (quote)
			return -1;
	}
}

/* parse_bool - yes/true → 1, no/false → 0, else -1. */
static int parse_bool(const char *v)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0)
		return 1;
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0)
		return 0;
	return -1;
}

/* parse_port - a number 1..65535 or a service name; 0 when neither. */
static int parse_port(const char *v)
{
	char *end;
	long p;

	if (*v == '\0')
		return 0;
	errno = 0;
	p = strtol(v, &end, 10);
	if (*end == '\0')
		return errno == 0 && p >= 1 && p <= 65535 ? (int)p : 0;
	if (strcmp(v, "ssh") == 0)
		return 22;	/* the one service name an ssh config uses in practice */
	return 0;
}

/* parse_time - OpenSSH's time format: 30, 1m30s, 2h, ...; -1 when bad. */
static long parse_time(const char *v)
{
	long total = 0;

	if (*v == '\0')
		return -1;
	while (*v) {
		char *end;
		long n, mult = 1;

		if (!isdigit((unsigned char)*v))
			return -1;
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno != 0 || n > 100000000)
			return -1;
		switch (*end) {
		case '\0':
			break;
		case 's': case 'S': mult = 1; end++; break;
		case 'm': case 'M': mult = 60; end++; break;
		case 'h': case 'H': mult = 3600; end++; break;
		case 'd': case 'D': mult = 86400; end++; break;
		case 'w': case 'W': mult = 604800; end++; break;
		default:
			return -1;
		}
		total += n * mult;
		if (total > 100000000)
			return -1;
		v = end;
	}
	return total;
}

static int set_str(char **dst, const char *v, struct parse *ps)
{
	if ((*dst = strdup(v)) == NULL)
		return err_set(ps->e, ERR_NOMEM, "out of memory");
	return 0;
}

/* current_hostname - what `Match host` compares: HostName so far (with
 * %h), else the name given. Caller frees. */
static char *current_hostname(struct parse *ps)
{
	struct buf b = BUF_INIT;
	const char *h = ps->raw->hostname;

	if (h == NULL)
		h = ps->host_match;
	for (; *h; h++) {
		if (ps->raw->hostname && h[0] == '%' && h[1] == 'h') {
			buf_puts(&b, ps->in->host);
			h++;
		} else if (ps->raw->hostname && h[0] == '%' && h[1] == '%') {
			buf_putc(&b, '%');
			h++;
		} else {
			buf_putc(&b, *h);
		}
	}
	if (b.data == NULL)
		return strdup("");
	for (char *c = b.data; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	return buf_steal(&b);
}

/* match_line - evaluate a Match line: 1 applies, 0 does not, -1 error. */
static int match_line(struct parse *ps, char **av, int ac, const char *file, int line,
		      int nevermatch)
{
	int result = 1, nattr = 0;

	if (ac == 0)
		return perr(ps, file, line, "Match needs criteria (all, host, originalhost, user, ...)");
	for (int i = 0; i < ac; i++) {
		const char *attr = av[i];
		int neg = attr[0] == '!', r;

		attr += neg;
		nattr++;
		if (strcasecmp(attr, "all") == 0) {
			/* as ssh 9.2: at most one criterion before it, none after */
			if (nattr > 2 || i + 1 < ac)
				return perr(ps, file, line,
					    "'all' cannot be combined with other Match attributes");
			r = 1;
		} else if (strcasecmp(attr, "canonical") == 0 || strcasecmp(attr, "final") == 0) {
			if (strcasecmp(attr, "final") == 0)
				ps->want_final = 1;
			r = ps->final_pass;
		} else if (strcasecmp(attr, "host") == 0 || strcasecmp(attr, "originalhost") == 0 ||
			   strcasecmp(attr, "user") == 0 || strcasecmp(attr, "localuser") == 0 ||
			   strcasecmp(attr, "exec") == 0) {
			const char *arg;

			if (i + 1 >= ac)
				return perr(ps, file, line, "Match %s needs an argument", attr);
			arg = av[++i];
			if (strcasecmp(attr, "exec") == 0) {
				if (!result || nevermatch)
					continue;	/* ssh skips it too once a criterion failed */
				return perr(ps, file, line,
					    "Match exec is not supported: relaydeck runs no local "
					    "command to choose settings (give -F FILE with a config "
					    "that does not need it for this host)");
			}
			if (strcasecmp(attr, "host") == 0) {
				char *h = current_hostname(ps);

				if (h == NULL)
					return err_set(ps->e, ERR_NOMEM, "out of memory");
				r = pattern_list(h, arg, 1);
				free(h);
			} else if (strcasecmp(attr, "originalhost") == 0) {
				r = pattern_list(ps->in->host, arg, 1);
			} else if (strcasecmp(attr, "user") == 0) {
				r = pattern_list(ps->out->user ? ps->out->user : ps->local_user, arg, 0);
			} else {
				r = pattern_list(ps->local_user, arg, 0);
			}
		} else {
			return perr(ps, file, line, "unsupported Match attribute %s", attr);
		}
		if (r == (neg ? 1 : 0))
			result = 0;
	}
	return result;
}

static int parse_text(struct parse *ps, const char *file, const char *text, size_t len,
		      int user_conf, int nevermatch, int depth, int *active);

/* expand_tilde - "~" or "~/..." with $HOME; other text copied. Caller frees. */
static char *expand_tilde(const char *home, const char *p)
{
	char *out;

	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
		if (asprintf(&out, "%s%s", home, p + 1) < 0)
			return NULL;
		return out;
	}
	return strdup(p);
}

static int read_file(struct parse *ps, const char *path, int user_conf, int checkperm,
		     int nevermatch, int depth, int must_exist, int *active);

/* include - the Include keyword: every glob match, in lexical order. */
static int include(struct parse *ps, char **av, int ac, const char *file, int line,
		   int user_conf, int nevermatch, int depth, int *active)
{
	if (ac == 0)
		return perr(ps, file, line, "Include needs a file name");
	if (ps->in->no_include)
		return 0;
	for (int i = 0; i < ac; i++) {
		char *pat, *full = NULL;
		glob_t g;
		int r;

		if (av[i][0] == '~')
			pat = expand_tilde(ps->home, av[i]);
		else if (av[i][0] != '/') {
			if (user_conf)
				r = asprintf(&full, "%s/.ssh/%s", ps->home, av[i]);
			else
				r = asprintf(&full, "/etc/ssh/%s", av[i]);
			pat = r < 0 ? NULL : full;
		} else {
			pat = strdup(av[i]);
		}
		if (pat == NULL)
			return err_set(ps->e, ERR_NOMEM, "out of memory");
		memset(&g, 0, sizeof(g));
		r = glob(pat, 0, NULL, &g);
		free(pat);
		if (r == GLOB_NOMATCH) {
			globfree(&g);
			continue;
		}
		if (r != 0) {
			globfree(&g);
			return perr(ps, file, line, "Include %s: cannot expand the pattern", av[i]);
		}
		for (size_t k = 0; k < g.gl_pathc; k++) {
			int oactive = *active;

			if (depth + 1 > SSHCFG_MAX_DEPTH) {
				globfree(&g);
				return perr(ps, file, line,
					    "too many nested Include files (more than %d)",
					    SSHCFG_MAX_DEPTH);
			}
			r = read_file(ps, g.gl_pathv[k], user_conf, 1, nevermatch || !oactive,
				      depth + 1, 0, active);
			*active = oactive;
			if (r < 0) {
				globfree(&g);
				return -1;
			}
		}
		globfree(&g);
	}
	return 0;
}

static void set_origin(struct sshcfg_origin *o, const char *file, int line)
{
	snprintf(o->file, sizeof(o->file), "%s", file);
	o->line = line;
}

/* keyword - one configuration line: checked always (ssh reports a bad
 * line in any section), applied when apply (its section applies). */
static int keyword(struct parse *ps, const char *kw, char **av, int ac, const char *file,
		   int line, int apply)
{
	struct raw *raw = ps->raw;
	struct sshcfg *out = ps->out;

	if (strcasecmp(kw, "hostname") == 0 || strcasecmp(kw, "port") == 0 ||
	    strcasecmp(kw, "user") == 0 || strcasecmp(kw, "identityfile") == 0 ||
	    strcasecmp(kw, "identitiesonly") == 0 || strcasecmp(kw, "proxyjump") == 0 ||
	    strcasecmp(kw, "proxycommand") == 0 || strcasecmp(kw, "stricthostkeychecking") == 0 ||
	    strcasecmp(kw, "connecttimeout") == 0 || strcasecmp(kw, "hashknownhosts") == 0 ||
	    strcasecmp(kw, "hostkeyalias") == 0) {
		if (ac == 0)
			return perr(ps, file, line, "no argument after keyword \"%s\"", kw);
		if (ac > 1 && strcasecmp(kw, "proxycommand") != 0)
			return perr(ps, file, line, "keyword %s: extra arguments at end of line", kw);
	}
	if (strcasecmp(kw, "hostname") == 0) {
		if (apply && !raw->have_hostname) {
			raw->have_hostname = 1;
			set_origin(&out->o_hostname, file, line);
			return set_str(&raw->hostname, av[0], ps);
		}
	} else if (strcasecmp(kw, "port") == 0) {
		int p = parse_port(av[0]);

		if (p == 0)
			return perr(ps, file, line, "bad port '%s'", av[0]);
		if (apply && !raw->have_port) {
			raw->have_port = 1;
			out->port = p;
			set_origin(&out->o_port, file, line);
		}
	} else if (strcasecmp(kw, "user") == 0) {
		if (apply && !raw->have_user) {
			raw->have_user = 1;
			set_origin(&out->o_user, file, line);
			return set_str(&out->user, av[0], ps);
		}
	} else if (strcasecmp(kw, "identityfile") == 0) {
		if (!apply)
			return 0;
		for (size_t i = 0; i < raw->n_identity; i++)
			if (strcmp(raw->identity[i], av[0]) == 0)
				return 0;	/* ssh drops duplicates too */
		if (raw->n_identity >= SSHCFG_MAX_FILES)
			return perr(ps, file, line, "too many identity files (at most %d)",
				    SSHCFG_MAX_FILES);
		if (raw->n_identity == 0)
			set_origin(&out->o_identity, file, line);
		return set_str(&raw->identity[raw->n_identity++], av[0], ps);
	} else if (strcasecmp(kw, "identitiesonly") == 0) {
		int b = parse_bool(av[0]);

		if (b < 0)
			return perr(ps, file, line, "IdentitiesOnly: yes or no, not '%s'", av[0]);
		if (apply && !raw->have_ids_only) {
			raw->have_ids_only = 1;
			out->identities_only = b;
		}
	} else if (strcasecmp(kw, "proxyjump") == 0) {
		if (apply && !raw->have_jump) {
			raw->have_jump = 1;
			if (strcmp(av[0], "none") == 0)
				return 0;
			set_origin(&out->o_proxy_jump, file, line);
			return set_str(&raw->jump, av[0], ps);
		}
	} else if (strcasecmp(kw, "proxycommand") == 0) {
		/* ProxyJump and ProxyCommand compete: the first one given wins. */
		if (apply && !raw->have_jump) {
			raw->have_jump = 1;
			if (ac == 1 && strcmp(av[0], "none") == 0)
				return 0;
			set_origin(&raw->o_proxy_command, file, line);
			return set_str(&raw->proxy_command, av[0], ps);
		}
	} else if (strcasecmp(kw, "stricthostkeychecking") == 0) {
		enum sshcfg_strict s;

		if (strcasecmp(av[0], "ask") == 0)
			s = SSHCFG_STRICT_ASK;
		else if (strcasecmp(av[0], "accept-new") == 0)
			s = SSHCFG_STRICT_ACCEPT_NEW;
		else if (strcasecmp(av[0], "off") == 0 || parse_bool(av[0]) == 0)
			s = SSHCFG_STRICT_NO;
		else if (parse_bool(av[0]) == 1)
			s = SSHCFG_STRICT_YES;
		else
			return perr(ps, file, line,
				    "StrictHostKeyChecking: yes, accept-new, no, off or ask, not '%s'",
				    av[0]);
		if (apply && !raw->have_strict) {
			raw->have_strict = 1;
			out->strict = s;
		}
	} else if (strcasecmp(kw, "userknownhostsfile") == 0 ||
		   strcasecmp(kw, "globalknownhostsfile") == 0) {
		int user = kw[0] == 'u' || kw[0] == 'U';
		int *have = user ? &raw->have_ukh : &raw->have_gkh;

		if (ac == 0)
			return perr(ps, file, line, "no argument after keyword \"%s\"", kw);
		if (ac > SSHCFG_MAX_FILES)
			return perr(ps, file, line, "%s: at most %d files", kw, SSHCFG_MAX_FILES);
		if (!apply || *have)
			return 0;
		*have = 1;
		if (user)
			set_origin(&raw->o_ukh, file, line);
		if (ac == 1 && strcmp(av[0], "none") == 0)
			return 0;
		for (int i = 0; i < ac; i++) {
			if (user) {
				if (set_str(&raw->ukh[raw->n_ukh++], av[i], ps) < 0)
					return -1;
			} else if (set_str(&out->global_kh[out->n_global_kh++], av[i], ps) < 0) {
				return -1;
			}
		}
	} else if (strcasecmp(kw, "connecttimeout") == 0) {
		long t = strcmp(av[0], "none") == 0 ? 0 : parse_time(av[0]);

		if (t < 0)
			return perr(ps, file, line, "ConnectTimeout: bad time '%s'", av[0]);
		if (apply && !raw->have_timeout) {
			raw->have_timeout = 1;
			out->connect_timeout_s = (int)t;
		}
	} else if (strcasecmp(kw, "hashknownhosts") == 0) {
		int b = parse_bool(av[0]);

		if (b < 0)
			return perr(ps, file, line, "HashKnownHosts: yes or no, not '%s'", av[0]);
		if (apply && !raw->have_hash) {
			raw->have_hash = 1;
			out->hash_known_hosts = b;
		}
	} else if (strcasecmp(kw, "hostkeyalias") == 0) {
		if (apply && !raw->have_alias) {
			raw->have_alias = 1;
			return set_str(&out->host_key_alias, av[0], ps);
		}
	} else if (apply) {
		for (int i = 0; ignored_with_note[i]; i++)
			if (strcasecmp(kw, ignored_with_note[i]) == 0) {
				note(ps, file, line, "%s is not used by relaydeck", kw);
				break;
			}
		/* every other keyword (and an unknown one) is skipped */
	}
	return 0;
}

/* parse_text - the lines of one file. *active: the current section applies. */
static int parse_text(struct parse *ps, const char *file, const char *text, size_t len,
		      int user_conf, int nevermatch, int depth, int *active)
{
	const char *p = text, *end = text + len;
	int lineno = 0;
	char *line = NULL, *store = NULL;
	size_t cap = 0;
	int rc = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *kw, *rest, *av[MAX_ARGS];
		int ac, r;

		lineno++;
		if (n + 1 > cap) {
			char *nline = realloc(line, n + 1), *nstore;

			if (nline == NULL) {
				rc = err_set(ps->e, ERR_NOMEM, "out of memory");
				break;
			}
			line = nline;
			nstore = realloc(store, n + 1);
			if (nstore == NULL) {
				rc = err_set(ps->e, ERR_NOMEM, "out of memory");
				break;
			}
			store = nstore;
			cap = n + 1;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		if (memchr(line, '\0', n) != NULL) {
			rc = perr(ps, file, lineno, "a NUL byte in the line");
			break;
		}
		/* trailing whitespace (and \r, \f) is not part of the last word */
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r' ||
				 line[n - 1] == '\f'))
			line[--n] = '\0';
		kw = line + strspn(line, " \t");
		if (*kw == '\0' || *kw == '#')
			continue;
		/* the keyword ends at whitespace or '='; then whitespace, at most one '=' */
		rest = kw + strcspn(kw, " \t=");
		if (*rest) {
			int eq = *rest == '=';

			*rest++ = '\0';
			rest += strspn(rest, " \t");
			if (!eq && *rest == '=') {
				rest++;
				rest += strspn(rest, " \t");
			}
		}
		r = split_args(rest, store, av, &ac);
		if (r == -1) {
			rc = perr(ps, file, lineno, "invalid quotes");
			break;
		}
		if (r == -2) {
			rc = perr(ps, file, lineno, "more than %d arguments", MAX_ARGS);
			break;
		}
		if (strcasecmp(kw, "host") == 0) {
			if (ac == 0) {
				rc = perr(ps, file, lineno, "no argument after keyword \"host\"");
				break;
			}
			*active = 0;
			for (int i = 0; i < ac && !nevermatch; i++) {
				int neg = av[i][0] == '!';

				if (sshcfg_pattern_match(ps->host_match, av[i] + neg, 0)) {
					if (neg) {
						*active = 0;
						break;
					}
					*active = 1;
				}
			}
		} else if (strcasecmp(kw, "match") == 0) {
			r = match_line(ps, av, ac, file, lineno, nevermatch);
			if (r < 0) {
				rc = -1;
				break;
			}
			*active = nevermatch ? 0 : r;
		} else if (strcasecmp(kw, "include") == 0) {
			if (include(ps, av, ac, file, lineno, user_conf, nevermatch, depth, active) < 0) {
				rc = -1;
				break;
			}
		} else {
			r = keyword(ps, kw, av, ac, file, lineno, *active);
			if (r < 0) {
				rc = -1;
				break;
			}
		}
	}
	free(line);
	free(store);
	return rc;
}

/* check_perm - ssh refuses a user config that others could change. */
static int check_perm(struct parse *ps, const char *path, const struct stat *st)
{
	if ((st->st_uid != 0 && st->st_uid != getuid()) || (st->st_mode & 022) != 0) {
		ps->e->code = ERR_PARSE;
		snprintf(ps->e->msg, sizeof(ps->e->msg),
			 "bad owner or permissions on %s (others could change where "
			 "relaydeck connects: make it yours and not group/world-writable)",
			 path);
		return err_at(ps->e, path, 0);
	}
	return 0;
}

static int read_file(struct parse *ps, const char *path, int user_conf, int checkperm,
		     int nevermatch, int depth, int must_exist, int *active)
{
	struct buf b = BUF_INIT;
	struct stat st;
	FILE *fp = fopen(path, "re");
	char chunk[8192];
	size_t n;
	int r;

	if (fp == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		err_sys(ps->e, "open ssh config %s", path);
		return err_at(ps->e, path, 0);
	}
	if (fstat(fileno(fp), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(fp);
		err_set(ps->e, ERR_PARSE, "%s: not a regular file", path);
		return err_at(ps->e, path, 0);
	}
	if (checkperm && check_perm(ps, path, &st) < 0) {
		fclose(fp);
		return -1;
	}
	buf_init(&b, SSHCFG_MAX_BYTES + 1);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(&b, chunk, n) < 0) {
			fclose(fp);
			buf_free(&b);
			err_set(ps->e, ERR_LIMIT, "%s: larger than %u bytes", path, SSHCFG_MAX_BYTES);
			return err_at(ps->e, path, 0);
		}
	fclose(fp);
	if (!ps->final_pass)
		buf_printf(&ps->files, "%s\n", path);
	r = parse_text(ps, path, b.data ? b.data : "", b.len, user_conf, nevermatch, depth, active);
	buf_free(&b);
	return r;
}

/* read_all - one pass over every config source. */
static int read_all(struct parse *ps)
{
	const struct sshcfg_in *in = ps->in;
	int active = 1;

	if (in->text) {
		return parse_text(ps, in->config ? in->config : "(config)", in->text, in->text_len, 1,
				  0, 0, &active);
	}
	if (in->config && strcmp(in->config, "none") == 0)
		return 0;
	if (in->config)
		return read_file(ps, in->config, 1, 0, 0, 0, 1, &active);
	{
		char *user = NULL;
		int r;

		if (asprintf(&user, "%s/.ssh/config", ps->home) < 0)
			return err_set(ps->e, ERR_NOMEM, "out of memory");
		r = read_file(ps, user, 1, 1, 0, 0, 0, &active);
		free(user);
		if (r < 0)
			return -1;
	}
	active = 1;
	return read_file(ps, in->system_config ? in->system_config : "/etc/ssh/ssh_config", 0, 0,
			 0, 0, 0, &active);
}

/*
 * expand - tokens (the letters in allowed), "~" at the start and, with
 * env, ${VAR}. -1 with a message for an unknown token or an unset
 * variable (-2: ssh skips that value). Caller frees *out.
 */
static int expand(struct parse *ps, const char *v, const char *allowed, int env, char **out,
		  const char *what)
{
	struct buf b = BUF_INIT;
	const struct sshcfg *c = ps->out;
	char local[256] = "", port[16], uid[16];
	const char *p = v;

	if (gethostname(local, sizeof(local) - 1) < 0)
		snprintf(local, sizeof(local), "localhost");
	snprintf(port, sizeof(port), "%d", c->port);
	snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
		buf_puts(&b, ps->home);
		p++;
	}
	for (; *p; p++) {
		if (*p == '%') {
			char t = p[1];
			char hash[SHA_DIGEST_LENGTH * 2 + 1];

			if (t == '\0' || (t != '%' && strchr(allowed, t) == NULL)) {
				buf_free(&b);
				return err_set(ps->e, ERR_PARSE, "%s: unknown token %%%c in '%s'", what,
					       t ? t : ' ', v);
			}
			p++;
			switch (t) {
			case '%': buf_putc(&b, '%'); break;
			case 'h': buf_puts(&b, c->hostname); break;
			case 'n': buf_puts(&b, ps->in->host); break;
			case 'p': buf_puts(&b, port); break;
			case 'r': buf_puts(&b, c->user); break;
			case 'u': buf_puts(&b, ps->local_user); break;
			case 'd': buf_puts(&b, ps->home); break;
			case 'i': buf_puts(&b, uid); break;
			case 'l': buf_puts(&b, local); break;
			case 'L': buf_printf(&b, "%.*s", (int)strcspn(local, "."), local); break;
			case 'k': buf_puts(&b, c->host_key_alias ? c->host_key_alias : ps->in->host); break;
			case 'C': {
				unsigned char md[SHA_DIGEST_LENGTH];
				char *cat = NULL;

				/* ssh 9.2: SHA-1 of %l%h%p%r, in hex */
				if (asprintf(&cat, "%s%s%s%s", local, c->hostname, port, c->user) < 0) {
					buf_free(&b);
					return err_set(ps->e, ERR_NOMEM, "out of memory");
				}
				SHA1((const unsigned char *)cat, strlen(cat), md);
				free(cat);
				for (int i = 0; i < SHA_DIGEST_LENGTH; i++)
					snprintf(hash + 2 * i, 3, "%02x", md[i]);
				buf_puts(&b, hash);
				break;
			}
			default:
				break;
			}
		} else if (env && p[0] == '$' && p[1] == '{') {
			const char *close = strchr(p + 2, '}');
			char name[256];
			const char *val;

			if (close == NULL || (size_t)(close - p - 2) >= sizeof(name) || close == p + 2) {
				buf_free(&b);
				return err_set(ps->e, ERR_PARSE, "%s: bad ${VARIABLE} in '%s'", what, v);
			}
			memcpy(name, p + 2, (size_t)(close - p - 2));
			name[close - p - 2] = '\0';
			val = getenv(name);
			if (val == NULL) {
				buf_free(&b);
				err_set(ps->e, ERR_PARSE, "%s: environment variable ${%s} is not set",
					what, name);
				return -2;
			}
			buf_puts(&b, val);
			p = close;
		} else {
			buf_putc(&b, *p);
		}
	}
	if (b.data == NULL && buf_puts(&b, "") < 0)
		return err_set(ps->e, ERR_NOMEM, "out of memory");
	*out = buf_steal(&b);
	return *out ? 0 : err_set(ps->e, ERR_NOMEM, "out of memory");
}

/* finish - expand what waited for host, port and user. */
static int finish(struct parse *ps)
{
	struct raw *raw = ps->raw;
	struct sshcfg *c = ps->out;

	free(c->hostname);
	c->hostname = current_hostname(ps);
	if (c->hostname == NULL)
		return err_set(ps->e, ERR_NOMEM, "out of memory");
	if (c->port == 0)
		c->port = 22;
	if (c->user == NULL && set_str(&c->user, ps->local_user, ps) < 0)
		return -1;
	if (raw->proxy_command) {
		err_set(ps->e, ERR_PARSE,
			"ProxyCommand is not supported (relaydeck runs no local command); "
			"use ProxyJump [user@]host[:port] for a jump host");
		return err_at(ps->e, raw->o_proxy_command.file, raw->o_proxy_command.line);
	}
	for (size_t i = 0; i < raw->n_identity; i++) {
		int r = expand(ps, raw->identity[i], "CdhikLlnpru", 1, &c->identity[c->n_identity],
			       "IdentityFile");

		/* ssh reports an unset ${VAR} and ignores that setting */
		if (r == -1)
			return err_at(ps->e, c->o_identity.file, c->o_identity.line);
		if (r == -2) {
			buf_printf(&ps->notes, "%s:%d: %s (file not used)\n", c->o_identity.file,
				   c->o_identity.line, ps->e->msg);
			err_clear(ps->e);
			continue;
		}
		c->n_identity++;
	}
	c->user_kh_set = raw->have_ukh;
	for (size_t i = 0; i < raw->n_ukh; i++) {
		int r = expand(ps, raw->ukh[i], "CdhikLlnpru", 1, &c->user_kh[c->n_user_kh],
			       "UserKnownHostsFile");

		if (r == -1)
			return err_at(ps->e, raw->o_ukh.file, raw->o_ukh.line);
		if (r == -2) {
			buf_printf(&ps->notes, "UserKnownHostsFile: %s (file not used)\n", ps->e->msg);
			err_clear(ps->e);
			continue;
		}
		c->n_user_kh++;
	}
	c->global_kh_set = raw->have_gkh;
	if (raw->jump && expand(ps, raw->jump, "hnpr", 0, &c->proxy_jump, "ProxyJump") < 0)
		return err_at(ps->e, c->o_proxy_jump.file, c->o_proxy_jump.line);
	return 0;
}

static void raw_free(struct raw *raw)
{
	free(raw->hostname);
	for (size_t i = 0; i < raw->n_identity; i++)
		free(raw->identity[i]);
	free(raw->jump);
	free(raw->proxy_command);
	for (size_t i = 0; i < raw->n_ukh; i++)
		free(raw->ukh[i]);
}

int sshcfg_resolve(const struct sshcfg_in *in, struct sshcfg *out, struct err *e)
{
	struct parse ps;
	struct raw raw;
	/* getpwuid_r: a fleet console resolves hosts on two threads */
	struct passwd pwd, *pw = NULL;
	char pwbuf[2048];
	const char *home = getenv("HOME");
	char *final_host = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (getpwuid_r(getuid(), &pwd, pwbuf, sizeof(pwbuf), &pw) != 0)
		pw = NULL;
	if (in == NULL || in->host == NULL || in->host[0] == '\0')
		return err_set(e, ERR_USAGE, "ssh config: no host name");
	memset(&ps, 0, sizeof(ps));
	memset(&raw, 0, sizeof(raw));
	ps.in = in;
	ps.out = out;
	ps.raw = &raw;
	ps.e = e;
	ps.host_match = in->host;
	ps.home = home && *home ? home : pw ? pw->pw_dir : "/";
	ps.local_user = pw ? pw->pw_name : "root";
	/* the command line comes first: its values win, as with ssh */
	if (in->user && *in->user) {
		raw.have_user = 1;
		if ((out->user = strdup(in->user)) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto fail;
		}
	}
	if (in->port > 0) {
		raw.have_port = 1;
		out->port = in->port;
	}
	if (read_all(&ps) < 0)
		goto fail;
	if (ps.want_final) {
		/* ssh's final pass: Host lines now match the resolved name */
		final_host = current_hostname(&ps);
		if (final_host == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto fail;
		}
		ps.host_match = final_host;
		ps.final_pass = 1;
		if (read_all(&ps) < 0)
			goto fail;
	}
	if (finish(&ps) < 0)
		goto fail;
	out->notes = buf_steal(&ps.notes);
	out->files = buf_steal(&ps.files);
	raw_free(&raw);
	free(final_host);
	return 0;
fail:
	r = -1;
	buf_free(&ps.notes);
	buf_free(&ps.files);
	raw_free(&raw);
	free(final_host);
	sshcfg_free(out);
	return r;
}

void sshcfg_free(struct sshcfg *c)
{
	if (c == NULL)
		return;
	free(c->hostname);
	free(c->user);
	for (size_t i = 0; i < c->n_identity; i++)
		free(c->identity[i]);
	free(c->proxy_jump);
	for (size_t i = 0; i < c->n_user_kh; i++)
		free(c->user_kh[i]);
	for (size_t i = 0; i < c->n_global_kh; i++)
		free(c->global_kh[i]);
	free(c->host_key_alias);
	free(c->files);
	free(c->notes);
	memset(c, 0, sizeof(*c));
}

int sshcfg_jump_next(const char **list, char **user, char **host, int *port, struct err *e)
{
	const char *p = *list, *end, *at, *h, *hend, *colon = NULL;
	size_t n;

	*user = *host = NULL;
	*port = 0;
	while (*p == ',' || *p == ' ')
		p++;
	if (*p == '\0')
		return 1;
	n = strcspn(p, ",");
	end = p + n;
	*list = *end ? end + 1 : end;
	if (n > 7 && strncmp(p, "ssh://", 6) == 0)
		p += 6;
	for (at = end; at > p && at[-1] != '@'; at--)
		;
	h = at > p ? at : p;
	if (*h == '[') {
		hend = memchr(h, ']', (size_t)(end - h));
		if (hend == NULL)
			return err_set(e, ERR_PARSE, "ProxyJump: unbalanced [ ] in '%.*s'", (int)n, p);
		if (hend + 1 < end && hend[1] == ':')
			colon = hend + 1;
		else if (hend + 1 != end)
			return err_set(e, ERR_PARSE, "ProxyJump: expected :PORT after ] in '%.*s'",
				       (int)n, p);
		h++;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		hend = colon ? colon : end;
	}
	if (hend == h || (at > p && at - 1 == p))
		return err_set(e, ERR_PARSE, "ProxyJump: bad hop '%.*s'", (int)n, p);
	if (colon) {
		char num[8];
		size_t pn = (size_t)(end - colon - 1);

		if (pn == 0 || pn >= sizeof(num))
			return err_set(e, ERR_PARSE, "ProxyJump: bad port in '%.*s'", (int)n, p);
		memcpy(num, colon + 1, pn);
		num[pn] = '\0';
		if ((*port = parse_port(num)) == 0)
			return err_set(e, ERR_PARSE, "ProxyJump: bad port in '%.*s'", (int)n, p);
	}
	*host = strndup(h, (size_t)(hend - h));
	if (at > p)
		*user = strndup(p, (size_t)(at - 1 - p));
	if (*host == NULL || (at > p && *user == NULL)) {
		free(*host);
		free(*user);
		*host = *user = NULL;
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}
