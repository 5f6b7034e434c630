/*
 * test_changeset - apply, validation failure and restore, locking,
 * rollback, secrets, crash safety and pending edits, on a private
 * Postfix config directory checked by the real `postfix check` and
 * `postconf -n`. Needs root (postfix check is reserved for it); skips
 * otherwise.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pwd.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "changeset.h"
#include "err.h"
#include "pending.h"
#include "target.h"

struct fx {
	char root[64];
	char conf[128];
	char state[128];
	char maincf[160];
	char *orig;		/* main.cf as first written */
	struct target *t;
};

static const char main_cf_fmt[] =
	"# main.cf - outbound relay through a smart host (test copy).\n"
	"#\n"
	"# Everything goes to the provider; nothing is delivered here.\n"
	"\n"
	"compatibility_level = 3.6\n"
	"myhostname = relay01.example.net\n"
	"mydomain = example.net\n"
	"myorigin = $mydomain\n"
	"mydestination =\n"
	"alias_maps =\n"
	"alias_database =\n"
	"inet_interfaces = loopback-only\n"
	"inet_protocols = ipv4\n"
	"mynetworks = 127.0.0.0/8,\n"
	"    192.168.10.0/24\n"
	"queue_directory = %s/queue\n"
	"data_directory = %s/data\n"
	"\n"
	"# --- the smart host ---\n"
	"relayhost = [192.0.2.25]:587\n"
	"smtp_tls_security_level = encrypt\n"
	"smtp_sasl_auth_enable = no\n"
	"%s";

