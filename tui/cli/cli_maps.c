/*
 * cli_maps - the lookup-table subcommands. See cli_maps.h.
 *
 * A table is named by the main.cf parameter that uses it (its first
 * file-based table) or by TYPE:PATH. Whether it holds credentials is
 * core/secrecy's answer for the file, whatever path names it: then its
 * values are masked in every output, written as secrets, and never taken
 * from the command line (map add points to creds add --password-file).
 */
#include "config.h"
#include "cli_maps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changeset.h"
#include "cli_int.h"
#include "json.h"
#include "maps.h"
#include "secrecy.h"
#include "target.h"

struct table {
	char *param;		/* "" when named by TYPE:PATH */
	char *type;
	char *path;
	int secret;
};

static void table_free(struct table *tb)
{
	free(tb->param);
	free(tb->type);
	free(tb->path);
}

/* resolve - PARAM or TYPE:PATH into a file-based table. */
static int resolve(struct cli_ctx *c, const char *name, struct table *tb)
{
	memset(tb, 0, sizeof(*tb));
	if (strchr(name, ':')) {
		enum map_kind k;

		if (maps_split_spec(name, &tb->type, &tb->path, &c->e) < 0)
			return -1;
		k = maps_kind(tb->type);
		if (k == MAP_UNKNOWN || k == MAP_INLINE) {
			err_set(&c->e, ERR_INVALID, "%s: unknown or file-less table type '%s'",
				name, tb->type);
			return -1;
		}
		if (tb->path[0] != '/') {
			err_set(&c->e, ERR_INVALID, "%s: need an absolute path", name);
			return -1;
		}
		tb->param = strdup("");
	} else {
		struct map_ref *refs = NULL;
		size_t n = 0;

		if (maps_refs(c->t, &refs, &n, &c->e) < 0)
			return -1;
		for (size_t i = 0; i < n && tb->path == NULL; i++)
			if (strcmp(refs[i].param, name) == 0 && refs[i].path[0] == '/' &&
			    maps_kind(refs[i].type) != MAP_UNKNOWN) {
				tb->param = strdup(name);
				tb->type = strdup(refs[i].type);
				tb->path = strdup(refs[i].path);
			}
		maps_refs_free(refs, n);
		if (tb->path == NULL) {
			err_set(&c->e, ERR_NOTFOUND,
				"%s: main.cf names no file-based table in this parameter", name);
			return -1;
		}
	}
	if ((tb->secret = secrecy_table_path(c->t, tb->path, &c->e)) < 0)
		return -1;
	return 0;
}

/* load - parse the table file; a missing file is empty when allowed. */
static struct maps *load(struct cli_ctx *c, const struct table *tb, int missing_ok)
{
	struct buf b = BUF_INIT;
	struct maps *m;

	if (target_read(c->t, tb->path, &b, &c->e) < 0) {
		buf_wipe_free(&b);
		if (!(missing_ok && c->e.code == ERR_NOTFOUND))
			return NULL;
		err_clear(&c->e);
	}
	m = maps_parse_buf(tb->type, tb->path, &b, &c->e);
	buf_wipe_free(&b);
	return m;
}

/* shown - a value as it may be printed. */
static const char *shown(const struct table *tb, const char *value, char *tmp, size_t n)
{
	if (!tb->secret)
		return value;
	secrecy_mask_value(value, tmp, n);
	return tmp;
}

/* compiled_suffix - the file postmap makes for an indexed type. */
static const char *compiled_suffix(const char *type)
{
	if (strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0)
		return ".db";
	if (strcmp(type, "lmdb") == 0)
		return ".lmdb";
	if (strcmp(type, "cdb") == 0)
		return ".cdb";
	if (strcmp(type, "dbm") == 0 || strcmp(type, "sdbm") == 0)
		return ".pag";
	return NULL;
}

