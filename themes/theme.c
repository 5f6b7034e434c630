/*
 * theme - load role -> colour tables from YAML with libyaml's event API.
 * See theme.h for the format, ownership and errors.
 */
#include "config.h"
#include "theme.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "datafile.h"

#define THEME_MAX_BYTES (256 * 1024)

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_NORMAL] = "normal", [ROLE_TITLE] = "title", [ROLE_STATUS] = "status",
	[ROLE_SELECTED] = "selected", [ROLE_HEADER] = "header", [ROLE_GROUP] = "group",
	[ROLE_PENDING] = "pending", [ROLE_CHANGED] = "changed", [ROLE_ERROR] = "error",
	[ROLE_WARNING] = "warning", [ROLE_OK] = "ok", [ROLE_DIM] = "dim",
	[ROLE_DIFF_ADD] = "diff_add", [ROLE_DIFF_DEL] = "diff_del",
	[ROLE_DIFF_HUNK] = "diff_hunk", [ROLE_HELP] = "help",
};

static const char *const color_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "bold", THEME_A_BOLD }, { "dim", THEME_A_DIM },
	{ "underline", THEME_A_UNDERLINE }, { "reverse", THEME_A_REVERSE },
	{ "standout", THEME_A_STANDOUT }, { "italic", THEME_A_ITALIC },
	{ "blink", THEME_A_BLINK }, { "none", 0 },
};

/* theme_role_name - stable role name used in theme files. */
const char *theme_role_name(enum theme_role r)
{
	return (r >= 0 && r < ROLE_COUNT) ? role_names[r] : "?";
}

/* set_style - fill one role. */
static void set_style(struct theme *th, enum theme_role r, short fg, short bg, unsigned a)
{
	th->role[r].fg = fg;
	th->role[r].bg = bg;
	th->role[r].attrs = a;
}

/* theme_builtin - compiled-in copy of default.yaml, used when files fail. */
void theme_builtin(struct theme *th)
{
	const short D = THEME_COLOR_DEFAULT;

	memset(th, 0, sizeof(*th));
	snprintf(th->name, sizeof(th->name), "default");
	set_style(th, ROLE_NORMAL, D, D, 0);
	set_style(th, ROLE_TITLE, 7, 4, THEME_A_BOLD);
	set_style(th, ROLE_STATUS, 0, 6, 0);
	set_style(th, ROLE_SELECTED, 0, 7, 0);
	set_style(th, ROLE_HEADER, D, D, THEME_A_BOLD | THEME_A_UNDERLINE);
	set_style(th, ROLE_GROUP, 6, D, THEME_A_BOLD);
	set_style(th, ROLE_PENDING, 3, D, THEME_A_BOLD);
	set_style(th, ROLE_CHANGED, 5, D, THEME_A_BOLD);
	set_style(th, ROLE_ERROR, 1, D, THEME_A_BOLD);
	set_style(th, ROLE_WARNING, 3, D, 0);
	set_style(th, ROLE_OK, 2, D, THEME_A_BOLD);
	set_style(th, ROLE_DIM, D, D, THEME_A_DIM);
	set_style(th, ROLE_DIFF_ADD, 2, D, 0);
	set_style(th, ROLE_DIFF_DEL, 1, D, 0);
	set_style(th, ROLE_DIFF_HUNK, 6, D, 0);
	set_style(th, ROLE_HELP, D, D, 0);
}

