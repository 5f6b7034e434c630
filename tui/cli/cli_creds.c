/*
 * cli_creds - the credentials subcommands. See cli_creds.h.
 *
 * Secrets come from --password-file FILE (0600), from stdin ("-" or no
 * option), or from a no-echo prompt when stdin is a terminal; never from
 * argv. They are wiped after staging; listings show "user:••••".
 */
#include "config.h"
#include "cli_creds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "changeset.h"
#include "cli_int.h"
#include "cli_prompt.h"
#include "creds.h"
#include "credtest.h"
#include "json.h"
#include "secret.h"
#include "target.h"

/* read_password - from FILE, stdin, or a prompt without echo. */
static int read_password(struct cli_ctx *c, const char *file, struct secret *pw)
{
	if (file && strcmp(file, "-") != 0)
		return secret_read_file(file, pw, &c->e);
	if (!isatty(STDIN_FILENO))
		return secret_read_fd(STDIN_FILENO, "stdin", pw, &c->e);
	return cli_prompt_password("Password: ", pw, &c->e);
}

/* creds_list_cmd - keys and users, passwords masked. */
static int creds_list_cmd(struct cli_ctx *c, const struct creds_src *src)
{
	struct creds_entry *list = NULL;
	size_t n = 0;

	if (creds_list(c->t, src, &list, &n, &c->e) < 0)
		return cli_fail(c);
	if (c->o->json) {
		struct buf out = BUF_INIT;
		struct json j;

		json_init(&j, &out);
		json_obj_begin(&j);
		json_kv_str(&j, "file", src->path);
		json_kv_str(&j, "type", src->type);
		json_kv_bool(&j, "configured", src->configured);
		json_key(&j, "entries");
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			json_obj_begin(&j);
			json_kv_str(&j, "key", list[i].key);
			json_kv_str(&j, "user", list[i].user);
			json_kv_str(&j, "masked", list[i].masked);
			json_kv_int(&j, "line", list[i].line);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		printf("%s\n", out.data);
		buf_free(&out);
	} else {
		printf("# %s:%s%s\n", src->type, src->path,
		       src->configured ? "" : " (smtp_sasl_password_maps is not set)");
		if (n == 0)
			printf("no credentials\n");
		for (size_t i = 0; i < n; i++)
			printf("%-40s %s\n", list[i].key, list[i].masked);
	}
	creds_list_free(list, n);
	return EXIT_OK;
}

/* creds_audit_cmd - report unsafe files; with --fix stage and apply the fix. */
static int creds_audit_cmd(struct cli_ctx *c, int fix)
{
	struct creds_finding *list = NULL;
	size_t n = 0;
	int status = EXIT_OK;

	if (creds_audit(c->t, &list, &n, &c->e) < 0)
		return cli_fail(c);
	if (c->o->json && !fix) {
		struct buf out = BUF_INIT;
		struct json j;

		json_init(&j, &out);
		json_obj_begin(&j);
		json_key(&j, "findings");
		json_arr_begin(&j);
		for (size_t i = 0; i < n; i++) {
			char mode[8];

			snprintf(mode, sizeof(mode), "%04o", (unsigned)list[i].mode);
			json_obj_begin(&j);
			json_kv_str(&j, "path", list[i].path);
			json_kv_str(&j, "mode", mode);
			json_kv_int(&j, "uid", (long long)list[i].uid);
			json_kv_str(&j, "problem", list[i].problem);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		printf("%s\n", out.data);
		buf_free(&out);
	} else if (!c->o->json) {
		for (size_t i = 0; i < n; i++)
			printf("%s: %s\n", list[i].path, list[i].problem);
		if (n == 0)
			printf("credential files are private (0600, owner root)\n");
	}
	if (fix && n > 0) {
		struct changeset *cs = changeset_new(c->t);

		if (cs == NULL || creds_audit_stage_fix(cs, c->t, list, n, &c->e) < 0)
			status = cli_fail(c);
		else
			status = cli_apply_changeset(c, cs, "creds audit --fix: make credential "
						     "files 0600 root");
		changeset_free(cs);
	} else if (n > 0 && !fix) {
		status = EXIT_FAILED;
	}
	creds_audit_free(list, n);
	return status;
}

/* rotate_test - AUTH with the new password before it is written (core/credtest);
 * -1 with c->e set when refused, so nothing is staged. */
static int rotate_test(struct cli_ctx *c, const struct creds_src *src, const char *key,
		       const struct secret *pw, int insecure_auth, int from_here)
{
	struct credtest_opts co = { insecure_auth, NULL, from_here };
	struct creds_entry *list = NULL;
	struct probe_result r;
	const char *user = NULL;
	char why[1200];
	size_t n = 0;
	int v, insecure;

	if (creds_list(c->t, src, &list, &n, &c->e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].key, key) == 0)
			user = list[i].user;
	if (user == NULL) {
		creds_list_free(list, n);
		return err_set(&c->e, ERR_NOTFOUND, "creds rotate %s: no entry with that key in %s",
			       key, src->path);
	}
	if (!c->o->json)
		fprintf(stderr, "testing the new password for %s (user %s) before applying ...\n",
			key, user);
	v = credtest_run(c->t, key, user, pw, &co, &r, why, sizeof(why), &c->e);
	insecure = r.auth.insecure;
	probe_result_free(&r);
	creds_list_free(list, n);
	if (v < 0)
		return -1;
	if (v == CREDTEST_SKIPPED) {
		fprintf(stderr, "note: not tested: %s\n", why);
		return 0;
	}
	if (v == CREDTEST_NOT_SENT)
		return err_set(&c->e, ERR_RUN, "creds rotate %s: the new password was not tested: "
			       "%s; nothing changed (--insecure-auth sends it anyway, --no-test "
			       "rotates without the test)", key, why);
	if (insecure && !c->o->json)
		fprintf(stderr, "warning: the password went to a server whose certificate is not "
			"trusted (--insecure-auth)\n");
	if (v == CREDTEST_FAILED)
		return err_set(&c->e, ERR_RUN, "creds rotate %s: the new password was not "
			       "accepted: %s; nothing changed (--no-test rotates without the test)",
			       key, why);
	if (!c->o->json)
		fprintf(stderr, "AUTH accepted with the new password\n");
	return 0;
}