static void write_file(const char *path, const char *s, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

/* slurp - whole file, NULL when missing. */
static char *slurp(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		assert_int_equal(buf_append(&b, chunk, (size_t)n), 0);
	close(fd);
	if (len)
		*len = b.len;
	return buf_steal(&b);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static int copy_master(const char *dst)
{
	static const char *const srcs[] = { "/usr/share/postfix/master.cf.dist",
					    "/etc/postfix/master.cf" };

	for (size_t i = 0; i < 2; i++) {
		size_t n;
		char *s = slurp(srcs[i], &n);

		if (s) {
			write_file(dst, s, n, 0644);
			free(s);
			return 0;
		}
	}
	return -1;
}

/* fx_write_main - (re)write main.cf with extra lines appended. */
static void fx_write_main(struct fx *f, const char *extra)
{
	struct buf b = BUF_INIT;

	assert_int_equal(buf_printf(&b, main_cf_fmt, f->root, f->root, extra), 0);
	write_file(f->maincf, b.data, b.len, 0644);
	free(f->orig);
	f->orig = buf_steal(&b);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[200];
	struct err e;

	if (f == NULL)
		return -1;
	/* postconf and postfix need it before they honour -c. */
	if (access("/etc/postfix/main.cf", F_OK) != 0)
		close(open("/etc/postfix/main.cf", O_WRONLY | O_CREAT, 0644));
	/* under /var: maillog_file must match maillog_file_prefixes */
	snprintf(f->root, sizeof(f->root), "/var/tmp/rd-cs.XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	chmod(f->root, 0755);
	snprintf(f->conf, sizeof(f->conf), "%s/etc", f->root);
	snprintf(f->state, sizeof(f->state), "%s/state", f->root);
	snprintf(f->maincf, sizeof(f->maincf), "%s/main.cf", f->conf);
	mkdir(f->conf, 0755);
	snprintf(path, sizeof(path), "%s/queue", f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/data", f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/master.cf", f->conf);
	if (copy_master(path) < 0)
		return -1;
	fx_write_main(f, "");
	err_clear(&e);
	f->t = target_local_new(f->conf, f->state, &e);
	if (f->t == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];

	target_free(f->t);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		return -1;
	free(f->orig);
	free(f);
	return 0;
}

/* with_relayhost - the original main.cf with relayhost replaced. */
static char *with_relayhost(const char *orig, const char *value)
{
	struct buf b = BUF_INIT;
	const char *p = strstr(orig, "relayhost = ");
	const char *nl = strchr(p, '\n');

	assert_int_equal(buf_append(&b, orig, (size_t)(p - orig)), 0);
	assert_int_equal(buf_printf(&b, "relayhost = %s", value), 0);
	assert_int_equal(buf_puts(&b, nl), 0);
	return buf_steal(&b);
}

static void assert_file_is(const char *path, const char *want)
{
	size_t n;
	char *got = slurp(path, &n);

	assert_non_null(got);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(got, want, n);
	free(got);
}

/* need_root - postfix check, chown and the real instance need root. */
static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

static void test_apply_ok(void **state)
{
	struct fx *f = *state;
	struct changeset *cs = changeset_new(f->t);
	struct apply_report r;
	struct backup_info *h;
	size_t n;
	struct err e;
	char *next = with_relayhost(f->orig, "[192.0.2.26]:587"), path[400], want[600];
	struct buf d = BUF_INIT;

	need_root();
	apply_report_init(&r);
	err_clear(&e);
	assert_int_equal(changeset_stage(cs, f->maincf, next, strlen(next), 0644, 0, &e), 0);
	assert_int_equal(changeset_changed(cs, &e), 1);
	assert_int_equal(changeset_diff(cs, &d, &e), 0);
	snprintf(want, sizeof(want), "--- a%s\n+++ b%s\n@@ ", f->maincf, f->maincf);
	assert_true(strncmp(d.data, want, strlen(want)) == 0);
	assert_non_null(strstr(d.data, "\n-relayhost = [192.0.2.25]:587\n"
				       "+relayhost = [192.0.2.26]:587\n"));
	if (changeset_apply(cs, "set relayhost", &r, &e) != 0)
		fail_msg("apply: %s", e.msg);
	assert_file_is(f->maincf, next);
	assert_int_equal(mode_of(f->maincf), 0644);
	assert_int_equal(r.restored, 0);
	assert_int_equal(r.validated, 1);
	assert_int_equal(r.check_skipped, 0);
	assert_true(strlen(r.backup_id) > 17);
	assert_true(r.backup_id[8] == 'T' && r.backup_id[15] == 'Z' && r.backup_id[16] == '-');
	snprintf(want, sizeof(want), "backup %s\nwrite %s\npostfix check: ok\npostconf -n: ok\n",
		 r.backup_id, f->maincf);
	assert_non_null(strstr(r.steps.data, want));
	assert_non_null(strstr(r.steps.data, "reload: not needed"));
	/* the backup holds the old bytes: the old file itself (a hard link,
	 * its own mode) in the 0700 state dir */
	snprintf(path, sizeof(path), "%s/backups/%s/file.0", f->state, r.backup_id);
	assert_file_is(path, f->orig);
	assert_int_equal(mode_of(path), 0644);
	assert_int_equal(mode_of(f->state) & 0777, 0700);
	assert_int_equal(changeset_history(f->t, &h, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(h[0].id, r.backup_id);
	assert_string_equal(h[0].description, "set relayhost");
	assert_int_equal(h[0].nfiles, 1);
	assert_string_equal(h[0].files[0], f->maincf);
	assert_true(h[0].when > 1700000000LL);
	changeset_history_free(h, n);
	/* applying the same again: nothing to do */
	apply_report_free(&r);
	apply_report_init(&r);
	assert_int_equal(changeset_changed(cs, &e), 0);
	assert_int_equal(changeset_apply(cs, "again", &r, &e), 0);
	assert_string_equal(r.steps.data, "no changes\n");
	assert_string_equal(r.backup_id, "");
	buf_free(&d);
	apply_report_free(&r);
	changeset_free(cs);
	free(next);
}

/* expect_restored - a change that Postfix rejects leaves main.cf as it was. */
static void expect_restored(struct fx *f, const char *extra, const char *want_in_msg)
{
	struct changeset *cs = changeset_new(f->t);
	struct apply_report r;
	struct buf b = BUF_INIT;
	struct err e;

	apply_report_init(&r);
	err_clear(&e);
	assert_int_equal(buf_puts(&b, f->orig), 0);
	assert_int_equal(buf_puts(&b, extra), 0);
	assert_int_equal(changeset_stage(cs, f->maincf, b.data, b.len, 0644, 0, &e), 0);
	assert_int_equal(changeset_apply(cs, "bad change", &r, &e), -1);
	assert_int_equal(e.code, ERR_VALIDATE);
	if (strstr(e.msg, want_in_msg) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, want_in_msg);
	assert_non_null(strstr(e.msg, " (previous files restored)"));
	assert_int_equal(r.restored, 1);
	assert_non_null(strstr(r.steps.data, "restore: ok"));
	assert_file_is(f->maincf, f->orig);
	assert_int_equal(mode_of(f->maincf), 0644);
	buf_free(&b);
	apply_report_free(&r);
	changeset_free(cs);
}

static void test_validation_failure_restores(void **state)
{
	struct fx *f = *state;

	need_root();
	/* postfix check exits 1 on a number it cannot parse */
	expect_restored(f, "default_process_limit = lots\n", "postfix");
	/* postconf warns about a parameter nobody uses: a new warning */
	expect_restored(f, "relay_hostt = [192.0.2.25]\n", "unused parameter: relay_hostt");
}

static void test_old_warnings_do_not_block(void **state)
{
	struct fx *f = *state;
	struct changeset *cs;
	struct apply_report r;
	struct err e;
	char *next;

	need_root();
	fx_write_main(f, "legacy_knob = 1\n");
	next = with_relayhost(f->orig, "[192.0.2.27]:587");
	cs = changeset_new(f->t);
	apply_report_init(&r);
	err_clear(&e);
	assert_int_equal(changeset_stage(cs, f->maincf, next, strlen(next), 0644, 0, &e), 0);
	if (changeset_apply(cs, "with old warning", &r, &e) != 0)
		fail_msg("apply: %s", e.msg);
	assert_file_is(f->maincf, next);
	assert_non_null(strstr(r.warnings.data, "unused parameter: legacy_knob=1"));
	/* each warning once, though postfix check repeats them */
	{
		const char *q = strstr(r.warnings.data, "legacy_knob");

		assert_null(strstr(q + 1, "legacy_knob"));
	}
	apply_report_free(&r);
	changeset_free(cs);
	free(next);
}

/* A warning that only moved with the lines around it is not new: an edit
 * that removes a line above a duplicate entry shifts the line number in
 * "line N: overriding earlier entry" (it used to fail the apply). */
static void test_moved_warning_is_old(void **state)
{
	struct fx *f = *state;
	struct changeset *cs;
	struct apply_report r;
	struct err e;
	struct buf next = BUF_INIT;
	const char *drop = "inet_protocols = ipv4\n", *p;

	need_root();
	fx_write_main(f, "relayhost = [192.0.2.28]:587\n");
	p = strstr(f->orig, drop);
	assert_non_null(p);
	assert_int_equal(buf_append(&next, f->orig, (size_t)(p - f->orig)), 0);
	assert_int_equal(buf_puts(&next, p + strlen(drop)), 0);
	cs = changeset_new(f->t);
	apply_report_init(&r);
	err_clear(&e);
	assert_int_equal(changeset_stage(cs, f->maincf, next.data, next.len, 0644, 0, &e), 0);
	if (changeset_apply(cs, "remove a line above a duplicate", &r, &e) != 0)
		fail_msg("apply: %s", e.msg);
	assert_file_is(f->maincf, next.data);
	/* reported as it reads now, one line up */
	assert_non_null(strstr(r.warnings.data, "overriding earlier entry: relayhost="));
	apply_report_free(&r);
	changeset_free(cs);
	buf_free(&next);
}

static void test_lock_held(void **state)
{
	struct fx *f = *state;
	struct changeset *cs;
	struct apply_report r;
	struct backup_info *h;
	struct err e;
	size_t n;
	char lockpath[200], *next, c;
	int pfd[2], status;
	pid_t pid;

	need_root();
	mkdir(f->state, 0700);
	snprintf(lockpath, sizeof(lockpath), "%s/lock", f->state);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct err ce;
		void *h2;

		close(pfd[0]);
		if (f->t->ops->lock(f->t, lockpath, 0, &h2, &ce) < 0)
			_exit(1);
		if (write(pfd[1], "L", 1) != 1)
			_exit(1);
		sleep(30);
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	next = with_relayhost(f->orig, "[192.0.2.28]:587");
	cs = changeset_new(f->t);
	apply_report_init(&r);
	err_clear(&e);
	assert_int_equal(changeset_stage(cs, f->maincf, next, strlen(next), 0644, 0, &e), 0);
	assert_int_equal(changeset_apply(cs, "locked out", &r, &e), -1);
	assert_int_equal(e.code, ERR_LOCKED);
	assert_non_null(strstr(e.msg, lockpath));
	assert_file_is(f->maincf, f->orig);
	assert_int_equal(changeset_history(f->t, &h, &n, &e), 0);
	assert_int_equal(n, 0);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	/* the holder died: the lock is free again */
	assert_int_equal(changeset_apply(cs, "after", &r, &e), 0);
	assert_file_is(f->maincf, next);
	apply_report_free(&r);
	changeset_free(cs);
	free(next);
}

static void test_rollback(void **state)
{
	struct fx *f = *state;
	struct changeset *cs = changeset_new(f->t);
	struct apply_report r;
	struct backup_info *h;
	struct err e;
	size_t n;
	char *next = with_relayhost(f->orig, "[192.0.2.29]:587"), newmap[200], first[64];
	char desc[128];

	need_root();
	snprintf(newmap, sizeof(newmap), "%s/generic", f->conf);
	apply_report_init(&r);
	err_clear(&e);
	assert_int_equal(changeset_stage(cs, f->maincf, next, strlen(next), 0644, 0, &e), 0);
	assert_int_equal(changeset_stage(cs, newmap, "root@relay01 ops@example.net\n", 29,
					 0644, 0, &e), 0);
	if (changeset_apply(cs, "relayhost and generic", &r, &e) != 0)
		fail_msg("apply: %s", e.msg);
	snprintf(first, sizeof(first), "%s", r.backup_id);
	assert_int_equal(access(newmap, F_OK), 0);
	apply_report_free(&r);
	apply_report_init(&r);
	/* unknown ID */
	assert_int_equal(changeset_rollback(f->t, "20000101T000000Z-1", &r, &e), -1);
	assert_int_equal(e.code, ERR_NOTFOUND);
	assert_file_is(f->maincf, next);
	/* newest: back to the original bytes, and the new file is gone */
	err_clear(&e);
	if (changeset_rollback(f->t, NULL, &r, &e) != 0)
		fail_msg("rollback: %s", e.msg);
	assert_file_is(f->maincf, f->orig);
	assert_int_equal(access(newmap, F_OK), -1);
	assert_non_null(strstr(r.steps.data, "remove "));
	assert_int_equal(changeset_history(f->t, &h, &n, &e), 0);
	assert_int_equal(n, 2);
	snprintf(desc, sizeof(desc), "rollback to %s", first);
	assert_string_equal(h[0].description, desc);
	assert_string_equal(h[0].id, r.backup_id);
	assert_string_equal(h[1].id, first);
	assert_int_equal(h[1].nfiles, 2);
	changeset_history_free(h, n);
	/* rolling back the rollback by ID brings the change back */
	{
		char rb[64];

		snprintf(rb, sizeof(rb), "%s", r.backup_id);
		apply_report_free(&r);
		apply_report_init(&r);
		if (changeset_rollback(f->t, rb, &r, &e) != 0)
			fail_msg("rollback %s: %s", rb, e.msg);
		assert_file_is(f->maincf, next);
		assert_file_is(newmap, "root@relay01 ops@example.net\n");
	}
	apply_report_free(&r);
	changeset_free(cs);
	free(next);
}

static void test_secret_file(void **state)
{
	struct fx *f = *state;
	struct changeset *cs = changeset_new(f->t);
	struct apply_report r;
	struct buf d = BUF_INIT;
	struct err e;
	char pw[200], db[220], *cf;
	const char *secret = "[192.0.2.25]:587 relayuser:Tr0ub4dor-Sekret\n";

	need_root();
	snprintf(pw, sizeof(pw), "%s/sasl_passwd", f->conf);
	snprintf(db, sizeof(db), "%s.db", pw);
	apply_report_init(&r);
	err_clear(&e);
	/* main.cf refers to the map, which is created in the same change */
	cf = with_relayhost(f->orig, "[192.0.2.25]:587");
	{
		struct buf b = BUF_INIT;

		assert_int_equal(buf_printf(&b, "%ssmtp_sasl_password_maps = hash:%s\n", cf, pw),
				 0);
		assert_int_equal(changeset_stage(cs, f->maincf, b.data, b.len, 0644, 0, &e), 0);
		buf_free(&b);
	}
	assert_int_equal(changeset_stage_map(cs, pw, secret, strlen(secret), 0644,
					     CS_SECRET | CS_POSTMAP, "hash", &e), 0);
	assert_int_equal(changeset_diff(cs, &d, &e), 0);
	assert_null(strstr(d.data, "Tr0ub4dor"));
	assert_null(strstr(d.data, "relayuser"));
	assert_non_null(strstr(d.data, "--- /dev/null\n"));
	assert_non_null(strstr(d.data, "+[192.0.2.25]:587 ********\n"));
	if (changeset_apply(cs, "credentials", &r, &e) != 0)
		fail_msg("apply: %s", e.msg);
	assert_file_is(pw, secret);
	assert_int_equal(mode_of(pw), 0600);
	assert_int_equal(mode_of(db) & 077, 0);
	assert_null(strstr(r.steps.data, "Tr0ub4dor"));
	/* an existing secret file that was too open is tightened */
	chmod(pw, 0644);
	changeset_free(cs);
	cs = changeset_new(f->t);
	apply_report_free(&r);
	apply_report_init(&r);
	assert_int_equal(changeset_stage_map(cs, pw, "[192.0.2.25]:587 relayuser:N3w-Sekret\n", 39,
					     0644, CS_SECRET | CS_POSTMAP, "hash", &e), 0);
	buf_reset(&d);
	assert_int_equal(changeset_diff(cs, &d, &e), 0);
	assert_null(strstr(d.data, "Sekret"));
	assert_non_null(strstr(d.data, "-[192.0.2.25]:587 ********\n+[192.0.2.25]:587 ********\n"));
	if (changeset_apply(cs, "new password", &r, &e) != 0)
		fail_msg("apply: %s", e.msg);
	assert_int_equal(mode_of(pw), 0600);
	buf_free(&d);
	apply_report_free(&r);
	changeset_free(cs);
	free(cf);
}

/* A credentials table staged without CS_SECRET under another name (a
 * symlinked directory, "./", the second entry of the list): the change
 * set asks core/secrecy itself, so the diff is masked and the file is
 * written 0600. */
static void test_secret_by_identity(void **state)
{
	struct fx *f = *state;
	struct changeset *cs;
	struct apply_report r;
	struct buf d = BUF_INIT, extra = BUF_INIT;
	struct err e;
	char pw[200], second[200], link[200], alias[260], dotted[260];
	const char *v1 = "[192.0.2.25]:587 relayuser:Old-Id-Sekret\n";
	const char *v2 = "[192.0.2.25]:587 relayuser:New-Id-Sekret\n";

	need_root();
	err_clear(&e);
	snprintf(pw, sizeof(pw), "%s/sasl_passwd", f->conf);
	snprintf(second, sizeof(second), "%s/sasl_second", f->conf);
	snprintf(link, sizeof(link), "%s/conf-link", f->root);
	snprintf(alias, sizeof(alias), "%s//sasl_passwd", link);
	snprintf(dotted, sizeof(dotted), "%s/./sasl_second", f->conf);
	write_file(pw, v1, strlen(v1), 0644);
	write_file(second, v1, strlen(v1), 0644);
	assert_int_equal(symlink(f->conf, link), 0);
	assert_int_equal(buf_printf(&extra, "smtp_sasl_password_maps = texthash:%s, texthash:%s\n",
				    pw, second), 0);
	fx_write_main(f, extra.data);
	for (int i = 0; i < 2; i++) {
		const char *path = i == 0 ? alias : dotted;

		cs = changeset_new(f->t);
		apply_report_init(&r);
		buf_reset(&d);
		assert_int_equal(changeset_stage(cs, path, v2, strlen(v2), 0644, 0, &e), 0);
		assert_int_equal(changeset_diff(cs, &d, &e), 0);
		assert_null(strstr(d.data, "Sekret"));
		assert_non_null(strstr(d.data, "-[192.0.2.25]:587 ********\n"
						"+[192.0.2.25]:587 ********\n"));
		if (changeset_apply(cs, "credentials by another name", &r, &e) != 0)
			fail_msg("apply: %s", e.msg);
		assert_int_equal(mode_of(i == 0 ? pw : second), 0600);
		assert_file_is(i == 0 ? pw : second, v2);
		apply_report_free(&r);
		changeset_free(cs);
	}
	unlink(link);
	buf_free(&d);
	buf_free(&extra);
}

/* temp_files - count ".NAME.rd??????" files beside path; *open gets how
 * many are readable by group or others. */
static int temp_files(const char *dir, const char *name, int *open_)
{
	char prefix[100], path[400];
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	snprintf(prefix, sizeof(prefix), ".%s.rd", name);
	*open_ = 0;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (mode_of(path) & 077)
			(*open_)++;
	}
	closedir(d);
	return n;
}

static void test_crash_safety(void **state)
{
	struct fx *f = *state;
	struct buf big = BUF_INIT, big2 = BUF_INIT;
	char pw[200], *got;
	int status, open_ = 0, waited = 0;
	size_t n;
	pid_t pid;

	need_root();
	snprintf(pw, sizeof(pw), "%s/sasl_passwd", f->conf);
	for (int i = 0; i < 40000; i++) {
		assert_int_equal(buf_printf(&big, "[smtp%d.example.net]:587 user%d:old-pass-%d\n",
					    i, i, i), 0);
		assert_int_equal(buf_printf(&big2, "[smtp%d.example.net]:587 user%d:new-pass-%d\n",
					    i, i, i), 0);
	}
	write_file(pw, big.data, big.len, 0600);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct changeset *cs = changeset_new(f->t);
		struct apply_report r;
		struct err e;

		char *cf = with_relayhost(f->orig, "[192.0.2.33]:587");

		setenv("RELAYDECK_TEST_STALL_BEFORE_RENAME_MS", "2000", 1);
		apply_report_init(&r);
		/* main.cf is written first, then the child dies on the big file */
		if (changeset_stage(cs, f->maincf, cf, strlen(cf), 0644, 0, &e) < 0 ||
		    changeset_stage(cs, pw, big2.data, big2.len, 0600, CS_SECRET, &e) < 0)
			_exit(2);
		changeset_apply(cs, "will be killed", &r, &e);
		_exit(3);
	}
	/* wait until the new bytes sit in a temp file beside the target */
	while (temp_files(f->conf, "sasl_passwd", &open_) == 0 && waited < 20000) {
		struct timespec ts = { 0, 20 * 1000000L };

		nanosleep(&ts, NULL);
		waited += 20;
	}
	assert_true(waited < 20000);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	/* old bytes, whole; no leftover readable by others */
	got = slurp(pw, &n);
	assert_int_equal(n, big.len);
	assert_memory_equal(got, big.data, n);
	free(got);
	assert_int_equal(mode_of(pw), 0600);
	/* each file is old or new, never torn; main.cf is already new here */
	assert_null(strstr(got = slurp(f->maincf, NULL), "[192.0.2.25]:587"));
	free(got);
	assert_true(temp_files(f->conf, "sasl_passwd", &open_) >= 1);
	assert_int_equal(open_, 0);
	/* the next apply takes the lock the dead process held and cleans up */
	{
		struct changeset *cs = changeset_new(f->t);
		struct apply_report r;
		struct err e;

		apply_report_init(&r);
		err_clear(&e);
		assert_int_equal(changeset_stage(cs, pw, big2.data, big2.len, 0600, CS_SECRET, &e),
				 0);
		if (changeset_apply(cs, "after the crash", &r, &e) != 0)
			fail_msg("apply: %s", e.msg);
		assert_non_null(strstr(r.steps.data, "recovered an interrupted apply"));
		/* the half-applied change set was undone: main.cf is the old one */
		assert_file_is(f->maincf, f->orig);
		assert_non_null(strstr(r.steps.data, "removed stale temporary file"));
		assert_int_equal(temp_files(f->conf, "sasl_passwd", &open_), 0);
		got = slurp(pw, &n);
		assert_int_equal(n, big2.len);
		assert_memory_equal(got, big2.data, n);
		free(got);
		apply_report_free(&r);
		changeset_free(cs);
	}
	buf_free(&big);
	buf_free(&big2);
}

static void test_not_root_skips_check(void **state)
{
	struct fx *f = *state;
	struct changeset *cs = changeset_new(f->t);
	struct apply_report r;
	struct err e;
	char *next = with_relayhost(f->orig, "[192.0.2.31]:587");

	need_root();
	/* as seen by a target without root: postfix check must not run */
	f->t->is_root = 0;
	apply_report_init(&r);
	err_clear(&e);
	assert_int_equal(changeset_stage(cs, "relative/main.cf", "x", 1, 0644, 0, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(changeset_stage(cs, f->maincf, next, strlen(next), 0644, 0, &e), 0);
	if (changeset_apply(cs, "as a user", &r, &e) != 0)
		fail_msg("apply: %s", e.msg);
	assert_int_equal(r.check_skipped, 1);
	assert_int_equal(r.validated, 0);
	assert_non_null(strstr(r.steps.data, "postfix check: skipped"));
	assert_non_null(strstr(r.steps.data, "postconf -n: ok"));
	assert_file_is(f->maincf, next);
	apply_report_free(&r);
	changeset_free(cs);
	free(next);
}

/* pf_status - 0 when the instance's master runs. */
static int pf_status(const struct fx *f)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "postfix -c '%s' status >/dev/null 2>&1", f->conf);
	return system(cmd);
}

/* setup_running - the fixture as a started instance: no chroot, no inet
 * listener (nothing binds a port), postlogd writing ROOT/maillog. */
static int setup_running(void **state)
{
	struct fx *f;
	struct passwd *pw = getpwnam("postfix");
	char cmd[600], extra[300];

	if (setup(state) < 0)
		return -1;
	if (geteuid() != 0 || pw == NULL)
		return 0;	/* the test skips */
	f = *state;
	snprintf(cmd, sizeof(cmd),
		 "sed -i -e '/^smtp *inet/s/^/#/' "
		 "-e 's/^\\([a-z0-9]* *[a-z-]* *[-yn] *[-yn] *\\)y/\\1n/' "
		 "'%s/master.cf' && chown postfix '%s/data'", f->conf, f->root);
	if (system(cmd) != 0)
		return -1;
	snprintf(extra, sizeof(extra), "maillog_file = %s/maillog\nmaster_service_disable = inet\n",
		 f->root);
	fx_write_main(f, extra);
	snprintf(cmd, sizeof(cmd), "postfix -c '%s' start >/dev/null 2>&1", f->conf);
	if (system(cmd) != 0)
		return -1;
	for (int i = 0; i < 100 && pf_status(f) != 0; i++)
		usleep(100000);
	return pf_status(f) == 0 ? 0 : -1;
}

static int teardown_running(void **state)
{
	struct fx *f = *state;
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "postfix -c '%s' stop >/dev/null 2>&1", f->conf);
	if (pf_status(f) == 0 && system(cmd) == 0)
		for (int i = 0; i < 100 && pf_status(f) == 0; i++)
			usleep(100000);
	if (pf_status(f) == 0) {
		snprintf(cmd, sizeof(cmd), "postfix -c '%s' abort >/dev/null 2>&1", f->conf);
		if (system(cmd) != 0)
			return -1;
	}
	return teardown(state);
}

static void test_reload_when_running(void **state)
{
	struct fx *f = *state;
	struct changeset *cs = changeset_new(f->t);
	struct apply_report r;
	struct err e;
	char *next = with_relayhost(f->orig, "[192.0.2.32]:587"), log[200], *s = NULL;

	need_root();
	apply_report_init(&r);
	err_clear(&e);
	assert_int_equal(changeset_stage(cs, f->maincf, next, strlen(next), 0644, 0, &e), 0);
	if (changeset_apply(cs, "reload me", &r, &e) != 0)
		fail_msg("apply: %s", e.msg);
	assert_int_equal(r.reloaded, 1);
	assert_non_null(strstr(r.steps.data, "reload: ok"));
	assert_int_equal(pf_status(f), 0);
	/* the master says so in its log */
	snprintf(log, sizeof(log), "%s/maillog", f->root);
	for (int i = 0; i < 50; i++) {
		free(s);
		s = slurp(log, NULL);
		if (s && strstr(s, "reload -- version"))
			break;
		usleep(100000);
	}
	assert_non_null(s);
	assert_non_null(strstr(s, "reload -- version"));
	free(s);
	apply_report_free(&r);
	changeset_free(cs);
	free(next);
}

static void test_pending_round_trip(void **state)
{
	struct fx *f = *state;
	struct pending *p;
	const struct pending_edit *ed;
	struct err e;
	char path[200], *s;

	err_clear(&e);
	snprintf(path, sizeof(path), "%s/pending", f->state);
	p = pending_load(f->t, &e);
	assert_non_null(p);
	assert_int_equal(pending_count(p), 0);
	assert_int_equal(pending_set(p, "relayhost", "[smtp.example.com]:587", &e), 0);
	assert_int_equal(pending_set(p, "smtp_tls_security_level", "may", &e), 0);
	assert_int_equal(pending_unset(p, "debug_peer_list", &e), 0);
	assert_int_equal(pending_set(p, "smtp_tls_security_level", "encrypt", &e), 0);
	assert_int_equal(pending_set(p, "bad name", "x", &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(pending_set(p, "relayhost", "a\nb", &e), -1);
	assert_int_equal(pending_set(p, "dropme", "x", &e), 0);
	assert_int_equal(pending_drop(p, "dropme"), 0);
	assert_int_equal(pending_drop(p, "never-set"), 0);
	assert_int_equal(pending_count(p), 3);
	assert_int_equal(pending_save(p, &e), 0);
	pending_free(p);
	s = slurp(path, NULL);
	assert_string_equal(s, "set\trelayhost\t[smtp.example.com]:587\n"
			       "set\tsmtp_tls_security_level\tencrypt\n"
			       "unset\tdebug_peer_list\n");
	free(s);
	assert_int_equal(mode_of(path), 0600);
	p = pending_load(f->t, &e);
	assert_non_null(p);
	assert_int_equal(pending_count(p), 3);
	ed = pending_at(p, 0);
	assert_string_equal(ed->name, "relayhost");
	assert_string_equal(ed->value, "[smtp.example.com]:587");
	ed = pending_find(p, "debug_peer_list");
	assert_non_null(ed);
	assert_null(ed->value);
	assert_null(pending_find(p, "dropme"));
	assert_null(pending_at(p, 3));
	assert_int_equal(pending_clear(p, &e), 0);
	assert_int_equal(access(path, F_OK), -1);
	pending_free(p);
}

static void test_pending_corrupt(void **state)
{
	struct fx *f = *state;
	char path[200];
	struct err e;
	static const char *const bad[] = {
		"set\trelayhost\t[a]:25\nsett\tx\ty\n",
		"set\trelayhost\t[a]:25\nset\tnovalue\n",
		"set\trelayhost\t[a]:25\n\n",
		"set\trelayhost\t[a]:25\nunset\t\n",
		"set\trelayhost\t[a]:25\nset\tx\0y\tz\n",
	};

	mkdir(f->state, 0700);
	snprintf(path, sizeof(path), "%s/pending", f->state);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = i == 4 ? 26 : strlen(bad[i]);

		write_file(path, bad[i], len, 0600);
		err_clear(&e);
		assert_null(pending_load(f->t, &e));
		assert_int_equal(e.code, ERR_PARSE);
		assert_int_equal(e.line, 2);
		assert_string_equal(e.file, path);
		assert_non_null(strstr(e.msg, path));
	}
}

/* test_changed_since - a change set made from one version of a file is
 * refused (ERR_CHANGED) once the file is another version, and writes
 * nothing; from the new version it applies. */
static void test_changed_since(void **state)
{
	struct fx *f = *state;
	struct changeset *cs = changeset_new(f->t);
	struct apply_report r;
	struct buf d = BUF_INIT;
	struct err e;
	char *next = with_relayhost(f->orig, "[192.0.2.41]:587");
	char *theirs = with_relayhost(f->orig, "[192.0.2.42]:587");

	need_root();
	err_clear(&e);
	apply_report_init(&r);
	assert_int_equal(changeset_stage(cs, f->maincf, next, strlen(next), 0644, 0, &e), 0);
	assert_int_equal(changeset_diff(cs, &d, &e), 0);
	write_file(f->maincf, theirs, strlen(theirs), 0644);
	assert_int_equal(changeset_apply(cs, "mine", &r, &e), -1);
	assert_int_equal(e.code, ERR_CHANGED);
	assert_non_null(strstr(e.msg, "main.cf changed since you staged this edit"));
	assert_file_is(f->maincf, theirs);
	assert_string_equal(r.backup_id, "");
	/* the version diffed is still the one expected after that re-read */
	err_clear(&e);
	assert_int_equal(changeset_apply(cs, "mine", &r, &e), -1);
	assert_int_equal(e.code, ERR_CHANGED);
	write_file(f->maincf, f->orig, strlen(f->orig), 0644);
	err_clear(&e);
	if (changeset_apply(cs, "mine", &r, &e) != 0)
		fail_msg("apply on the version diffed: %s", e.msg);
	assert_file_is(f->maincf, next);
	/* applied: its own version is expected now, and no other */
	write_file(f->maincf, theirs, strlen(theirs), 0644);
	err_clear(&e);
	assert_int_equal(changeset_apply(cs, "mine", &r, &e), -1);
	assert_int_equal(e.code, ERR_CHANGED);
	assert_file_is(f->maincf, theirs);
	apply_report_free(&r);
	changeset_free(cs);

	/* staged again after an apply: its applied version is still the
	 * one expected, not the new content */
	{
		char *third = with_relayhost(f->orig, "[192.0.2.43]:587");

		write_file(f->maincf, f->orig, strlen(f->orig), 0644);
		cs = changeset_new(f->t);
		apply_report_init(&r);
		err_clear(&e);
		assert_int_equal(changeset_stage(cs, f->maincf, next, strlen(next), 0644, 0, &e), 0);
		if (changeset_apply(cs, "first", &r, &e) != 0)
			fail_msg("apply: %s", e.msg);
		assert_int_equal(changeset_stage(cs, f->maincf, third, strlen(third), 0644, 0, &e), 0);
		if (changeset_apply(cs, "second", &r, &e) != 0)
			fail_msg("apply staged again: %s", e.msg);
		assert_file_is(f->maincf, third);
		apply_report_free(&r);
		changeset_free(cs);
		free(third);
		write_file(f->maincf, theirs, strlen(theirs), 0644);
	}

	/* an explicit expectation of the version read now applies */
	{
		unsigned char h[CHANGESET_HASH_LEN];

		cs = changeset_new(f->t);
		apply_report_init(&r);
		err_clear(&e);
		changeset_hash(theirs, strlen(theirs), 1, h);
		assert_int_equal(changeset_stage(cs, f->maincf, next, strlen(next), 0644, 0, &e), 0);
		assert_int_equal(changeset_expect(cs, f->maincf, h, &e), 0);
		if (changeset_apply(cs, "mine again", &r, &e) != 0)
			fail_msg("apply: %s", e.msg);
		assert_file_is(f->maincf, next);
		apply_report_free(&r);
		changeset_free(cs);
	}
	buf_free(&d);
	free(next);
	free(theirs);
}

static void test_pending_build(void **state)
{
	struct fx *f = *state;
	struct pending *p;
	struct changeset *cs;
	struct apply_report r;
	struct err e;
	char *s;

	need_root();
	err_clear(&e);
	p = pending_load(f->t, &e);
	assert_non_null(p);
	assert_int_equal(pending_set(p, "relayhost", "[192.0.2.30]:587", &e), 0);
	assert_int_equal(pending_unset(p, "smtp_sasl_auth_enable", &e), 0);
	cs = changeset_new(f->t);
	if (pending_build(p, cs, &e) != 0)
		fail_msg("build: %s", e.msg);
	apply_report_init(&r);
	if (changeset_apply(cs, "pending", &r, &e) != 0)
		fail_msg("apply: %s", e.msg);
	s = slurp(f->maincf, NULL);
	assert_non_null(strstr(s, "\nrelayhost = [192.0.2.30]:587\n"));
	assert_null(strstr(s, "smtp_sasl_auth_enable"));
	assert_non_null(strstr(s, "# --- the smart host ---\n"));
	free(s);
	apply_report_free(&r);
	changeset_free(cs);
	pending_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apply_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validation_failure_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_warnings_do_not_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moved_warning_is_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_by_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_safety, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_root_skips_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_when_running, setup_running,
						teardown_running),
		cmocka_unit_test_setup_teardown(test_pending_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_build, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_since, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