/* theme_builtin_mono - attributes carry every distinction colour would. */
void theme_builtin_mono(struct theme *th)
{
	const short D = THEME_COLOR_DEFAULT;

	memset(th, 0, sizeof(*th));
	snprintf(th->name, sizeof(th->name), "monochrome");
	set_style(th, ROLE_NORMAL, D, D, 0);
	set_style(th, ROLE_TITLE, D, D, THEME_A_REVERSE | THEME_A_BOLD);
	set_style(th, ROLE_STATUS, D, D, THEME_A_REVERSE);
	set_style(th, ROLE_SELECTED, D, D, THEME_A_REVERSE);
	set_style(th, ROLE_HEADER, D, D, THEME_A_BOLD | THEME_A_UNDERLINE);
	set_style(th, ROLE_GROUP, D, D, THEME_A_BOLD);
	set_style(th, ROLE_PENDING, D, D, THEME_A_BOLD | THEME_A_UNDERLINE);
	set_style(th, ROLE_CHANGED, D, D, THEME_A_BOLD);
	set_style(th, ROLE_ERROR, D, D, THEME_A_BOLD | THEME_A_REVERSE);
	set_style(th, ROLE_WARNING, D, D, THEME_A_BOLD);
	set_style(th, ROLE_OK, D, D, THEME_A_BOLD);
	set_style(th, ROLE_DIM, D, D, THEME_A_DIM);
	set_style(th, ROLE_DIFF_ADD, D, D, THEME_A_BOLD);
	set_style(th, ROLE_DIFF_DEL, D, D, THEME_A_DIM);
	set_style(th, ROLE_DIFF_HUNK, D, D, THEME_A_UNDERLINE);
	set_style(th, ROLE_HELP, D, D, 0);
}

/* parse_color - colour name to number; -2 when unknown. */
static int parse_color(const char *s)
{
	char *end;
	long n;
	int i;

	if (strcmp(s, "default") == 0)
		return THEME_COLOR_DEFAULT;
	for (i = 0; i < 8; i++) {
		if (strcmp(s, color_names[i]) == 0)
			return i;
		if (strncmp(s, "bright-", 7) == 0 && strcmp(s + 7, color_names[i]) == 0)
			return i + 8;
	}
	if (strncmp(s, "color", 5) == 0 && s[5] >= '0' && s[5] <= '9') {
		errno = 0;
		n = strtol(s + 5, &end, 10);
		if (errno == 0 && *end == '\0' && n >= 0 && n <= 255)
			return (int)n;
	}
	return -2;
}

/* parse_attr_word - one attribute name to its bit; -1 when unknown. */
static long parse_attr_word(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++)
		if (strlen(attr_names[i].name) == n && strncmp(s, attr_names[i].name, n) == 0)
			return (long)attr_names[i].bit;
	return -1;
}

struct parser {
	yaml_parser_t yp;
	yaml_event_t ev;
	int have_ev;
	const char *path;
	struct theme *th;
	struct err *e;
};