/* cli_cmd_creds - dispatch creds subcommands. */
int cli_cmd_creds(struct cli_ctx *c, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "list", *key = NULL, *user = NULL,
		   *file = NULL;
	struct creds_src src;
	struct changeset *cs = NULL;
	struct secret pw = { NULL, 0 };
	char desc[512];
	int fix = 0, no_test = 0, insecure_auth = 0, from_here = 0, status, r;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (strcmp(argv[i], "--password-file") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--fix") == 0)
			fix = 1;
		else if (strcmp(argv[i], "--no-test") == 0)
			no_test = 1;
		else if (strcmp(argv[i], "--insecure-auth") == 0)
			insecure_auth = 1;
		else if (strcmp(argv[i], "--from-here") == 0)
			from_here = 1;
		else if (strcmp(argv[i], "--password") == 0 || strncmp(argv[i], "--password=", 11) == 0)
			return cli_usage_error(c, "passwords are never taken from the command "
					       "line: use --password-file FILE or stdin");
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error(c, "creds: unknown option (see relaydeck --help)");
		else if (key == NULL)
			key = argv[i];
		else
			return cli_usage_error(c, "creds: too many arguments");
	}
	if (insecure_auth && strcmp(sub, "rotate") != 0)
		return cli_usage_error(c, "--insecure-auth belongs to creds rotate");
	if (from_here && strcmp(sub, "rotate") != 0)
		return cli_usage_error(c, "--from-here belongs to creds rotate");
	if (strcmp(sub, "audit") == 0)
		return creds_audit_cmd(c, fix);
	if (creds_source(c->t, &src, &c->e) < 0)
		return cli_fail(c);
	if (strcmp(sub, "list") == 0)
		return creds_list_cmd(c, &src);
	if (strcmp(sub, "add") != 0 && strcmp(sub, "remove") != 0 && strcmp(sub, "rotate") != 0)
		return cli_usage_error(c, "usage: relaydeck creds list|add|remove|rotate|audit");
	if (key == NULL)
		return cli_usage_error(c, "creds: KEY missing ([host]:port or sender address)");
	if (strcmp(sub, "add") == 0 && user == NULL)
		return cli_usage_error(c, "creds add: --user USER missing");
	if (creds_check_key(key, &c->e) < 0 || (user && creds_check_user(user, &c->e) < 0))
		return cli_fail(c);
	if ((cs = changeset_new(c->t)) == NULL)
		return cli_usage_error(c, "out of memory");
	if (strcmp(sub, "remove") == 0) {
		r = creds_remove(cs, c->t, &src, key, &c->e);
	} else if (read_password(c, file, &pw) < 0) {
		r = -1;
	} else if (strcmp(sub, "add") == 0) {
		r = creds_set(cs, c->t, &src, key, user, &pw, &c->e);
	} else if ((r = no_test ? 0 : rotate_test(c, &src, key, &pw, insecure_auth,
								from_here)) == 0) {
		r = creds_rotate(cs, c->t, &src, key, &pw, &c->e);
	}
	secret_free(&pw);
	if (r < 0) {
		status = cli_fail(c);
	} else {
		snprintf(desc, sizeof(desc), "creds %s %s", sub, key);
		status = cli_apply_changeset(c, cs, desc);
	}
	changeset_free(cs);
	return status;
}