/* map_list - every table main.cf references. */
static int map_list(struct cli_ctx *c)
{
	struct map_ref *refs = NULL;
	size_t n = 0;
	struct buf out = BUF_INIT;
	struct json j;

	if (maps_refs(c->t, &refs, &n, &c->e) < 0)
		return cli_fail(c);
	json_init(&j, &out);
	json_obj_begin(&j);
	json_key(&j, "maps");
	json_arr_begin(&j);
	for (size_t i = 0; i < n; i++) {
		struct target_stat st = { 0 }, cst = { 0 };
		const char *suf = compiled_suffix(refs[i].type);
		char cpath[4200], mode[8] = "", state[64] = "";
		long entries = -1;
		struct err tmp;

		err_clear(&tmp);
		if (refs[i].path[0] == '/') {
			struct table tb = { refs[i].param, refs[i].type, refs[i].path, 0 };
			struct maps *m;

			if (target_stat(c->t, refs[i].path, &st, &tmp) == 0 && st.exists) {
				snprintf(mode, sizeof(mode), "%04o", (unsigned)st.mode);
				if ((m = load(c, &tb, 0)) != NULL)
					entries = (long)maps_count(m);
				else
					snprintf(state, sizeof(state), "unparsable");
				maps_free(m);
				err_clear(&c->e);
			} else {
				snprintf(state, sizeof(state), "missing");
			}
			if (suf && st.exists) {
				snprintf(cpath, sizeof(cpath), "%s%s", refs[i].path, suf);
				if (target_stat(c->t, cpath, &cst, &tmp) < 0 || !cst.exists)
					snprintf(state, sizeof(state), "not compiled");
				else if (cst.mtime < st.mtime)
					snprintf(state, sizeof(state), "compiled, older than source");
				else
					snprintf(state, sizeof(state), "compiled");
			} else if (st.exists && !state[0]) {
				snprintf(state, sizeof(state), "read directly");
			}
		} else {
			snprintf(state, sizeof(state), "no file");
		}
		if (c->o->json) {
			json_obj_begin(&j);
			json_kv_str(&j, "param", refs[i].param);
			json_kv_str(&j, "spec", refs[i].spec);
			json_kv_str(&j, "type", refs[i].type);
			json_kv_str(&j, "path", refs[i].path[0] ? refs[i].path : NULL);
			if (entries >= 0)
				json_kv_int(&j, "entries", entries);
			json_kv_str(&j, "state", state);
			json_kv_str(&j, "mode", mode[0] ? mode : NULL);
			json_obj_end(&j);
		} else {
			printf("%-32s %-50s %6s %-5s %s\n", refs[i].param, refs[i].spec,
			       entries >= 0 ? "" : "-", mode, state);
			if (entries >= 0)
				printf("%-32s %ld entr%s\n", "", entries, entries == 1 ? "y" : "ies");
		}
	}
	json_arr_end(&j);
	json_obj_end(&j);
	if (c->o->json)
		printf("%s\n", out.data);
	else if (n == 0)
		printf("main.cf names no lookup tables\n");
	buf_free(&out);
	maps_refs_free(refs, n);
	return EXIT_OK;
}