/* perr - error at the current event's start mark ("path:line:col: ..."). */
static int perr(struct parser *p, const char *what, const char *arg)
{
	const yaml_mark_t *m = &p->ev.start_mark;

	return err_set(p->e, ERR_PARSE, "%s:%zu:%zu: %s%s%s%s", p->path, m->line + 1,
		       m->column + 1, what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
}

/* next - fetch the next event; anchors and aliases are refused here so
 * that no construct can make one role silently share another's style. */
static int next(struct parser *p)
{
	const char *anchor = NULL;

	if (p->have_ev)
		yaml_event_delete(&p->ev);
	p->have_ev = 0;
	if (!yaml_parser_parse(&p->yp, &p->ev)) {
		return err_set(p->e, ERR_PARSE, "%s:%zu:%zu: %s", p->path,
			       p->yp.problem_mark.line + 1, p->yp.problem_mark.column + 1,
			       p->yp.problem ? p->yp.problem : "YAML syntax error");
	}
	p->have_ev = 1;
	switch (p->ev.type) {
	case YAML_ALIAS_EVENT:
		return perr(p, "aliases are not allowed", NULL);
	case YAML_SCALAR_EVENT:
		anchor = (const char *)p->ev.data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = (const char *)p->ev.data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = (const char *)p->ev.data.mapping_start.anchor;
		break;
	default:
		break;
	}
	if (anchor)
		return perr(p, "anchors are not allowed", anchor);
	return 0;
}

/* expect - fetch the next event and require its type. */
static int expect(struct parser *p, yaml_event_type_t type, const char *what)
{
	if (next(p) < 0)
		return -1;
	if (p->ev.type != type)
		return perr(p, what, NULL);
	return 0;
}

/* scalar - the current event's scalar text. */
static const char *scalar(struct parser *p)
{
	return (const char *)p->ev.data.scalar.value;
}

/* parse_attrs_scalar - "bold, underline" or "bold underline". */
static int parse_attrs_scalar(struct parser *p, unsigned *attrs)
{
	const char *s = scalar(p);
	size_t n;
	long bit;

	while (*s) {
		s += strspn(s, ", \t");
		n = strcspn(s, ", \t");
		if (n == 0)
			break;
		if ((bit = parse_attr_word(s, n)) < 0) {
			char word[64];

			snprintf(word, sizeof(word), "%.*s", (int)(n < 63 ? n : 63), s);
			return perr(p, "unknown attribute", word);
		}
		*attrs |= (unsigned)bit;
		s += n;
	}
	return 0;
}

/* parse_attrs - a scalar or a sequence of scalars. */
static int parse_attrs(struct parser *p, unsigned *attrs)
{
	*attrs = 0;
	if (p->ev.type == YAML_SCALAR_EVENT)
		return parse_attrs_scalar(p, attrs);
	if (p->ev.type != YAML_SEQUENCE_START_EVENT)
		return perr(p, "attrs must be a list or a string", NULL);
	for (;;) {
		if (next(p) < 0)
			return -1;
		if (p->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (p->ev.type != YAML_SCALAR_EVENT)
			return perr(p, "attrs entries must be names", NULL);
		if (parse_attrs_scalar(p, attrs) < 0)
			return -1;
	}
}

/* parse_role - the { fg, bg, attrs } mapping of one role. */
static int parse_role(struct parser *p, enum theme_role r)
{
	/* A role named in the file starts from terminal defaults, so a file
	 * that gives only attrs (monochrome.yaml) gets no built-in colours. */
	struct theme_style st = { THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0 };
	char key[16];
	int c;

	if (expect(p, YAML_MAPPING_START_EVENT, "expected a mapping of fg, bg, attrs") < 0)
		return -1;
	for (;;) {
		if (next(p) < 0)
			return -1;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (p->ev.type != YAML_SCALAR_EVENT)
			return perr(p, "expected a key (fg, bg or attrs)", NULL);
		if (strcmp(scalar(p), "fg") != 0 && strcmp(scalar(p), "bg") != 0 &&
		    strcmp(scalar(p), "attrs") != 0)
			return perr(p, "unknown key", scalar(p));
		snprintf(key, sizeof(key), "%s", scalar(p));
		if (next(p) < 0)
			return -1;
		if (strcmp(key, "attrs") == 0) {
			if (parse_attrs(p, &st.attrs) < 0)
				return -1;
			continue;
		}
		if (p->ev.type != YAML_SCALAR_EVENT)
			return perr(p, "a colour must be a name", NULL);
		if ((c = parse_color(scalar(p))) == -2)
			return perr(p, "unknown colour", scalar(p));
		if (key[0] == 'f')
			st.fg = (short)c;
		else
			st.bg = (short)c;
	}
	p->th->role[r] = st;
	return 0;
}

/* parse_doc - the whole stream: exactly one mapping of role -> style. */
static int parse_doc(struct parser *p)
{
	unsigned seen = 0;
	int r;

	if (expect(p, YAML_STREAM_START_EVENT, "expected a YAML stream") < 0)
		return -1;
	if (next(p) < 0)
		return -1;
	if (p->ev.type == YAML_STREAM_END_EVENT)
		return perr(p, "empty theme", NULL);
	if (p->ev.type != YAML_DOCUMENT_START_EVENT)
		return perr(p, "expected a document", NULL);
	if (expect(p, YAML_MAPPING_START_EVENT, "expected a mapping of role names") < 0)
		return -1;
	for (;;) {
		if (next(p) < 0)
			return -1;
		if (p->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (p->ev.type != YAML_SCALAR_EVENT)
			return perr(p, "expected a role name", NULL);
		for (r = 0; r < ROLE_COUNT; r++)
			if (strcmp(scalar(p), role_names[r]) == 0)
				break;
		if (r == ROLE_COUNT)
			return perr(p, "unknown role", scalar(p));
		if (seen & (1u << r))
			return perr(p, "duplicate role", scalar(p));
		seen |= 1u << r;
		if (parse_role(p, (enum theme_role)r) < 0)
			return -1;
	}
	if (expect(p, YAML_DOCUMENT_END_EVENT, "expected the end of the document") < 0)
		return -1;
	if (expect(p, YAML_STREAM_END_EVENT, "only one document is allowed") < 0)
		return -1;
	return 0;
}

/* theme_load_mem - see theme.h. */
int theme_load_mem(struct theme *th, const char *path, const char *data, size_t len,
		   struct err *e)
{
	struct parser p;
	const char *base;
	int rc;

	memset(&p, 0, sizeof(p));
	theme_builtin(th);
	if (!yaml_parser_initialize(&p.yp))
		return err_set(e, ERR_NOMEM, "%s: cannot initialise the YAML parser", path);
	yaml_parser_set_input_string(&p.yp, (const unsigned char *)data, len);
	p.path = path;
	p.th = th;
	p.e = e;
	rc = parse_doc(&p);
	if (p.have_ev)
		yaml_event_delete(&p.ev);
	yaml_parser_delete(&p.yp);
	if (rc < 0) {
		theme_builtin(th);
		return -1;
	}
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(th->name, sizeof(th->name), "%.*s", (int)strcspn(base, "."), base);
	return 0;
}

/* theme_load_file - read path (capped) and parse it. */
int theme_load_file(struct theme *th, const char *path, struct err *e)
{
	FILE *fp;
	char *data;
	size_t n;
	int rc;

	theme_builtin(th);
	if ((fp = fopen(path, "rb")) == NULL)
		return err_sys(e, "open %s", path);
	if ((data = malloc(THEME_MAX_BYTES + 1)) == NULL) {
		fclose(fp);
		return err_set(e, ERR_NOMEM, "%s: out of memory", path);
	}
	n = fread(data, 1, THEME_MAX_BYTES + 1, fp);
	if (ferror(fp)) {
		rc = err_sys(e, "read %s", path);
	} else if (n > THEME_MAX_BYTES) {
		rc = err_set(e, ERR_LIMIT, "%s: theme file larger than %d bytes", path,
			     THEME_MAX_BYTES);
	} else {
		rc = theme_load_mem(th, path, data, n, e);
	}
	free(data);
	fclose(fp);
	return rc;
}

/* theme_load - name is a bare theme name, checked so it cannot escape dir. */
int theme_load(struct theme *th, const char *dir, const char *name, struct err *e)
{
	char path[PATH_MAX];

	theme_builtin(th);
	if (strchr(name, '/'))
		return theme_load_file(th, name, e);
	if (name[0] == '\0' || name[0] == '.' ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
	    strlen(name))
		return err_set(e, ERR_INVALID, "theme name '%.64s' is not valid", name);
	if (dir == NULL)
		return err_set(e, ERR_NOTFOUND, "theme %s: no themes directory found", name);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.yaml", dir, name) >= sizeof(path))
		return err_set(e, ERR_LIMIT, "theme %s: path too long", name);
	return theme_load_file(th, path, e);
}

/* is_dir - 1 when path names a directory. */
static int is_dir(const char *path)
{
	struct stat st;

	return path && *path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* has_themes - a guessed directory counts only when it holds default.yaml:
 * a build tree has a themes/ directory of object files too. */
static int has_themes(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/default.yaml", dir) >= sizeof(path))
		return 0;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* theme_find_dir - the first candidate directory that exists. */
int theme_find_dir(const char *opt_dir, char *out, size_t outlen)
{
	const char *env = getenv("RELAYDECK_THEMES_DIR");

	if (opt_dir && *opt_dir) {
		if (!is_dir(opt_dir))
			return -1;
		snprintf(out, outlen, "%s", opt_dir);
		return 0;
	}
	if (is_dir(env)) {
		snprintf(out, outlen, "%s", env);
		return 0;
	}
	if (datafile_find("themes", "themes", has_themes, out, outlen) == 0)
		return 0;
	if (has_themes("./themes")) {
		snprintf(out, outlen, "%s", "./themes");
		return 0;
	}
	return -1;
}