/* map_show - the entries of one table. */
static int map_show(struct cli_ctx *c, const struct table *tb)
{
	struct maps *m = load(c, tb, 0);
	struct buf out = BUF_INIT, warn = BUF_INIT;
	char tmp[512];

	if (m == NULL)
		return cli_fail(c);
	maps_warnings(m, &warn);
	if (c->o->json) {
		struct json j;

		json_init(&j, &out);
		json_obj_begin(&j);
		json_kv_str(&j, "type", tb->type);
		json_kv_str(&j, "path", tb->path);
		json_kv_bool(&j, "secret", tb->secret);
		json_key(&j, "entries");
		json_arr_begin(&j);
		for (size_t i = 0; i < maps_count(m); i++) {
			struct map_entry me;

			maps_entry(m, i, &me);
			json_obj_begin(&j);
			json_kv_int(&j, "line", me.line);
			json_kv_str(&j, "key", me.key);
			json_kv_str(&j, "value", shown(tb, me.value, tmp, sizeof(tmp)));
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_kv_str(&j, "warnings", warn.len ? warn.data : "");
		json_obj_end(&j);
		printf("%s\n", out.data);
	} else {
		printf("# %s:%s, %zu entr%s\n", tb->type, tb->path, maps_count(m),
		       maps_count(m) == 1 ? "y" : "ies");
		for (size_t i = 0; i < maps_count(m); i++) {
			struct map_entry me;

			maps_entry(m, i, &me);
			printf("%5d  %-40s %s\n", me.line, me.key, shown(tb, me.value, tmp, sizeof(tmp)));
		}
		if (warn.len)
			fprintf(stderr, "%s", warn.data);
	}
	buf_free(&warn);
	buf_free(&out);
	maps_free(m);
	return EXIT_OK;
}

/* stage_apply - stage the edited table and run the common apply path. */
static int stage_apply(struct cli_ctx *c, const struct table *tb, struct maps *m,
		       const char *desc)
{
	struct changeset *cs = changeset_new(c->t);
	int status;

	if (cs == NULL || maps_stage(cs, m, tb->secret ? 0600 : 0644,
				     tb->secret ? CS_SECRET : 0, &c->e) < 0)
		status = cli_fail(c);
	else
		status = cli_apply_changeset(c, cs, desc);
	changeset_free(cs);
	return status;
}

/* map_edit - add, remove or import. */
static int map_edit(struct cli_ctx *c, const char *sub, const struct table *tb, int argc,
		    char **argv)
{
	struct maps *m = NULL;
	char desc[512];
	int status;

	if (strcmp(sub, "import") == 0) {
		FILE *f;
		struct buf b = BUF_INIT;
		char chunk[65536];
		size_t got;

		if (argc != 1)
			return cli_usage_error(c, "usage: relaydeck map import PARAM|TYPE:PATH FILE");
		if ((f = fopen(argv[0], "rb")) == NULL) {
			err_sys(&c->e, "open %s", argv[0]);
			return cli_fail(c);
		}
		while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (buf_append(&b, chunk, got) < 0)
				break;
		fclose(f);
		/* errors name the admin's file and line */
		m = maps_parse(tb->type, argv[0], b.data ? b.data : "", b.len, &c->e);
		if (m != NULL) {
			maps_free(m);
			m = maps_parse(tb->type, tb->path, b.data, b.len, &c->e);
		}
		buf_wipe_free(&b);
		if (m == NULL)
			return cli_fail(c);
		snprintf(desc, sizeof(desc), "map import %s:%s", tb->type, tb->path);
	} else {
		if ((m = load(c, tb, strcmp(sub, "add") == 0)) == NULL)
			return cli_fail(c);
		if (strcmp(sub, "add") == 0) {
			if (argc != 2) {
				maps_free(m);
				return cli_usage_error(c, "usage: relaydeck map add PARAM|TYPE:PATH "
						       "KEY VALUE");
			}
			/* argv is readable by every local user (ps, /proc) and
			 * stays in shell history: no password comes from it */
			if (tb->secret) {
				maps_free(m);
				err_set(&c->e, ERR_USAGE,
					"map add: %s:%s holds passwords, which are never taken "
					"from the command line (ps and shell history show "
					"them); use: relaydeck creds add %s --user USER "
					"--password-file FILE", tb->type, tb->path, argv[0]);
				return cli_fail(c);
			}
			if ((maps_kind(tb->type) == MAP_PCRE &&
			     maps_check_pcre(c->t, argv[0], &c->e) < 0) ||
			    maps_set(m, argv[0], argv[1], &c->e) < 0) {
				maps_free(m);
				return cli_fail(c);
			}
		} else {
			if (argc != 1) {
				maps_free(m);
				return cli_usage_error(c, "usage: relaydeck map remove PARAM|TYPE:PATH "
						       "KEY");
			}
			if (maps_remove(m, argv[0], &c->e) < 0) {
				maps_free(m);
				return cli_fail(c);
			}
		}
		snprintf(desc, sizeof(desc), "map %s %s:%s %s", sub, tb->type, tb->path, argv[0]);
	}
	status = stage_apply(c, tb, m, desc);
	maps_free(m);
	return status;
}

/* map_query - the real postmap -q. */
static int map_query(struct cli_ctx *c, const struct table *tb, const char *key, int nofold)
{
	struct buf out = BUF_INIT, spec = BUF_INIT;
	char tmp[512];
	int found;

	buf_printf(&spec, "%s:%s", tb->type, tb->path);
	if (maps_query(c->t, spec.data, key, nofold, &out, &found, &c->e) < 0) {
		buf_free(&spec);
		buf_wipe_free(&out);
		return cli_fail(c);
	}
	if (c->o->json) {
		struct buf j_out = BUF_INIT;
		struct json j;

		json_init(&j, &j_out);
		json_obj_begin(&j);
		json_kv_str(&j, "table", spec.data);
		json_kv_str(&j, "key", key);
		json_kv_bool(&j, "found", found);
		json_kv_str(&j, "value", found ? shown(tb, out.data, tmp, sizeof(tmp)) : NULL);
		json_obj_end(&j);
		printf("%s\n", j_out.data);
		buf_free(&j_out);
	} else if (found) {
		printf("%s\n", shown(tb, out.data, tmp, sizeof(tmp)));
	} else {
		printf("%s: not found in %s\n", key, spec.data);
	}
	buf_free(&spec);
	buf_wipe_free(&out);
	return found ? EXIT_OK : EXIT_NOTFOUND;
}

/* map_try - how the rewrite and routing tables treat an address
 * (maps_try: the real postmap -q lookups). */
static int map_try(struct cli_ctx *c, const char *addr)
{
	struct maps_try_step *st = NULL;
	size_t n = 0;
	struct buf out = BUF_INIT;
	struct json j;

	if (strpbrk(addr, " \t\r\n") || *addr == '\0')
		return cli_usage_error(c, "map try: ADDRESS must be one word");
	if (maps_try(c->t, addr, &st, &n, &c->e) < 0)
		return cli_fail(c);
	json_init(&j, &out);
	json_obj_begin(&j);
	json_kv_str(&j, "address", addr);
	json_key(&j, "steps");
	json_arr_begin(&j);
	for (size_t s = 0; s < n; s++) {
		if (c->o->json) {
			json_obj_begin(&j);
			json_kv_str(&j, "param", st[s].param);
			json_kv_str(&j, "input", st[s].input);
			json_kv_bool(&j, "matched", st[s].matched);
			if (st[s].matched) {
				json_kv_str(&j, "table", st[s].table);
				json_kv_str(&j, "key", st[s].key);
				json_kv_str(&j, "result", st[s].result);
			}
			json_obj_end(&j);
		} else if (st[s].matched) {
			printf("%-32s %s -> %s  (key %s in %s)\n", st[s].param, st[s].input,
			       st[s].result, st[s].key, st[s].table);
		} else {
			printf("%-32s %s: no match\n", st[s].param, st[s].input);
		}
	}
	json_arr_end(&j);
	json_obj_end(&j);
	if (c->o->json)
		printf("%s\n", out.data);
	buf_free(&out);
	maps_try_free(st, n);
	return EXIT_OK;
}

/* cli_cmd_map - dispatch map subcommands. */
int cli_cmd_map(struct cli_ctx *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list";
	struct table tb;
	char *args[4];
	int nargs = 0, nofold = 0, status;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--no-fold") == 0)
			nofold = 1;
		else if (nargs < 4)
			args[nargs++] = argv[i];
		else
			return cli_usage_error(c, "map: too many arguments");
	}
	if (strcmp(sub, "list") == 0)
		return nargs ? cli_usage_error(c, "map list takes no arguments") : map_list(c);
	if (strcmp(sub, "try") == 0) {
		if (nargs != 1)
			return cli_usage_error(c, "usage: relaydeck map try ADDRESS");
		return map_try(c, args[0]);
	}
	if (strcmp(sub, "show") != 0 && strcmp(sub, "add") != 0 && strcmp(sub, "remove") != 0 &&
	    strcmp(sub, "import") != 0 && strcmp(sub, "query") != 0)
		return cli_usage_error(c, "usage: relaydeck map list|show|add|remove|import|query|"
				       "try");
	if (nargs < 1)
		return cli_usage_error(c, "map: PARAM or TYPE:PATH missing");
	if (resolve(c, args[0], &tb) < 0) {
		table_free(&tb);
		return cli_fail(c);
	}
	if (strcmp(sub, "show") == 0)
		status = nargs == 1 ? map_show(c, &tb)
				    : cli_usage_error(c, "usage: relaydeck map show PARAM|TYPE:PATH");
	else if (strcmp(sub, "query") == 0)
		status = nargs == 2 ? map_query(c, &tb, args[1], nofold)
				    : cli_usage_error(c, "usage: relaydeck map query PARAM|TYPE:PATH "
						      "KEY");
	else
		status = map_edit(c, sub, &tb, nargs - 1, args + 1);
	table_free(&tb);
	return status;
}
